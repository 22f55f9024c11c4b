import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { breakEvenTicks, grindClip } from '../../../src/core/grinding.ts';
import { acceptAll, btc, places, readyMaker, snapshotOf, T0, tradeUpdate, written } from './fixtures.ts';
import { asSteps, asTicks, maxTicks, minTicks, offsetTicks } from '../../../src/core/instrument.ts';

const K = btc.tickStepsToMoney(1n);

describe('grindClip', () => {
  it('is always reducing, at most the position, beyond break-even by the minimum profit, and never better than the normal quote', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -500, max: 500 }).filter((p) => p !== 0),
        fc.integer({ min: 500_000, max: 800_000 }),
        fc.bigInt({ min: -5_000_000n, max: 5_000_000n }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: -2_000, max: 2_000 }),
        fc.option(fc.integer({ min: -3_000, max: 3_000 }), { nil: null }),
        (position, entry, cycleNet, bps, clip, bookOffset, quoteOffset) => {
          const cost = BigInt(position) * BigInt(entry);
          const bid = asTicks(entry + bookOffset);
          const ask = offsetTicks(bid, 1);
          const normal =
            quoteOffset === null ? null : position > 0 ? maxTicks(ask, offsetTicks(ask, quoteOffset)) : minTicks(bid, offsetTicks(bid, quoteOffset));
          const result = grindClip(btc, {
            positionSteps: asSteps(position),
            costBasisTickSteps: cost,
            cycleNet,
            minProfitBps: bps,
            clipSteps: asSteps(clip),
            normalQuoteTicks: normal,
            bestBidTicks: bid,
            bestAskTicks: ask,
          });
          if (result === null) return;
          const abs = BigInt(Math.abs(position));
          const absCost = cost < 0n ? -cost : cost;
          const bps100 = BigInt(Math.ceil(bps * 100));
          expect(result.qtySteps).toBe(Math.min(clip, Math.abs(position)));
          if (position > 0) {
            expect(result.side).toBe('SELL');
            // closing the whole position at this price nets at least the minimum profit over break-even
            expect(BigInt(result.priceTicks) * abs * K * 1_000_000n >= (absCost * K - cycleNet) * (1_000_000n + bps100)).toBe(true);
            expect(result.priceTicks).toBeGreaterThanOrEqual(normal ?? 0);
            expect(result.priceTicks).toBeGreaterThan(bid);
          } else {
            expect(result.side).toBe('BUY');
            expect(BigInt(result.priceTicks) * abs * K * 1_000_000n <= (absCost * K + cycleNet) * (1_000_000n - bps100)).toBe(true);
            expect(result.priceTicks).toBeLessThanOrEqual(normal ?? Infinity);
            expect(result.priceTicks).toBeLessThan(ask);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('returns the break-even lowered by cycle profit for a long', () => {
    const be = breakEvenTicks(btc, asSteps(10), 6_500_000n, 100n * K);
    expect(be).not.toBeNull();
    expect(btc.formatFractionalPrice(be?.num ?? 0n, be?.den ?? 1n)).toBe('64999.00000');
  });
});

describe('MarketMaker grinding', () => {
  it('keeps one reduce-only clip beyond break-even, and each filled clip lowers the next price', () => {
    const mm = readyMaker({ levels: 1, inventorySkewBps: 0, grindEnabled: true, grindClipQty: '0.002', grindMinProfitBps: 20 });
    const d = mm.decide(T0);
    acceptAll(mm, d.commands, T0);
    const bid = places(d.commands).find((p) => p.side === 'BUY');
    if (!bid) throw new Error('no bid');
    mm.onOrderUpdate(tradeUpdate(bid, { side: 'BUY', priceTicks: 649_675, qtySteps: 10, cumSteps: 10, status: 'FILLED', tradeId: 1 }), T0 + 1);

    const first = mm.decide(T0 + 1);
    const grind = first.commands.filter((c) => c.kind === 'place' && c.purpose === 'grind');
    expect(grind).toHaveLength(1);
    const clip = places(grind)[0];
    if (!clip) throw new Error('no clip');
    // break-even 64967.5 x 1.002 = 65097.435 -> 65097.5 (above the normal ask 65032.6)
    expect(clip).toMatchObject({ side: 'SELL', reduceOnly: true, qtySteps: 2, priceTicks: 650_975, timeInForce: 'GTX' });
    expect(written(first.events.find((e) => e.event === 'grinding')?.fields ?? {})).toMatchObject({
      side: 'SELL',
      qty: '0.002',
      price: '65097.5',
      client_id: clip.clientOrderId,
    });
    expect(mm.view(T0 + 1).grindingCount).toBe(1);
    mm.onPlaceOutcome(clip, { kind: 'accepted', value: snapshotOf(clip) }, T0 + 1);
    expect(mm.decide(T0 + 2).commands.filter((c) => c.kind === 'place' && c.purpose === 'grind')).toEqual([]);

    mm.onOrderUpdate(tradeUpdate(clip, { side: 'SELL', priceTicks: 650_975, qtySteps: 2, cumSteps: 2, status: 'FILLED', tradeId: 2 }), T0 + 3);
    const next = places(mm.decide(T0 + 3).commands.filter((c) => c.kind === 'place' && c.purpose === 'grind'));
    expect(next).toHaveLength(1);
    // remaining 0.008: break-even 64967.5 - 0.26/0.008 = 64935.0; x 1.002 = 65064.87 -> 65064.9
    expect(next[0]).toMatchObject({ side: 'SELL', reduceOnly: true, qtySteps: 2, priceTicks: 650_649 });
    expect(mm.view(T0 + 3).positionSteps).toBe(8);
  });
});
