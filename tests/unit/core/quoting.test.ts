import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fundingSkewBps, inventorySkewBps, quoteLadder, sizeForMinNotional } from '../../../src/core/quoting.ts';
import { asSteps, asTicks, Instrument } from '../../../src/core/instrument.ts';
import { btc } from './fixtures.ts';

const geometryArb = fc.record({
  halfSpreadBps: fc.double({ min: 0.01, max: 100, noNaN: true }),
  levels: fc.integer({ min: 1, max: 5 }),
  levelSpacingBps: fc.double({ min: 0, max: 50, noNaN: true }),
});

const bookArb = fc.tuple(fc.integer({ min: 10, max: 2_000_000 }), fc.integer({ min: 1, max: 500 })).map(([bid, spread]) => ({ bid, ask: bid + spread }));

describe('quoteLadder', () => {
  it('puts every price on the grid, never crosses the book, keeps bid < ask and levels apart', () => {
    fc.assert(
      fc.property(bookArb, geometryArb, fc.double({ min: -300, max: 300, noNaN: true }), ({ bid, ask }, geometry, skew) => {
        const ladder = quoteLadder(btc, asTicks(bid), asTicks(ask), geometry, skew);
        for (const p of [...ladder.bids, ...ladder.asks]) {
          expect(Number.isInteger(p)).toBe(true);
          expect(p).toBeGreaterThanOrEqual(btc.minPriceTicks);
          expect(p).toBeLessThanOrEqual(btc.maxPriceTicks);
        }
        for (const b of ladder.bids) expect(b).toBeLessThanOrEqual(ask - 1);
        for (const a of ladder.asks) expect(a).toBeGreaterThanOrEqual(bid + 1);
        ladder.bids.forEach((b, i) => i > 0 && expect(b).toBeLessThan(ladder.bids[i - 1] ?? Infinity));
        ladder.asks.forEach((a, i) => i > 0 && expect(a).toBeGreaterThan(ladder.asks[i - 1] ?? -Infinity));
        const topBid = ladder.bids[0];
        const topAsk = ladder.asks[0];
        if (topBid !== undefined && topAsk !== undefined) expect(topBid).toBeLessThan(topAsk);
        expect(ladder.asks.length).toBe(geometry.levels);
      }),
      { numRuns: 500 },
    );
  });

  it('rounds away from mid without skew: bids at or below mid, asks at or above', () => {
    fc.assert(
      fc.property(bookArb, geometryArb, ({ bid, ask }, geometry) => {
        const ladder = quoteLadder(btc, asTicks(bid), asTicks(ask), geometry, 0);
        const mid = (bid + ask) / 2;
        for (const b of ladder.bids) expect(b).toBeLessThan(mid);
        for (const a of ladder.asks) expect(a).toBeGreaterThan(mid);
      }),
    );
  });

  it('shifts both sides down when the skew is negative (long) and up when positive (short)', () => {
    fc.assert(
      fc.property(bookArb, geometryArb, fc.double({ min: 0, max: 200, noNaN: true }), ({ bid, ask }, geometry, magnitude) => {
        const flat = quoteLadder(btc, asTicks(bid), asTicks(ask), geometry, 0);
        const long = quoteLadder(btc, asTicks(bid), asTicks(ask), geometry, -magnitude);
        const short = quoteLadder(btc, asTicks(bid), asTicks(ask), geometry, magnitude);
        expect(long.bids[0] ?? 0).toBeLessThanOrEqual(flat.bids[0] ?? 0);
        expect(long.asks[0] ?? 0).toBeLessThanOrEqual(flat.asks[0] ?? 0);
        expect(short.bids[0] ?? 0).toBeGreaterThanOrEqual(flat.bids[0] ?? 0);
        expect(short.asks[0] ?? 0).toBeGreaterThanOrEqual(flat.asks[0] ?? 0);
      }),
    );
  });

  it('places the example ladder at 5 bps around 65000.05', () => {
    const ladder = quoteLadder(btc, asTicks(650_000), asTicks(650_001), { halfSpreadBps: 5, levels: 2, levelSpacingBps: 5 }, 0);
    expect(ladder.bids.map((t) => btc.formatPrice(t))).toEqual(['64967.5', '64935.0']);
    expect(ladder.asks.map((t) => btc.formatPrice(t))).toEqual(['65032.6', '65065.1']);
  });
});

describe('skews', () => {
  it('inventory skew is linear, full at the soft limit, and points toward flat', () => {
    expect(inventorySkewBps(500_000_000_000n, 500_000_000_000n, 10)).toBe(-10);
    expect(inventorySkewBps(-250_000_000_000n, 500_000_000_000n, 10)).toBe(5);
    expect(inventorySkewBps(0n, 500_000_000_000n, 10)).toBe(0);
  });

  it('positive predicted funding shifts quotes down', () => {
    expect(fundingSkewBps('0.00010000', 2)).toBeCloseTo(-2, 10);
    expect(fundingSkewBps('-0.0005', 1)).toBeCloseTo(5, 10);
    expect(fundingSkewBps(null, 1)).toBe(0);
  });
});

describe('sizeForMinNotional', () => {
  it('raises the quantity to the smallest on-grid size meeting MIN_NOTIONAL', () => {
    expect(sizeForMinNotional(btc, asTicks(650_000), asSteps(1))).toBe(2); // 0.002 x 65000 = 130 >= 100
    expect(sizeForMinNotional(btc, asTicks(500_000), asSteps(1))).toBe(2); // 0.002 x 50000 = 100
    expect(sizeForMinNotional(btc, asTicks(499_999), asSteps(2))).toBe(3);
    expect(sizeForMinNotional(btc, asTicks(650_000), asSteps(10))).toBe(10);
    expect(sizeForMinNotional(btc, asTicks(1), asSteps(1))).toBe(1_000_000); // 1000 x 0.1 = 100: exactly maxQty
    const small = new Instrument({ ...btc.spec, maxQty: '999.999' });
    expect(sizeForMinNotional(small, asTicks(1), asSteps(1))).toBeNull();
  });
});
