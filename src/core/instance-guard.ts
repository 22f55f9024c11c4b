/**
 * One runner per account, symbol and client-id prefix: two would cancel each other's orders as
 * orphans, thousands of times a minute. A session is alive when the venue reports an order of
 * it created after our session connected (a crashed session creates nothing new; its resting
 * orders are orphans, cancelled at reconciliation). Of two live sessions the younger one (the
 * later start time in the session id) yields: it stops trading and leaves the older one alone.
 */
import { sessionOf } from './client-order-ids.ts';
import type { OrderUpdate } from './model.ts';

/** What an order update says about other live sessions sharing our prefix. */
export type InstanceVerdict =
  | { readonly kind: 'none' }
  /** An older session is live: we are the second instance and must stop. */
  | { readonly kind: 'yield'; readonly otherSession: string; readonly clientOrderId: string }
  /** A younger session is live: it is the second instance and will stop; we go on. */
  | { readonly kind: 'other_yields'; readonly otherSession: string; readonly clientOrderId: string };

export interface InstanceGuardOptions {
  readonly prefix: string;
  readonly sessionId: string;
  /** When our session connected, on the venue's clock (ms): orders created later prove a session alive. */
  readonly connectedAtVenueMs: number;
}

/** Returns the start time a session id encodes (base-36 ms). */
function sessionStart(session: string): number {
  return parseInt(session, 36);
}

export class InstanceGuard {
  private readonly options: InstanceGuardOptions;
  private readonly reported = new Set<string>();

  constructor(options: InstanceGuardOptions) {
    this.options = options;
  }

  /** Judges one order update; each other session is reported once. */
  observe(update: OrderUpdate): InstanceVerdict {
    if (update.execution !== 'NEW') return { kind: 'none' };
    const other = sessionOf(this.options.prefix, update.clientOrderId);
    if (other === null || other === this.options.sessionId || this.reported.has(other)) return { kind: 'none' };
    if (update.txTimeMs <= this.options.connectedAtVenueMs) return { kind: 'none' };
    this.reported.add(other);
    const clientOrderId = update.clientOrderId;
    return sessionStart(other) <= sessionStart(this.options.sessionId)
      ? { kind: 'yield', otherSession: other, clientOrderId }
      : { kind: 'other_yields', otherSession: other, clientOrderId };
  }
}
