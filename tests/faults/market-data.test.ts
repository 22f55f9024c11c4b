/**
 * Market data that looks wrong must not silently stop quoting while /ready says 200: a local
 * clock ahead of the venue, and one corrupt book ticker with an absurd update id.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSession, until, type Session } from './harness.ts';

let session: Session | null = null;

afterEach(async () => {
  await session?.close();
  session = null;
});

describe('market data faults', () => {
  it('a local clock 6 s ahead of the exchange: signed requests use the offset, the book is fresh, the runner quotes and /ready is 200', async () => {
    // The simulator's clock is 6 s behind ours: every event time it sends looks 6 s old to us.
    session = await startSession({ sim: { clock: { nowMs: () => Date.now() - 6_000, monoNs: () => process.hrtime.bigint() } } });
    const s = session;
    const sync = await until('time sync', () => s.named('time_sync')[0]);
    expect(Number(sync.fields.offset_ms)).toBeLessThan(-5_000);
    await until('orders resting at the simulator', () => s.openAtSim().total >= 2);
    await until('/ready 200', async () => (await s.readyStatus()) === 200);
    const placedBefore = s.named('order_placed').length;
    // Trading goes on: more orders are placed, and nothing is suppressed as a stale book.
    await until('more orders placed', () => s.named('order_placed').length > placedBefore + 2, 30_000);
    expect(s.named('quote_suppressed').filter((e) => e.fields.reason === 'stale_book')).toEqual([]);
  });

  it('one book ticker with update id 2^53-1 does not freeze the mid: the runner follows the market and never goes stale', async () => {
    session = await startSession();
    const s = session;
    await until('orders resting at the simulator', () => s.openAtSim().total >= 2);
    const instrument = s.app.runner.instruments()[0];
    const bidAt = () => s.sim.exchange.book('BTCUSDT').top().bid?.[0] ?? null;
    const top = s.sim.exchange.book('BTCUSDT').top();
    if (instrument === undefined || top.bid === null || top.ask === null) throw new Error('no book');
    const frame = {
      stream: 'btcusdt@bookTicker',
      data: {
        e: 'bookTicker',
        u: Number.MAX_SAFE_INTEGER,
        s: 'BTCUSDT',
        b: instrument.formatPrice(top.bid[0]),
        B: '1.000',
        a: instrument.formatPrice(top.ask[0]),
        A: '1.000',
        T: Date.now(),
        E: Date.now(),
      },
    };
    expect(s.sim.faults.injectFrame('market', JSON.stringify(frame))).toBeGreaterThan(0);
    const from = s.events.length;
    // The simulator's market keeps moving: the runner's best bid follows it past the corrupt tick.
    await until(
      'the runner to follow the market after the corrupt tick',
      () => {
        const bid = bidAt();
        return bid !== null && bid !== top.bid?.[0] && s.view().bestBidTicks === bid;
      },
      30_000,
    );
    const placedAfter = s.named('order_placed', from).length;
    await until('orders still placed', () => s.named('order_placed', from).length > placedAfter, 30_000);
    expect(s.named('quote_suppressed', from).filter((e) => e.fields.reason === 'stale_book')).toEqual([]);
    expect(await s.readyStatus()).toBe(200);
  });
});
