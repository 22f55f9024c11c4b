/**
 * The book the public sees for one contract: the synthetic ladder plus the account's own
 * resting orders, with Binance's update-id bookkeeping. Every change bumps `lastUpdateId`;
 * diff-depth events batch the changes since the last event as U (first id), u (last id) and
 * pu (the previous event's u), so a REST snapshot's lastUpdateId always falls inside the chain.
 */
import { addSteps, ZERO_STEPS, type Steps, type Ticks } from '../core/instrument.ts';
import type { Levels, SyntheticBook } from './market-model.ts';

export interface DepthBatch {
  readonly firstUpdateId: number;
  readonly finalUpdateId: number;
  readonly prevFinalUpdateId: number;
  /** Changed levels; a quantity of 0 removes the level. */
  readonly bids: Levels;
  readonly asks: Levels;
}

export interface BookTopView {
  readonly updateId: number;
  readonly bid: readonly [Ticks, Steps] | null;
  readonly ask: readonly [Ticks, Steps] | null;
}

export class PublicBook {
  private bids = new Map<Ticks, Steps>();
  private asks = new Map<Ticks, Steps>();
  private lastUpdateId: number;
  private lastPublishedId: number;
  private pendingFirstId: number | null = null;
  private readonly pendingBids = new Map<Ticks, Steps>();
  private readonly pendingAsks = new Map<Ticks, Steps>();
  private topCache: BookTopView;

  constructor(startUpdateId: number) {
    this.lastUpdateId = startUpdateId;
    this.lastPublishedId = startUpdateId;
    this.topCache = { updateId: startUpdateId, bid: null, ask: null };
  }

  /** Rebuilds the public book from the synthetic ladder and our own levels; returns true when the top changed. */
  update(synthetic: SyntheticBook, own: { readonly bids: ReadonlyMap<Ticks, Steps>; readonly asks: ReadonlyMap<Ticks, Steps> }): boolean {
    const bids = combine(synthetic.bids, own.bids);
    const asks = combine(synthetic.asks, own.asks);
    const changedBids = diff(this.bids, bids, this.pendingBids);
    const changedAsks = diff(this.asks, asks, this.pendingAsks);
    this.bids = bids;
    this.asks = asks;
    if (!changedBids && !changedAsks) return false;
    this.lastUpdateId += 1;
    this.pendingFirstId ??= this.lastUpdateId;
    const previous = this.topCache;
    this.topCache = { updateId: this.lastUpdateId, bid: best(bids, 'bid'), ask: best(asks, 'ask') };
    return !sameLevel(previous.bid, this.topCache.bid) || !sameLevel(previous.ask, this.topCache.ask);
  }

  /** Returns the best bid and ask with the update id they carry. */
  top(): BookTopView {
    return this.topCache;
  }

  /** Returns the top `limit` levels per side and the last update id (a REST depth snapshot). */
  snapshot(limit: number): { readonly lastUpdateId: number; readonly bids: Levels; readonly asks: Levels } {
    const bids = [...this.bids].sort((a, b) => b[0] - a[0]).slice(0, limit);
    const asks = [...this.asks].sort((a, b) => a[0] - b[0]).slice(0, limit);
    return { lastUpdateId: this.lastUpdateId, bids, asks };
  }

  /** Returns the changes since the previous batch (null when nothing changed) and starts a new batch. */
  flush(): DepthBatch | null {
    if (this.pendingFirstId === null) return null;
    const batch: DepthBatch = {
      firstUpdateId: this.pendingFirstId,
      finalUpdateId: this.lastUpdateId,
      prevFinalUpdateId: this.lastPublishedId,
      bids: [...this.pendingBids].sort((a, b) => b[0] - a[0]),
      asks: [...this.pendingAsks].sort((a, b) => a[0] - b[0]),
    };
    this.lastPublishedId = this.lastUpdateId;
    this.pendingFirstId = null;
    this.pendingBids.clear();
    this.pendingAsks.clear();
    return batch;
  }
}

function combine(synthetic: Levels, own: ReadonlyMap<Ticks, Steps>): Map<Ticks, Steps> {
  const levels = new Map<Ticks, Steps>();
  for (const [price, qty] of synthetic) if (qty > 0) levels.set(price, qty);
  for (const [price, qty] of own) if (qty > 0) levels.set(price, addSteps(levels.get(price) ?? ZERO_STEPS, qty));
  return levels;
}

/** Records every level that differs into `pending`; returns true when any did. */
function diff(before: ReadonlyMap<Ticks, Steps>, after: ReadonlyMap<Ticks, Steps>, pending: Map<Ticks, Steps>): boolean {
  let changed = false;
  for (const [price, qty] of after) {
    if (before.get(price) !== qty) {
      pending.set(price, qty);
      changed = true;
    }
  }
  for (const price of before.keys()) {
    if (!after.has(price)) {
      pending.set(price, ZERO_STEPS);
      changed = true;
    }
  }
  return changed;
}

function best(levels: ReadonlyMap<Ticks, Steps>, side: 'bid' | 'ask'): readonly [Ticks, Steps] | null {
  let bestPrice: Ticks | null = null;
  for (const price of levels.keys()) {
    if (bestPrice === null || (side === 'bid' ? price > bestPrice : price < bestPrice)) bestPrice = price;
  }
  return bestPrice === null ? null : [bestPrice, levels.get(bestPrice) ?? ZERO_STEPS];
}

function sameLevel(a: readonly [Ticks, Steps] | null, b: readonly [Ticks, Steps] | null): boolean {
  return a === b || (a !== null && b !== null && a[0] === b[0] && a[1] === b[1]);
}
