/** Default REST and WebSocket roots of the Binance USDⓈ-M environments. */

export type BinanceExchange = 'binance' | 'binance-testnet';

export interface VenueUrls {
  /** REST base, e.g. https://fapi.binance.com. */
  readonly restUrl: string;
  /** WebSocket host root under which /public, /market and /private live. */
  readonly wsUrl: string;
}

/** Returns the default REST and WS roots of an environment. */
export function venueUrls(exchange: BinanceExchange): VenueUrls {
  switch (exchange) {
    case 'binance':
      return { restUrl: 'https://fapi.binance.com', wsUrl: 'wss://fstream.binance.com' };
    case 'binance-testnet':
      return { restUrl: 'https://demo-fapi.binance.com', wsUrl: 'wss://fstream.binancefuture.com' };
  }
}
