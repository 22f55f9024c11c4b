/**
 * Every order the account has placed, open or final, indexed by venue id and client id, with
 * the query visibility Binance documents: a CANCELED or EXPIRED order without fills is gone
 * 3 days after it was created, any order 90 days after.
 */
import type { OrderRef, SimOrder } from './engine-types.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const UNFILLED_FINAL_VISIBLE_MS = 3 * DAY_MS;
const ANY_ORDER_VISIBLE_MS = 90 * DAY_MS;

/** Returns true when a query at `nowMs` still finds the order. */
export function visibleAt(order: SimOrder, nowMs: number): boolean {
  if (nowMs - order.timeMs > ANY_ORDER_VISIBLE_MS) return false;
  const unfilledFinal = (order.status === 'CANCELED' || order.status === 'EXPIRED') && order.executedSteps === 0;
  return !(unfilledFinal && nowMs - order.timeMs > UNFILLED_FINAL_VISIBLE_MS);
}

export class OrderRegistry {
  private nextOrderId = 4_000_000_001;
  private readonly maxClosed: number;
  private readonly openById = new Map<number, SimOrder>();
  private readonly openByClientId = new Map<string, SimOrder>();
  private readonly closedById = new Map<number, SimOrder>();
  private readonly closedByClientId = new Map<string, SimOrder>();

  constructor(maxClosed: number) {
    this.maxClosed = maxClosed;
  }

  /** Returns the id the next order gets. */
  newOrderId(): number {
    return this.nextOrderId++;
  }

  /** Records a new open order. */
  open(order: SimOrder): void {
    this.openById.set(order.orderId, order);
    this.openByClientId.set(order.clientOrderId, order);
  }

  /** Returns true when an open order already uses this client id. */
  hasOpenClientId(clientOrderId: string): boolean {
    return this.openByClientId.has(clientOrderId);
  }

  /** Returns the open order named by `ref`, or a final one too with `includeClosed`. */
  find(ref: OrderRef, includeClosed: boolean): SimOrder | undefined {
    if ('orderId' in ref) return this.openById.get(ref.orderId) ?? (includeClosed ? this.closedById.get(ref.orderId) : undefined);
    return this.openByClientId.get(ref.clientOrderId) ?? (includeClosed ? this.closedByClientId.get(ref.clientOrderId) : undefined);
  }

  /** Returns every open order (all symbols). */
  openOrders(): SimOrder[] {
    return [...this.openById.values()];
  }

  /** Returns the open and final orders of a symbol still kept, oldest order id first. */
  history(symbol: string): SimOrder[] {
    const all: SimOrder[] = [];
    for (const order of this.closedById.values()) if (order.symbol === symbol) all.push(order);
    for (const order of this.openById.values()) if (order.symbol === symbol) all.push(order);
    return all.sort((a, b) => a.orderId - b.orderId);
  }

  /** Moves a final order from the open indexes to the closed ones, forgetting the oldest beyond the cap. */
  retire(order: SimOrder): void {
    this.openById.delete(order.orderId);
    if (this.openByClientId.get(order.clientOrderId) === order) this.openByClientId.delete(order.clientOrderId);
    this.closedById.set(order.orderId, order);
    this.closedByClientId.set(order.clientOrderId, order);
    if (this.closedById.size <= this.maxClosed) return;
    const oldest = this.closedById.keys().next().value;
    if (oldest === undefined) return;
    const old = this.closedById.get(oldest);
    this.closedById.delete(oldest);
    if (old && this.closedByClientId.get(old.clientOrderId) === old) this.closedByClientId.delete(old.clientOrderId);
  }
}
