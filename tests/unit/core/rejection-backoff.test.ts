/**
 * Deterministic rejections back off per slot instead of repeating at the pace of the book
 * (issue: a missing MIN_NOTIONAL gave 900 rejects of -4164, a zero bid 584 rejects in 6 s).
 */
import { describe, expect, it } from 'vitest';
import type { EventDraft } from '../../../src/core/events.ts';
import { POST_ONLY_REJECTED, RejectionBackoff, rejectionBackoffMs } from '../../../src/core/rejection-backoff.ts';
import { bookTop, places, readyMaker, T0 } from './fixtures.ts';

/** Runs a maker for `ms` of book ticks every 10 ms, rejecting every place with `code`; returns the places sent. */
function rejectEverything(code: number, ms: number, httpStatus = 400): { placed: number; rejectedEvents: EventDraft[] } {
  const mm = readyMaker({ levels: 1 });
  let placed = 0;
  const rejectedEvents: EventDraft[] = [];
  for (let t = 0; t <= ms; t += 10) {
    mm.onBookTop(bookTop(650_000, 650_001, T0 + t), T0 + t);
    for (const order of places(mm.decide(T0 + t).commands)) {
      placed += 1;
      const events = mm.onPlaceOutcome(order, { kind: 'rejected', code, reason: 'rejected', httpStatus }, T0 + t);
      rejectedEvents.push(...events.filter((e) => e.event === 'order_rejected'));
    }
  }
  return { placed, rejectedEvents };
}

describe('rejection back-off', () => {
  it('a venue rejecting every order with -4164 (minimum notional): each slot waits 0.5, 1, 2, 4 s..., a handful of orders in 6 s, not hundreds', () => {
    const { placed, rejectedEvents } = rejectEverything(-4164, 6_000);
    // Two slots (bid, ask), each placed at 0, 0.5, 1.5 and 3.5 s.
    expect(placed).toBe(8);
    expect(rejectedEvents.map((e) => (e.fields as { backoff_ms: number }).backoff_ms).slice(0, 4)).toEqual([500, 500, 1000, 1000]);
  });

  it('post-only rejections (the market moved) are retried at once twice, then back off', () => {
    expect([1, 2, 3, 4, 5].map((n) => rejectionBackoffMs(POST_ONLY_REJECTED, n))).toEqual([0, 0, 100, 200, 400]);
    const { placed } = rejectEverything(POST_ONLY_REJECTED, 1_000);
    expect(placed).toBeLessThan(20);
    expect(placed).toBeGreaterThanOrEqual(6);
  });

  it('the wait is capped: 60 s for deterministic rejections, 5 s for post-only ones', () => {
    expect(rejectionBackoffMs(-4164, 40)).toBe(60_000);
    expect(rejectionBackoffMs(POST_ONLY_REJECTED, 40)).toBe(5_000);
  });

  it('an accepted order clears its slot, so the next rejection starts over', () => {
    const backoff = new RejectionBackoff();
    expect(backoff.rejected('quote:BUY:0', -2019, 0)).toBe(500);
    expect(backoff.rejected('quote:BUY:0', -2019, 500)).toBe(1000);
    expect(backoff.blocked('quote:BUY:0', 1499)).toBe(true);
    expect(backoff.blocked('quote:BUY:0', 1500)).toBe(false);
    expect(backoff.blocked('quote:SELL:0', 600)).toBe(false);
    backoff.accepted('quote:BUY:0');
    expect(backoff.rejected('quote:BUY:0', -2019, 2000)).toBe(500);
  });

  it('429 and 418 do not count: the runner stops all sending for those', () => {
    const { rejectedEvents } = rejectEverything(-1003, 30, 429);
    expect(rejectedEvents.every((e) => (e.fields as { backoff_ms: number }).backoff_ms === 0)).toBe(true);
  });

  it('a book with a zero bid is unusable: nothing is quoted against it', () => {
    const mm = readyMaker({ levels: 1 });
    mm.onBookTop(bookTop(0, 650_001, T0 + 1), T0 + 1);
    const d = mm.decide(T0 + 1);
    expect(d.suppressed).toBe('crossed_book');
    expect(places(d.commands)).toEqual([]);
  });
});
