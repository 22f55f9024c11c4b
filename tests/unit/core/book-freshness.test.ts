/**
 * The book's age is measured on our clock from when a tick was received, and ticks are taken in
 * arrival order (issue: a clock ahead of the venue, or one corrupt update id, must not make a
 * live feed look stale).
 */
import { describe, expect, it } from 'vitest';
import { bookTop, places, readyMaker, T0 } from './fixtures.ts';

describe('book freshness', () => {
  it('a local clock 6 s ahead of the venue still quotes: the venue event time is not compared with our clock', () => {
    const mm = readyMaker({ levels: 1 });
    const ahead = T0 + 6_000;
    // Ticks carry the venue's time, 6 s behind ours (staleBookMs is 5 s), and keep arriving.
    for (let i = 1; i <= 3; i++) {
      mm.onBookTop(bookTop(650_000 + i, 650_001 + i, T0 + i * 100), ahead + i * 100);
      expect(mm.decide(ahead + i * 100).suppressed).toBeNull();
    }
  });

  it('no tick for longer than staleBookMs on our clock suppresses quoting as stale_book, and the next tick resumes', () => {
    const mm = readyMaker({ levels: 1, staleBookMs: 5_000 });
    mm.onBookTop(bookTop(650_000, 650_001, T0), T0);
    expect(mm.decide(T0 + 5_000).suppressed).toBeNull();
    const stale = mm.decide(T0 + 5_001);
    expect(stale.suppressed).toBe('stale_book');
    expect(stale.events.find((e) => e.event === 'quote_suppressed')?.fields).toMatchObject({ reason: 'stale_book', detail: 'no book update for 5001 ms' });
    mm.onBookTop(bookTop(650_010, 650_011, T0 + 5_002), T0 + 5_002);
    expect(mm.decide(T0 + 5_002).suppressed).toBeNull();
  });

  it('one tick with update id 2^53-1 does not freeze the mid: later ticks with ordinary ids are taken', () => {
    const mm = readyMaker({ levels: 1 });
    mm.onBookTop(bookTop(650_000, 650_001, T0 + 1, Number.MAX_SAFE_INTEGER), T0 + 1);
    mm.decide(T0 + 1);
    mm.onBookTop(bookTop(660_000, 660_001, T0 + 2, 400_900_218), T0 + 2);
    expect(mm.view(T0 + 2).bestBidTicks).toBe(660_000);
    const bids = places(mm.decide(T0 + 2).commands).filter((p) => p.side === 'BUY');
    expect(bids.every((p) => (p.priceTicks ?? 0) > 650_001)).toBe(true);
  });
});
