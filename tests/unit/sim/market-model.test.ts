import { describe, expect, it } from 'vitest';
import { MarketModel, defaultMarketModelOptions, formatFundingRate } from '../../../src/sim/market-model.ts';
import { MatchingEngine } from '../../../src/sim/matching-engine.ts';
import { Prng } from '../../../src/sim/prng.ts';
import { BTC } from './engine-fixtures.ts';
import { asSteps, asTicks } from '../../../src/core/instrument.ts';

function model(seed: number): MarketModel {
  return new MarketModel(BTC, new Prng(seed), defaultMarketModelOptions());
}

describe('MarketModel', () => {
  it('replays exactly for a seed and differs for another', () => {
    const run = (seed: number) => {
      const m = model(seed);
      return Array.from({ length: 200 }, () => m.step());
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('keeps a sorted, uncrossed ladder one spread wide around the mid', () => {
    const m = model(3);
    for (let i = 0; i < 500; i++) {
      const { book } = m.step();
      expect(book.asks[0]![0] - book.bids[0]![0]).toBe(1);
      expect(book.bids[0]![0] + book.asks[0]![0]).toBe(m.midHalfTicks());
      for (let j = 1; j < book.bids.length; j++) expect(book.bids[j]![0]).toBeLessThan(book.bids[j - 1]![0]);
      for (let j = 1; j < book.asks.length; j++) expect(book.asks[j]![0]).toBeGreaterThan(book.asks[j - 1]![0]);
      expect(book.bids.every(([, q]) => q > 0) && book.asks.every(([, q]) => q > 0)).toBe(true);
    }
  });

  it('fills a quoter 2 bps either side of mid with 0.005 BTC several times a minute on both sides', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const m = model(seed);
      const engine = new MatchingEngine({
        symbols: [BTC],
        makerFeeRate: '0.0002',
        takerFeeRate: '0.0005',
        startingBalance: 1_000_000_000_000n,
        marginAsset: 'USDT',
        defaultLeverage: 20,
      });
      const filled = { BUY: new Set<number>(), SELL: new Set<number>() };
      for (let step = 0, t = 0; step < 600; step++, t += 100) {
        const moved = m.step();
        for (const e of engine.applyMarket('BTCUSDT', moved.book, moved.trades, m.midHalfTicks(), t))
          if (e.kind === 'order' && e.execution === 'TRADE') filled[e.order.side].add(e.order.orderId);
        engine.cancelAll('BTCUSDT', t);
        const mid = m.midHalfTicks() / 2;
        engine.placeOrder(
          {
            symbol: 'BTCUSDT',
            side: 'BUY',
            type: 'LIMIT',
            timeInForce: 'GTX',
            priceTicks: asTicks(Math.floor(mid * (1 - 2e-4))),
            qtySteps: asSteps(5),
            reduceOnly: false,
          },
          t,
        );
        engine.placeOrder(
          {
            symbol: 'BTCUSDT',
            side: 'SELL',
            type: 'LIMIT',
            timeInForce: 'GTX',
            priceTicks: asTicks(Math.ceil(mid * (1 + 2e-4))),
            qtySteps: asSteps(5),
            reduceOnly: false,
          },
          t,
        );
      }
      expect(filled.BUY.size, `seed ${seed} buys`).toBeGreaterThanOrEqual(3);
      expect(filled.SELL.size, `seed ${seed} sells`).toBeGreaterThanOrEqual(3);
    }
  });

  it('walks the funding rate within bounds and formats it with 8 decimals', () => {
    const m = model(5);
    for (let i = 0; i < 5000; i++) m.step();
    expect(Math.abs(m.fundingRate())).toBeLessThanOrEqual(300_000);
    expect(formatFundingRate(10_000)).toBe('0.00010000');
    expect(formatFundingRate(-123)).toBe('-0.00000123');
  });
});
