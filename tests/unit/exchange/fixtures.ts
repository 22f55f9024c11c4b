/** Loads Binance documentation fixtures and builds test instruments. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Instrument } from '../../../src/core/instrument.ts';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'binance');

/** Returns a fixture file parsed as JSON. */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as unknown;
}

/** Returns a fixture file's raw text. */
export function fixtureText(name: string): string {
  return readFileSync(join(DIR, `${name}.json`), 'utf8');
}

/** Returns a test instrument with the given grid. */
export function instrument(symbol: string, tickSize: string, stepSize: string): Instrument {
  return new Instrument({
    symbol,
    baseAsset: symbol.replace(/USDT$/, ''),
    quoteAsset: 'USDT',
    marginAsset: 'USDT',
    tickSize,
    stepSize,
    minNotional: '5',
    minQty: stepSize,
    maxQty: '1000000',
    minPrice: tickSize,
    maxPrice: '1000000',
  });
}

/** BTCUSDT with its real grid (tick 0.10, step 0.001). */
export const BTC = instrument('BTCUSDT', '0.10', '0.001');

/** Returns a lookup over the given instruments. */
export function lookupOf(...instruments: Instrument[]): (symbol: string) => Instrument | undefined {
  const map = new Map(instruments.map((i) => [i.symbol, i]));
  return (symbol) => map.get(symbol);
}
