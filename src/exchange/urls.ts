/** Default REST, WebSocket stream and WebSocket API roots of the Binance USDⓈ-M environments. */

export type BinanceExchange = 'binance' | 'binance-testnet';

export interface VenueUrls {
  /** REST base, e.g. https://fapi.binance.com. */
  readonly restUrl: string;
  /** WebSocket host root under which /public, /market and /private live. */
  readonly wsUrl: string;
  /** The WebSocket API (order entry), e.g. wss://ws-fapi.binance.com/ws-fapi/v1. */
  readonly wsApiUrl: string;
}

/** Returns the default REST, stream and WebSocket API URLs of an environment. */
export function venueUrls(exchange: BinanceExchange): VenueUrls {
  switch (exchange) {
    case 'binance':
      return { restUrl: 'https://fapi.binance.com', wsUrl: 'wss://fstream.binance.com', wsApiUrl: 'wss://ws-fapi.binance.com/ws-fapi/v1' };
    case 'binance-testnet':
      return { restUrl: 'https://demo-fapi.binance.com', wsUrl: 'wss://fstream.binancefuture.com', wsApiUrl: 'wss://testnet.binancefuture.com/ws-fapi/v1' };
  }
}
