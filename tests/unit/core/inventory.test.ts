import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Inventory } from '../../../src/core/inventory.ts';
import type { Side } from '../../../src/core/model.ts';
import { btc } from './fixtures.ts';
import { asSteps, asTicks } from '../../../src/core/instrument.ts';

/** Money units (1e-8) per tick x step for BTCUSDT: 0.1 x 0.001 = 1e-4. */
const MONEY_PER_TICK_STEP = 10_000n;

interface Fill {
  readonly side: Side;
  readonly priceTicks: number;
  readonly qtySteps: number;
  readonly fee: bigint;
}

const fillArb = fc.record({
  side: fc.constantFrom<Side>('BUY', 'SELL'),
  priceTicks: fc.integer({ min: 600_000, max: 700_000 }),
  qtySteps: fc.integer({ min: 1, max: 50 }),
  fee: fc.bigInt({ min: -1_000n, max: 100_000n }),
});

/** Average-cost reference in exact rationals: position, cost numerator over a common denominator. */
function referenceRealized(fills: readonly Fill[]): { realizedNum: bigint; realizedDen: bigint; closes: number; position: number } {
  let position = 0;
  // cost as a fraction costNum / costDen (tick·steps)
  let costNum = 0n;
  let costDen = 1n;
  let realizedNum = 0n;
  let realizedDen = 1n;
  let closes = 0;
  const add = (an: bigint, ad: bigint, bn: bigint, bd: bigint): [bigint, bigint] => [an * bd + bn * ad, ad * bd];
  for (const f of fills) {
    const signed = (f.side === 'BUY' ? 1 : -1) * f.qtySteps;
    let opening = signed;
    if (position !== 0 && Math.sign(signed) !== Math.sign(position)) {
      const closeAbs = Math.min(f.qtySteps, Math.abs(position));
      const closeSigned = Math.sign(signed) * closeAbs;
      // removed = cost * closeAbs / |position|
      const removedNum = costNum * BigInt(closeAbs);
      const removedDen = costDen * BigInt(Math.abs(position));
      [realizedNum, realizedDen] = add(realizedNum, realizedDen, -BigInt(closeSigned) * BigInt(f.priceTicks) * removedDen - removedNum, removedDen);
      [costNum, costDen] = add(costNum, costDen, -removedNum, removedDen);
      position += closeSigned;
      opening = signed - closeSigned;
      closes += 1;
    }
    if (opening !== 0) {
      position += opening;
      [costNum, costDen] = add(costNum, costDen, BigInt(opening) * BigInt(f.priceTicks), 1n);
    }
  }
  return { realizedNum, realizedDen, closes, position };
}

describe('Inventory', () => {
  it('realizes PnL by average cost and reports entry and unrealized PnL', () => {
    const inv = new Inventory(btc);
    inv.applyFill('BUY', asTicks(650_000), asSteps(10), 1_300_000n);
    inv.applyFill('BUY', asTicks(650_100), asSteps(10), 1_300_200n);
    const partial = inv.applyFill('SELL', asTicks(650_200), asSteps(15), 1_950_600n);
    expect(partial.realizedPnl).toBe(22_500_000n);
    expect(inv.positionSteps).toBe(5);
    expect(inv.averageEntryPrice()).toBe('65005.00000');
    expect(inv.unrealizedPnl(asTicks(650_300))).toBe(12_500_000n);
    const flip = inv.applyFill('SELL', asTicks(650_000), asSteps(10), 0n);
    expect(flip.realizedPnl).toBe(-2_500_000n);
    expect(inv.positionSteps).toBe(-5);
    expect(inv.averageEntryPrice()).toBe('65000.00000');
    expect(inv.realizedPnl).toBe(20_000_000n);
    expect(inv.fees).toBe(4_550_800n);
  });

  it('keeps cash flow = realized - cost basis exactly and matches an exact-rational reference', () => {
    fc.assert(
      fc.property(fc.array(fillArb, { minLength: 1, maxLength: 60 }), (fills) => {
        const inv = new Inventory(btc);
        let cash = 0n;
        let position = 0;
        let fees = 0n;
        for (const f of fills) {
          inv.applyFill(f.side, asTicks(f.priceTicks), asSteps(f.qtySteps), f.fee);
          const signed = (f.side === 'BUY' ? 1 : -1) * f.qtySteps;
          cash -= BigInt(signed) * BigInt(f.priceTicks);
          position += signed;
          fees += f.fee;
          // conservation: nothing is created or lost
          expect(inv.positionSteps).toBe(position);
          expect(inv.realizedTickStepsTotal - inv.costBasisTickSteps).toBe(cash);
          if (position === 0) expect(inv.costBasisTickSteps).toBe(0n);
        }
        expect(inv.fees).toBe(fees);
        const ref = referenceRealized(fills);
        expect(ref.position).toBe(position);
        // |ours - exact| <= 0.5 tick·step per closing fill (rounding of the removed cost)
        const diff2 = 2n * (inv.realizedTickStepsTotal * ref.realizedDen - ref.realizedNum);
        const bound = BigInt(ref.closes) * ref.realizedDen;
        expect(diff2 <= bound && -diff2 <= bound).toBe(true);
        if (position === 0) expect(inv.realizedPnl).toBe(cash * MONEY_PER_TICK_STEP);
      }),
      { numRuns: 300 },
    );
  });

  it('accumulates funding and counts it with fees into the cycle net of an open position', () => {
    const inv = new Inventory(btc);
    inv.applyFill('BUY', asTicks(650_000), asSteps(10), 1_000n);
    inv.addFunding(-5_000n);
    inv.addFunding(2_000n);
    expect(inv.fundingAccum).toBe(-3_000n);
    expect(inv.cycleNet).toBe(-4_000n);
    inv.applyFill('SELL', asTicks(650_010), asSteps(10), 0n);
    expect(inv.positionSteps).toBe(0);
    inv.applyFill('BUY', asTicks(650_000), asSteps(1), 7n);
    expect(inv.cycleNet).toBe(-7n);
  });

  it('adopts a venue position as the truth and rebuilds the cost basis from its entry', () => {
    const inv = new Inventory(btc);
    inv.applyFill('BUY', asTicks(650_000), asSteps(10), 0n);
    inv.adoptPosition(asSteps(-20), asTicks(651_000));
    expect(inv.positionSteps).toBe(-20);
    expect(inv.costBasisTickSteps).toBe(-13_020_000n);
    expect(inv.unrealizedPnl(asTicks(650_000))).toBe(20n * 1_000n * MONEY_PER_TICK_STEP);
  });
});
