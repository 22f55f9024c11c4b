/**
 * Our orders by client id, through four states: in flight (sent, no answer), open (resting),
 * ambiguous (the answer is unknown: it may or may not rest) and final. Updates are idempotent
 * (a status never moves backwards, a trade id is applied once) so duplicated or reordered
 * user-stream messages change nothing. One state machine, a little over 400 lines: its
 * transitions are checked against each other and read best together.
 */
import { addSteps, maxSteps, minSteps, subSteps, ZERO_STEPS, ZERO_TICKS, type Steps, type Ticks } from './instrument.ts';
import { isFinalStatus, type CommandOutcome, type OrderSnapshot, type OrderStatus, type OrderUpdate, type PlaceOrder, type Side } from './model.ts';

export type OrderPurpose = 'quote' | 'reduce_only_force' | 'grind';
export type OrderState = 'in_flight' | 'open' | 'ambiguous' | 'final';

/** A read-only view of one tracked order. */
export interface TrackedOrderView {
  readonly clientOrderId: string;
  readonly side: Side;
  readonly priceTicks: Ticks;
  readonly qtySteps: Steps;
  readonly reduceOnly: boolean;
  readonly purpose: OrderPurpose;
  /** The quoting slot the order fills (e.g. "quote:BUY:0", "force", "grind"); null when adopted. */
  readonly slot: string | null;
  readonly state: OrderState;
  readonly status: OrderStatus | null;
  readonly orderId: string | null;
  readonly filledSteps: Steps;
  readonly cancelPending: boolean;
  readonly sentMs: number;
  readonly ambiguousSinceMs: number | null;
}

type TrackedOrder = { -readonly [K in keyof TrackedOrderView]: TrackedOrderView[K] } & {
  /** Sum of the quantities of this order's trades applied so far (each trade id once). */
  tradedSteps: Steps;
};

/** What an order update did. */
export interface UpdateEffect {
  /** False when the update was a duplicate or stale and changed nothing. */
  readonly changed: boolean;
  /** True when the update carried a trade id never seen before. */
  readonly newTrade: boolean;
  /** The tracked order it concerns, when tracked. */
  readonly order: TrackedOrderView | null;
  /** Set when the update settled an ambiguous order. */
  readonly settledFromAmbiguous: boolean;
}

/** What an order-command outcome did. */
export type OutcomeEffect =
  | { readonly kind: 'placed'; readonly order: TrackedOrderView; readonly orderId: string }
  | { readonly kind: 'rejected'; readonly order: TrackedOrderView; readonly code: number | null; readonly reason: string; readonly source: 'venue' | 'local' }
  | { readonly kind: 'ambiguous'; readonly order: TrackedOrderView; readonly reason: string }
  | { readonly kind: 'settled'; readonly order: TrackedOrderView; readonly status: string }
  | { readonly kind: 'none' };

/** Binance "unknown order" codes: the order is already gone or never existed. */
const UNKNOWN_ORDER_CODES = new Set([-2011, -2013]);
const MAX_FINAL_ORDERS = 10_000;
const MAX_TRADE_IDS = 100_000;

function statusRank(status: OrderStatus): number {
  switch (status) {
    case 'NEW':
      return 0;
    case 'PARTIALLY_FILLED':
      return 1;
    case 'FILLED':
    case 'CANCELED':
    case 'REJECTED':
    case 'EXPIRED':
    case 'EXPIRED_IN_MATCH':
      return 2;
  }
}

export class OrderTracker {
  /** Every order still remembered: the live ones and the latest MAX_FINAL_ORDERS final ones. */
  private readonly orders = new Map<string, TrackedOrder>();
  /** The non-final orders: what every per-decision scan reads, so a decision never walks the final history. */
  private readonly live = new Map<string, TrackedOrder>();
  /** Final client ids, oldest first (a Set keeps insertion order and deletes in O(1)). */
  private readonly finalIds = new Set<string>();
  /** Trade ids applied, oldest first. */
  private readonly tradeIds = new Set<number>();

  /** Returns the tracked order, or undefined. */
  get(clientOrderId: string): TrackedOrderView | undefined {
    return this.orders.get(clientOrderId);
  }

  /** Returns true when the client id was ever registered (it must never be sent again). */
  knows(clientOrderId: string): boolean {
    return this.orders.has(clientOrderId);
  }

  /** Returns every order that may rest at the venue (in flight, open or ambiguous). */
  active(): TrackedOrderView[] {
    return [...this.live.values()];
  }

  /** Returns the non-final order holding `slot`, if any. */
  inSlot(slot: string): TrackedOrderView | undefined {
    for (const o of this.live.values()) if (o.slot === slot) return o;
    return undefined;
  }

  /** Returns the remaining quantity of every non-final order on `side`. */
  pendingSteps(side: Side): Steps {
    let total = ZERO_STEPS;
    for (const o of this.live.values()) if (o.side === side) total = addSteps(total, maxSteps(ZERO_STEPS, subSteps(o.qtySteps, o.filledSteps)));
    return total;
  }

  /** Returns the number of orders in `state`. */
  count(state: OrderState): number {
    if (state === 'final') return this.orders.size - this.live.size;
    let n = 0;
    for (const o of this.live.values()) if (o.state === state) n += 1;
    return n;
  }

  /** Records an order about to be sent; throws when its client id was already used. */
  registerPlace(order: PlaceOrder, purpose: OrderPurpose, slot: string | null, nowMs: number): TrackedOrderView {
    if (this.orders.has(order.clientOrderId)) throw new Error(`client order id ${order.clientOrderId} was already used`);
    const tracked: TrackedOrder = {
      clientOrderId: order.clientOrderId,
      side: order.side,
      priceTicks: order.priceTicks ?? ZERO_TICKS,
      qtySteps: order.qtySteps,
      reduceOnly: order.reduceOnly,
      purpose,
      slot,
      state: 'in_flight',
      status: null,
      orderId: null,
      filledSteps: ZERO_STEPS,
      tradedSteps: ZERO_STEPS,
      cancelPending: false,
      sentMs: nowMs,
      ambiguousSinceMs: null,
    };
    this.orders.set(order.clientOrderId, tracked);
    this.live.set(order.clientOrderId, tracked);
    return tracked;
  }

  /** Tracks an order found at the venue that we did not send in this session. */
  adopt(snapshot: OrderSnapshot, nowMs: number): TrackedOrderView {
    const existing = this.orders.get(snapshot.clientOrderId);
    if (existing) return existing;
    const tracked: TrackedOrder = {
      clientOrderId: snapshot.clientOrderId,
      side: snapshot.side,
      priceTicks: snapshot.priceTicks,
      qtySteps: snapshot.qtySteps,
      reduceOnly: snapshot.reduceOnly,
      purpose: 'quote',
      slot: null,
      state: isFinalStatus(snapshot.status) ? 'final' : 'open',
      status: snapshot.status,
      orderId: snapshot.orderId,
      filledSteps: snapshot.executedSteps,
      tradedSteps: ZERO_STEPS,
      cancelPending: false,
      sentMs: nowMs,
      ambiguousSinceMs: null,
    };
    this.orders.set(snapshot.clientOrderId, tracked);
    if (tracked.state === 'final') this.rememberFinal(tracked.clientOrderId);
    else this.live.set(snapshot.clientOrderId, tracked);
    return tracked;
  }

  /** Marks a cancel as sent for an open order. */
  markCancelSent(clientOrderId: string): void {
    const o = this.orders.get(clientOrderId);
    if (o && o.state !== 'final') o.cancelPending = true;
  }

  /** Returns true (and remembers it) when the trade id was never seen before. */
  recordTrade(tradeId: number): boolean {
    if (this.tradeIds.has(tradeId)) return false;
    this.tradeIds.add(tradeId);
    if (this.tradeIds.size > MAX_TRADE_IDS) this.tradeIds.delete(this.tradeIds.values().next().value as number);
    return true;
  }

  /**
   * Applies a user-stream order update to a tracked order (the trade id must already have been
   * passed to recordTrade; `newTrade` says whether it was new). A status never moves backwards.
   */
  applyUpdate(update: OrderUpdate, newTrade: boolean): UpdateEffect {
    const o = this.orders.get(update.clientOrderId);
    if (!o) return { changed: newTrade, newTrade, order: null, settledFromAmbiguous: false };
    const wasAmbiguous = o.state === 'ambiguous';
    let changed = false;
    if (newTrade) o.tradedSteps = addSteps(o.tradedSteps, update.lastFilledSteps);
    if (newTrade && update.cumulativeFilledSteps > o.filledSteps) {
      o.filledSteps = update.cumulativeFilledSteps;
      changed = true;
    }
    if (o.orderId === null) o.orderId = update.orderId;
    if (o.state !== 'final') {
      const currentRank = o.status === null ? -1 : statusRank(o.status);
      const rank = statusRank(update.status);
      if (rank > currentRank || (o.state !== 'open' && !isFinalStatus(update.status))) {
        changed = true;
        this.setStatus(o, update.status);
      }
    }
    return { changed: changed || newTrade, newTrade, order: o, settledFromAmbiguous: wasAmbiguous && o.state !== 'ambiguous' };
  }

  /**
   * Returns our orders by the venue's order id (those whose id is known), for trades that name
   * only the order id.
   */
  byVenueOrderId(): Map<string, TrackedOrderView> {
    const out = new Map<string, TrackedOrderView>();
    for (const o of this.orders.values()) if (o.orderId !== null) out.set(o.orderId, o);
    return out;
  }

  /**
   * Applies a trade read from the venue's trade history (the trade id must already have been
   * passed to recordTrade and be new): the filled quantity becomes at least the sum of the
   * order's trades, and an order filled to its quantity becomes FILLED. A partial fill moves an
   * open order to PARTIALLY_FILLED and leaves an ambiguous one ambiguous: reconciliation, which
   * follows, tells whether it still rests. Returns the
   * order and whether this trade made it final (null when the client id is not tracked).
   */
  applyHistoricalTrade(clientOrderId: string, qtySteps: Steps): { readonly order: TrackedOrderView; readonly filled: boolean } | null {
    const o = this.orders.get(clientOrderId);
    if (!o) return null;
    o.tradedSteps = addSteps(o.tradedSteps, qtySteps);
    o.filledSteps = minSteps(o.qtySteps, maxSteps(o.filledSteps, o.tradedSteps));
    if (o.filledSteps < o.qtySteps) {
      if (o.state === 'open' && o.status === 'NEW' && o.filledSteps > 0) o.status = 'PARTIALLY_FILLED';
      return { order: o, filled: false };
    }
    if (o.status === 'FILLED') return { order: o, filled: false };
    const wasFinal = o.state === 'final';
    o.status = 'FILLED';
    o.cancelPending = false;
    o.ambiguousSinceMs = null;
    if (!wasFinal) {
      o.state = 'final';
      this.rememberFinal(o.clientOrderId);
    }
    return { order: o, filled: !wasFinal };
  }

  /** Applies the outcome of a place command. */
  applyPlaceOutcome(clientOrderId: string, outcome: CommandOutcome<OrderSnapshot>, nowMs: number): OutcomeEffect {
    const o = this.orders.get(clientOrderId);
    if (!o) return { kind: 'none' };
    switch (outcome.kind) {
      case 'accepted': {
        o.orderId = outcome.value.orderId;
        if (o.state === 'in_flight' || o.state === 'ambiguous') this.setStatus(o, outcome.value.status);
        return { kind: 'placed', order: o, orderId: outcome.value.orderId };
      }
      case 'rejected':
      case 'denied': {
        if (o.state !== 'in_flight') return { kind: 'none' };
        this.setStatus(o, 'REJECTED');
        return outcome.kind === 'rejected'
          ? { kind: 'rejected', order: o, code: outcome.code, reason: outcome.reason, source: 'venue' }
          : { kind: 'rejected', order: o, code: null, reason: outcome.reason, source: 'local' };
      }
      case 'ambiguous': {
        if (o.state !== 'in_flight') return { kind: 'none' };
        this.makeAmbiguous(o, nowMs);
        return { kind: 'ambiguous', order: o, reason: outcome.reason };
      }
    }
  }

  /**
   * Applies the outcome of a cancel command. An "unknown order" rejection or an ambiguous answer
   * makes the order ambiguous, to be settled by the user stream or a query; any other failure
   * clears the pending cancel so it can be sent again.
   */
  applyCancelOutcome(clientOrderId: string, outcome: CommandOutcome<OrderSnapshot>, nowMs: number): OutcomeEffect {
    const o = this.orders.get(clientOrderId);
    if (!o || o.state === 'final') return { kind: 'none' };
    switch (outcome.kind) {
      case 'accepted': {
        o.cancelPending = false;
        const status = outcome.value.status;
        if (isFinalStatus(status)) {
          o.filledSteps = maxSteps(o.filledSteps, outcome.value.executedSteps);
          this.setStatus(o, status);
          return { kind: 'settled', order: o, status };
        }
        return { kind: 'none' };
      }
      case 'rejected': {
        if (UNKNOWN_ORDER_CODES.has(outcome.code)) {
          this.makeAmbiguous(o, nowMs);
          return { kind: 'ambiguous', order: o, reason: `cancel rejected: ${outcome.reason}` };
        }
        o.cancelPending = false;
        return { kind: 'none' };
      }
      case 'denied':
        o.cancelPending = false;
        return { kind: 'none' };
      case 'ambiguous':
        this.makeAmbiguous(o, nowMs);
        return { kind: 'ambiguous', order: o, reason: `cancel ambiguous: ${outcome.reason}` };
    }
  }

  /**
   * Settles an ambiguous order from a status query (null: the venue does not have it). A null
   * answer for an order sent less than `notFoundAfterMs` ago settles nothing: the request may
   * still be on its way to the matching engine (a timed-out POST can be processed later, until
   * its timestamp falls out of recvWindow), so the order stays ambiguous and is asked for again.
   */
  applyQuery(clientOrderId: string, snapshot: OrderSnapshot | null, nowMs = Number.POSITIVE_INFINITY, notFoundAfterMs = 0): OutcomeEffect {
    const o = this.orders.get(clientOrderId);
    if (!o || o.state !== 'ambiguous') return { kind: 'none' };
    if (snapshot === null && nowMs - o.sentMs < notFoundAfterMs) return { kind: 'none' };
    o.cancelPending = false;
    if (snapshot === null) {
      o.state = 'final';
      o.ambiguousSinceMs = null;
      this.rememberFinal(o.clientOrderId);
      return { kind: 'settled', order: o, status: 'NOT_FOUND' };
    }
    if (o.orderId === null) o.orderId = snapshot.orderId;
    o.filledSteps = maxSteps(o.filledSteps, snapshot.executedSteps);
    this.setStatus(o, snapshot.status);
    return { kind: 'settled', order: o, status: snapshot.status };
  }

  /**
   * Returns true when an order we had written off (a query found nothing, or reconciliation no
   * longer listed it) is reported live after all: it is tracked again as an orphan (no slot) so
   * that it counts as pending and gets cancelled, instead of resting at the venue unseen.
   */
  reviveAsOrphan(snapshot: OrderSnapshot): boolean {
    const o = this.orders.get(snapshot.clientOrderId);
    if (!o || o.state !== 'final' || isFinalStatus(snapshot.status)) return false;
    if (o.status !== null && isFinalStatus(o.status)) return false;
    o.state = 'open';
    o.slot = null;
    o.status = snapshot.status;
    o.orderId ??= snapshot.orderId;
    o.filledSteps = maxSteps(o.filledSteps, snapshot.executedSteps);
    o.cancelPending = false;
    o.ambiguousSinceMs = null;
    this.finalIds.delete(o.clientOrderId);
    this.live.set(o.clientOrderId, o);
    return true;
  }

  /** Marks an order the venue no longer lists (found during reconciliation) as final. */
  markGone(clientOrderId: string): void {
    const o = this.orders.get(clientOrderId);
    if (!o || o.state === 'final') return;
    o.state = 'final';
    o.cancelPending = false;
    o.ambiguousSinceMs = null;
    this.rememberFinal(clientOrderId);
  }

  /** Syncs an order with the venue's snapshot (reconciliation); returns true when it was ambiguous. */
  syncFromSnapshot(snapshot: OrderSnapshot): boolean {
    const o = this.orders.get(snapshot.clientOrderId);
    if (!o || o.state === 'final') return false;
    const wasAmbiguous = o.state === 'ambiguous';
    if (o.orderId === null) o.orderId = snapshot.orderId;
    o.filledSteps = maxSteps(o.filledSteps, snapshot.executedSteps);
    this.setStatus(o, snapshot.status);
    return wasAmbiguous;
  }

  /**
   * Returns the ambiguous orders whose last query (or ambiguity) is at least `graceMs` old, and
   * remembers that they were asked for now.
   */
  dueForQuery(nowMs: number, graceMs: number): string[] {
    const due: string[] = [];
    for (const o of this.live.values()) {
      if (o.state === 'ambiguous' && o.ambiguousSinceMs !== null && nowMs - o.ambiguousSinceMs >= graceMs) {
        due.push(o.clientOrderId);
        o.ambiguousSinceMs = nowMs;
      }
    }
    return due;
  }

  private makeAmbiguous(o: TrackedOrder, nowMs: number): void {
    o.state = 'ambiguous';
    o.ambiguousSinceMs = nowMs;
  }

  private setStatus(o: TrackedOrder, status: OrderStatus): void {
    o.status = status;
    o.ambiguousSinceMs = null;
    if (isFinalStatus(status)) {
      o.state = 'final';
      o.cancelPending = false;
      this.rememberFinal(o.clientOrderId);
    } else {
      o.state = 'open';
    }
  }

  private rememberFinal(clientOrderId: string): void {
    this.live.delete(clientOrderId);
    this.finalIds.add(clientOrderId);
    if (this.finalIds.size > MAX_FINAL_ORDERS) {
      const oldest = this.finalIds.values().next().value as string;
      this.finalIds.delete(oldest);
      this.orders.delete(oldest);
    }
  }
}
