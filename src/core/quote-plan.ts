/**
 * The quote plan: which orders the market maker wants (targets by slot) and what to send to get
 * there from the orders it has (cancels, then places). Pure functions over a snapshot of the
 * state; the market maker applies the plan to its order tracker.
 */
import { headroomSteps, type Exposure } from './exposure.ts';
import type { GridParams } from './grid-params.ts';
import { grindClip } from './grinding.ts';
import { absSteps, addSteps, asSteps, minSteps, ZERO_STEPS, type Instrument, type Steps, type Ticks } from './instrument.ts';
import type { BookTop, Side } from './model.ts';
import type { Money } from './money.ts';
import type { OrderPurpose, TrackedOrderView } from './order-tracker.ts';
import { meetsMinimums, sizeForMinNotional, type Ladder } from './quoting.ts';
import type { RiskState } from './risk.ts';
import type { SuppressionReason } from './suppression.ts';

/** One wanted order: a slot (quote level, force, grind) holds at most one live order. */
export interface OrderTarget {
  readonly slot: string;
  readonly side: Side;
  readonly priceTicks: Ticks;
  readonly qtySteps: Steps;
  readonly reduceOnly: boolean;
  readonly purpose: OrderPurpose;
}

/** A wanted order that was not placed, and why. */
export interface SkippedOrder {
  readonly slot: string;
  readonly side: Side;
  readonly reason: 'worst_case_limit' | 'above_max_qty';
}

/** Returns the slot name of a quote level. */
export function quoteSlot(side: Side, level: number): string {
  return `quote:${side}:${level}`;
}

/** What the targets depend on. */
export interface TargetInput {
  readonly instrument: Instrument;
  readonly params: GridParams;
  /** The quote ladder (null without a usable book). */
  readonly ladder: Ladder | null;
  /** The book when it is usable (fresh, not crossed). */
  readonly book: BookTop | null;
  readonly quotesAllowed: boolean;
  readonly placesAllowed: boolean;
  readonly riskState: RiskState;
  readonly positionSteps: Steps;
  readonly costBasisTickSteps: bigint;
  readonly cycleNet: Money;
}

/**
 * Returns the wanted orders by slot, in placing order: bids, asks, the reduce-only force order
 * (hard reduce), the grinding clip. In soft reduce only the reducing side quotes, at a smaller size.
 */
export function planTargets(input: TargetInput, skipped: SkippedOrder[]): Map<string, OrderTarget> {
  const { instrument, params, ladder, book, riskState: state, positionSteps: position } = input;
  const targets = new Map<string, OrderTarget>();
  if (ladder !== null && input.quotesAllowed && state < 2) {
    const reducing: Side | null = position > 0 ? 'SELL' : position < 0 ? 'BUY' : null;
    const sides: Side[] = state === 0 ? ['BUY', 'SELL'] : reducing === null ? [] : [reducing];
    const baseQty = state === 0 ? params.orderQtySteps : asSteps(Math.max(1, Math.floor(params.orderQtySteps * params.softReduceSizeFactor)));
    for (const side of sides) {
      const prices = side === 'BUY' ? ladder.bids : ladder.asks;
      prices.forEach((priceTicks, level) => {
        const slot = quoteSlot(side, level);
        const qtySteps = sizeForMinNotional(instrument, priceTicks, baseQty);
        if (qtySteps === null) skipped.push({ slot, side, reason: 'above_max_qty' });
        else targets.set(slot, { slot, side, priceTicks, qtySteps, reduceOnly: false, purpose: 'quote' });
      });
    }
  }
  if (book !== null && input.placesAllowed && state === 2 && position !== 0) {
    const side: Side = position > 0 ? 'SELL' : 'BUY';
    const priceTicks = side === 'SELL' ? book.askTicks : book.bidTicks;
    const qtySteps = minSteps(params.reduceOnlyClipSteps, absSteps(position));
    targets.set('force', { slot: 'force', side, priceTicks, qtySteps, reduceOnly: true, purpose: 'reduce_only_force' });
  }
  if (book !== null && input.placesAllowed && params.grindEnabled && state < 2 && position !== 0) {
    const clip = grindClip(instrument, {
      positionSteps: position,
      costBasisTickSteps: input.costBasisTickSteps,
      cycleNet: input.cycleNet,
      minProfitBps: params.grindMinProfitBps,
      clipSteps: params.grindClipSteps,
      normalQuoteTicks: ladder === null ? null : ((position > 0 ? ladder.asks[0] : ladder.bids[0]) ?? null),
      bestBidTicks: book.bidTicks,
      bestAskTicks: book.askTicks,
    });
    if (clip !== null)
      targets.set('grind', { slot: 'grind', side: clip.side, priceTicks: clip.priceTicks, qtySteps: clip.qtySteps, reduceOnly: true, purpose: 'grind' });
  }
  return targets;
}

/** What the commands depend on, besides the targets. */
export interface CommandInput {
  readonly instrument: Instrument;
  readonly params: GridParams;
  /** Every order that may rest at the venue (open, in flight, ambiguous). */
  readonly active: readonly TrackedOrderView[];
  /** Returns the live order holding a slot, if any (in flight and ambiguous orders hold theirs). */
  readonly inSlot: (slot: string) => TrackedOrderView | undefined;
  /** Returns true while a slot backs off after a rejection. */
  readonly slotBlocked: (slot: string) => boolean;
  readonly placesAllowed: boolean;
  readonly reported: SuppressionReason | null;
  readonly riskState: RiskState;
  readonly referenceTicks: Ticks | null;
  readonly exposure: Exposure;
}

/** The commands of one decision: the orders to cancel (and why), then the orders to place. */
export interface CommandPlan {
  readonly cancels: ReadonlyArray<{ readonly clientOrderId: string; readonly reason: string }>;
  readonly places: ReadonlyArray<{ readonly target: OrderTarget; readonly qtySteps: Steps }>;
}

/**
 * Returns cancels then places. An order in flight, ambiguous or with a cancel pending blocks its
 * slot. Quote places keep the side's worst case within its limit (cut, or skipped when the cut
 * breaks the exchange minimums); reduce-only orders are never cut.
 */
export function planCommands(targets: ReadonlyMap<string, OrderTarget>, input: CommandInput, skipped: SkippedOrder[]): CommandPlan {
  const { instrument, params, referenceTicks, exposure } = input;
  const limit = params.maxWorstCaseNotional;
  const headroom = (worstSteps: Steps): Steps => (referenceTicks === null ? ZERO_STEPS : headroomSteps(instrument, referenceTicks, worstSteps, limit));
  const cancels: Array<{ clientOrderId: string; reason: string }> = [];
  for (const order of input.active) {
    if (order.state !== 'open' || order.cancelPending) continue;
    // Risk-reducing orders keep resting while we cannot act on them.
    if (!input.placesAllowed && order.purpose !== 'quote') continue;
    const target = order.slot === null ? undefined : targets.get(order.slot);
    let reason: string | null = null;
    if (order.slot === null) reason = 'orphan';
    else if (target === undefined) reason = input.reported ?? (input.riskState > 0 ? `risk_state_${input.riskState}` : 'not_needed');
    else if (!keeps(order, target, params.requoteToleranceTicks, headroom(order.side === 'BUY' ? exposure.worstLongSteps : exposure.worstShortSteps)))
      reason = 'requote';
    if (reason !== null) cancels.push({ clientOrderId: order.clientOrderId, reason });
  }
  const places: Array<{ target: OrderTarget; qtySteps: Steps }> = [];
  if (!input.placesAllowed) return { cancels, places };
  let worstLong = exposure.worstLongSteps;
  let worstShort = exposure.worstShortSteps;
  for (const target of targets.values()) {
    if (input.inSlot(target.slot) !== undefined || input.slotBlocked(target.slot)) continue;
    let qtySteps = target.qtySteps;
    if (!target.reduceOnly) {
      const room = headroom(target.side === 'BUY' ? worstLong : worstShort);
      if (qtySteps > room) {
        qtySteps = room;
        if (!meetsMinimums(instrument, target.priceTicks, qtySteps)) {
          skipped.push({ slot: target.slot, side: target.side, reason: 'worst_case_limit' });
          continue;
        }
      }
    }
    if (target.side === 'BUY') worstLong = addSteps(worstLong, qtySteps);
    else worstShort = addSteps(worstShort, qtySteps);
    places.push({ target, qtySteps });
  }
  return { cancels, places };
}

/**
 * Returns true when a resting order still serves its slot: same side, price within the requote
 * tolerance, and (for quotes) the target size, or a smaller size that the worst-case limit would
 * not let grow anyway.
 */
function keeps(order: TrackedOrderView, target: OrderTarget, toleranceTicks: number, headroom: Steps): boolean {
  if (order.side !== target.side || order.reduceOnly !== target.reduceOnly) return false;
  if (Math.abs(order.priceTicks - target.priceTicks) > toleranceTicks) return false;
  if (order.reduceOnly) return true;
  if (order.qtySteps === target.qtySteps) return true;
  return order.qtySteps < target.qtySteps && headroom < target.qtySteps - order.qtySteps;
}
