/**
 * Quote geometry: the price ladder around mid, its skews, and sizing against MIN_NOTIONAL.
 * Pure functions of ticks and steps.
 */
import { rateToBps } from './grid-params.ts';
import { addSteps, asSteps, asTicks, maxSteps, ONE_STEP, subSteps, type Instrument, type Steps, type Ticks } from './instrument.ts';
import type { Money } from './money.ts';

export interface LadderGeometry {
  readonly halfSpreadBps: number;
  readonly levels: number;
  readonly levelSpacingBps: number;
}

/** Bid prices (best first, strictly falling) and ask prices (best first, strictly rising). */
export interface Ladder {
  readonly bids: readonly Ticks[];
  readonly asks: readonly Ticks[];
}

/**
 * Returns the inventory skew in bps: linear in position/soft-limit notional, `skewAtSoftBps` at
 * the soft limit, negative (quotes shift down) when long so that selling gets likelier.
 */
export function inventorySkewBps(positionNotional: Money, softLimit: Money, skewAtSoftBps: number): number {
  if (softLimit <= 0n || positionNotional === 0n) return 0;
  return -skewAtSoftBps * (Number(positionNotional) / Number(softLimit));
}

/**
 * Returns the funding skew in bps: `factor` bps per bps of predicted funding, negative when the
 * rate is positive (longs pay shorts, so we lean short to receive funding).
 */
export function fundingSkewBps(predictedRate: string | null, factor: number): number {
  if (predictedRate === null || factor === 0) return 0;
  return -factor * rateToBps(predictedRate);
}

/**
 * Returns the quote ladder around the book's mid shifted by `skewBps`: bids rounded down and
 * asks up (away from mid), clamped so a post-only order never crosses the book (bid <= best
 * ask - 1 tick, ask >= best bid + 1 tick), levels at least one tick apart, and levels outside
 * the instrument's price filter dropped. Throws if the book is crossed (callers check first).
 */
export function quoteLadder(instrument: Instrument, bestBid: Ticks, bestAsk: Ticks, geometry: LadderGeometry, skewBps: number): Ladder {
  if (bestBid >= bestAsk) throw new RangeError(`cannot quote a crossed book ${bestBid}/${bestAsk}`);
  const mid = (bestBid + bestAsk) / 2;
  const minPrice = Math.max(1, instrument.minPriceTicks);
  const maxPrice = instrument.maxPriceTicks > 0 ? instrument.maxPriceTicks : Number.MAX_SAFE_INTEGER;
  const bids: Ticks[] = [];
  const asks: Ticks[] = [];
  let previousBid = bestAsk;
  let previousAsk = bestBid;
  for (let level = 0; level < geometry.levels; level += 1) {
    const offset = geometry.halfSpreadBps + level * geometry.levelSpacingBps;
    const bid = asTicks(Math.min(Math.floor(mid * (1 + (skewBps - offset) / 10_000)), previousBid - 1, maxPrice));
    if (bid >= minPrice) {
      bids.push(bid);
      previousBid = bid;
    }
    const ask = asTicks(Math.max(Math.ceil(mid * (1 + (skewBps + offset) / 10_000)), previousAsk + 1, minPrice));
    if (ask <= maxPrice) {
      asks.push(ask);
      previousAsk = ask;
    }
  }
  const topBid = bids[0];
  const topAsk = asks[0];
  if (topBid !== undefined && topAsk !== undefined && topBid >= topAsk) throw new Error(`quote ladder crossed itself: ${topBid} >= ${topAsk}`);
  return { bids, asks };
}

/**
 * Returns `qtySteps` raised to the smallest quantity whose notional at `priceTicks` meets
 * MIN_NOTIONAL and minQty, or null when that exceeds maxQty.
 */
export function sizeForMinNotional(instrument: Instrument, priceTicks: Ticks, qtySteps: Steps): Steps | null {
  let qty = maxSteps(qtySteps, instrument.minQtySteps);
  if (instrument.notional(priceTicks, qty) < instrument.minNotional) {
    const perStep = instrument.notional(priceTicks, ONE_STEP);
    if (perStep <= 0n) return null;
    qty = maxSteps(qty, asSteps(Number((instrument.minNotional + perStep - 1n) / perStep)));
    while (instrument.notional(priceTicks, qty) < instrument.minNotional) qty = addSteps(qty, ONE_STEP);
    while (qty > maxSteps(qtySteps, instrument.minQtySteps) && instrument.notional(priceTicks, subSteps(qty, ONE_STEP)) >= instrument.minNotional)
      qty = subSteps(qty, ONE_STEP);
  }
  return qty <= instrument.maxQtySteps ? qty : null;
}

/** Returns true when the quantity satisfies minQty and MIN_NOTIONAL at the price. */
export function meetsMinimums(instrument: Instrument, priceTicks: Ticks, qtySteps: Steps): boolean {
  return qtySteps >= Math.max(1, instrument.minQtySteps) && instrument.notional(priceTicks, qtySteps) >= instrument.minNotional;
}
