/**
 * Reconciling our orders with the venue's open orders after a start or a reconnect: orders we
 * track take the venue's status, open orders with our prefix that we do not track are adopted and
 * cancelled (a previous run's, or ours written off too early), and tracked open orders the venue
 * no longer lists are gone.
 */
import { isOurClientOrderId } from './client-order-ids.ts';
import type { EventDraft } from './events.ts';
import { orderSettledEvent } from './market-maker-events.ts';
import type { CancelOrder, OrderSnapshot } from './model.ts';
import type { OrderTracker } from './order-tracker.ts';

export interface OrderReconciliation {
  readonly events: EventDraft[];
  /** Our untracked orders to cancel (already marked cancel-sent). */
  readonly cancel: CancelOrder[];
  /** Client ids the venue lists as open for the symbol. */
  readonly listed: ReadonlySet<string>;
  /** How many listed orders we already tracked. */
  readonly adopted: number;
}

/** Reconciles the tracker with the venue's open orders of `symbol`. */
export function reconcileOrders(
  tracker: OrderTracker,
  prefix: string,
  symbol: string,
  openOrders: readonly OrderSnapshot[],
  nowMs: number,
): OrderReconciliation {
  const events: EventDraft[] = [];
  const cancel: CancelOrder[] = [];
  const listed = new Set<string>();
  let adopted = 0;
  for (const o of openOrders) {
    if (o.symbol !== symbol) continue;
    listed.add(o.clientOrderId);
    const tracked = tracker.get(o.clientOrderId);
    if (tracked !== undefined && tracked.state !== 'final') {
      adopted += 1;
      if (tracker.syncFromSnapshot(o)) events.push(orderSettledEvent(symbol, o.clientOrderId, o.status, 'reconcile'));
    } else if (isOurClientOrderId(prefix, o.clientOrderId)) {
      tracker.adopt(o, nowMs);
      tracker.markCancelSent(o.clientOrderId);
      cancel.push({ symbol, clientOrderId: o.clientOrderId });
    }
  }
  for (const o of tracker.active()) {
    if (o.state !== 'open' || listed.has(o.clientOrderId)) continue;
    tracker.markGone(o.clientOrderId);
    events.push(orderSettledEvent(symbol, o.clientOrderId, 'GONE', 'reconcile'));
  }
  return { events, cancel, listed, adopted };
}
