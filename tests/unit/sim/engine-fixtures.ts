/** Shared fixtures for matching-engine tests: one BTCUSDT engine and a book around a bid. */
import { MatchingEngine } from '../../../src/sim/matching-engine.ts';
import type { SyntheticBook } from '../../../src/sim/market-model.ts';
import { defaultSymbolSpecs, simSymbol, type SimSymbol } from '../../../src/sim/symbols.ts';
import { asSteps, asTicks } from '../../../src/core/instrument.ts';

export const BTC: SimSymbol = simSymbol(defaultSymbolSpecs()[0]!);

/** Returns an engine trading BTCUSDT with 0.02% maker / 0.05% taker fees and 100k USDT. */
export function newEngine(): MatchingEngine {
  return new MatchingEngine({
    symbols: [BTC],
    makerFeeRate: '0.0002',
    takerFeeRate: '0.0005',
    startingBalance: 100_000n * 100_000_000n,
    marginAsset: 'USDT',
    defaultLeverage: 20,
  });
}

/** Returns a one-tick-wide book: bids bidTicks, bidTicks-1, ...; asks bidTicks+1, ... */
export function bookAt(bidTicks: number, levels = 5, size = 1000): SyntheticBook {
  return {
    bids: Array.from({ length: levels }, (_, i) => [asTicks(bidTicks - i), asSteps(size)] as const),
    asks: Array.from({ length: levels }, (_, i) => [asTicks(bidTicks + 1 + i), asSteps(size)] as const),
  };
}
