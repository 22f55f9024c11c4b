/**
 * Remembers, per client order id, the trace context of the request that created the order, so
 * the order's later life (acks, fills, cancels from the user stream) lands in the same trace.
 * Bounded: final orders are forgotten after a grace period, and the oldest entries go first.
 */
import type { Context } from '@opentelemetry/api';

export class OrderContexts {
  private readonly entries = new Map<string, Context>();
  private readonly capacity: number;

  constructor(capacity = 20_000) {
    this.capacity = capacity;
  }

  /** Returns the order's context, if known. */
  get(clientOrderId: string): Context | undefined {
    return this.entries.get(clientOrderId);
  }

  /** Records (or replaces) the order's context. */
  set(clientOrderId: string, ctx: Context): void {
    if (this.entries.has(clientOrderId)) this.entries.delete(clientOrderId);
    this.entries.set(clientOrderId, ctx);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}
