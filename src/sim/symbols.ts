/**
 * The contracts the simulator lists, modelled on Binance's USDⓈ-M exchangeInfo (tick, step,
 * notional and price bounds as Binance publishes them), plus where each market starts.
 */
import { decimalsOf } from '../core/decimal.ts';
import { Instrument, type InstrumentSpec } from '../core/instrument.ts';

export interface SimSymbolSpec extends InstrumentSpec {
  /** Price the random walk starts from, e.g. "65000.00". */
  readonly startPrice: string;
  /** Size shown at the best bid and ask, e.g. "1.000". */
  readonly displayedQty: string;
  /** MARKET_LOT_SIZE maxQty. */
  readonly marketMaxQty: string;
}

/** A listed contract: its spec, its grid, and the precisions exchangeInfo reports. */
export interface SimSymbol {
  readonly spec: SimSymbolSpec;
  readonly instrument: Instrument;
  /** Decimals prices are written with on the wire (those of tickSize, e.g. "0.10" -> 2). */
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
}

function usdt(symbol: string, base: string, fields: Omit<SimSymbolSpec, 'symbol' | 'baseAsset' | 'quoteAsset' | 'marginAsset'>): SimSymbolSpec {
  return { symbol, baseAsset: base, quoteAsset: 'USDT', marginAsset: 'USDT', ...fields };
}

/** Returns the default listing: BTCUSDT, ETHUSDT, SOLUSDT, BNBUSDT. */
export function defaultSymbolSpecs(): SimSymbolSpec[] {
  return [
    usdt('BTCUSDT', 'BTC', {
      tickSize: '0.10',
      stepSize: '0.001',
      minNotional: '100',
      minQty: '0.001',
      maxQty: '1000',
      marketMaxQty: '120',
      minPrice: '556.80',
      maxPrice: '4529764',
      startPrice: '65000.00',
      displayedQty: '1.500',
    }),
    usdt('ETHUSDT', 'ETH', {
      tickSize: '0.01',
      stepSize: '0.001',
      minNotional: '20',
      minQty: '0.001',
      maxQty: '10000',
      marketMaxQty: '2000',
      minPrice: '39.86',
      maxPrice: '306177',
      startPrice: '3500.00',
      displayedQty: '25.000',
    }),
    usdt('SOLUSDT', 'SOL', {
      tickSize: '0.0100',
      stepSize: '1',
      minNotional: '5',
      minQty: '1',
      maxQty: '1000000',
      marketMaxQty: '5000',
      minPrice: '0.4200',
      maxPrice: '6857',
      startPrice: '150.0000',
      displayedQty: '400',
    }),
    usdt('BNBUSDT', 'BNB', {
      tickSize: '0.010',
      stepSize: '0.01',
      minNotional: '5',
      minQty: '0.01',
      maxQty: '100000',
      marketMaxQty: '2000',
      minPrice: '6.600',
      maxPrice: '100000',
      startPrice: '600.000',
      displayedQty: '50.00',
    }),
  ];
}

/** Returns the symbols named first (in their order), then every other built-in symbol: what the standalone simulator lists. */
export function listingWith(first: readonly string[]): string[] {
  const upper = first.map((s) => s.toUpperCase());
  return [
    ...upper,
    ...defaultSymbolSpecs()
      .map((s) => s.symbol)
      .filter((s) => !upper.includes(s)),
  ];
}

/** Returns a listed contract for a spec. */
export function simSymbol(spec: SimSymbolSpec): SimSymbol {
  return {
    spec,
    instrument: new Instrument(spec),
    pricePrecision: decimalsOf(spec.tickSize),
    quantityPrecision: decimalsOf(spec.stepSize),
  };
}
