/**
 * Back-off of an order slot after the venue rejects what it placed there. A rejection the
 * market explains (post-only would have taken: -5022) is retried at once a couple of times, as
 * the price moves on; any other rejection (minimum notional, price filters, margin, reduce-only
 * ...) will be rejected again, so the slot waits, doubling each time, and the runner cannot
 * spin a rejection loop until the venue answers 429.
 */

/** Binance: "Order would immediately match and take" (post-only, GTX). */
export const POST_ONLY_REJECTED = -5022;

const POST_ONLY_FREE_RETRIES = 2;
const POST_ONLY_BASE_MS = 100;
const POST_ONLY_MAX_MS = 5_000;
const DETERMINISTIC_BASE_MS = 500;
const DETERMINISTIC_MAX_MS = 60_000;

/** Returns how long a slot waits after its `consecutive`-th rejection in a row with `code`, ms. */
export function rejectionBackoffMs(code: number, consecutive: number): number {
  if (code === POST_ONLY_REJECTED) {
    if (consecutive <= POST_ONLY_FREE_RETRIES) return 0;
    return Math.min(POST_ONLY_MAX_MS, POST_ONLY_BASE_MS * 2 ** (consecutive - POST_ONLY_FREE_RETRIES - 1));
  }
  return Math.min(DETERMINISTIC_MAX_MS, DETERMINISTIC_BASE_MS * 2 ** (consecutive - 1));
}

interface SlotState {
  consecutive: number;
  untilMs: number;
}

/** Consecutive rejections and the back-off they impose, per slot. */
export class RejectionBackoff {
  private readonly slots = new Map<string, SlotState>();

  /** Records a rejection of the slot's order at `nowMs`; returns the back-off it imposes, ms. */
  rejected(slot: string, code: number, nowMs: number): number {
    const state = this.slots.get(slot) ?? { consecutive: 0, untilMs: 0 };
    state.consecutive += 1;
    const waitMs = rejectionBackoffMs(code, state.consecutive);
    state.untilMs = nowMs + waitMs;
    this.slots.set(slot, state);
    return waitMs;
  }

  /** Forgets the slot's rejections (its order was accepted). */
  accepted(slot: string): void {
    this.slots.delete(slot);
  }

  /** Returns true while the slot must not place. */
  blocked(slot: string, nowMs: number): boolean {
    const state = this.slots.get(slot);
    return state !== undefined && nowMs < state.untilMs;
  }
}
