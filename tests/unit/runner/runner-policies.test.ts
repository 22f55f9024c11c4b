/**
 * The runner's policies on a manual clock against an in-memory venue (tests/support): the
 * 429/418 back-off, settling an order whose outcome is unknown, reconciling after the user
 * stream comes back, re-arming the dead-man switch and the graceful stop. Each runs in
 * milliseconds whatever the machine's speed: only the test moves time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus, isEvent, type DomainEvent, type EventName } from '../../../src/core/events.ts';
import { Runner, type RunnerOptions } from '../../../src/runner/runner.ts';
import { MemoryVenue } from '../../support/memory-venue.ts';
import { ManualTime, settle } from '../../support/manual-time.ts';
import { baseParams } from '../core/fixtures.ts';
import { asSteps } from '../../../src/core/instrument.ts';

const OPTIONS: RunnerOptions = {
  symbols: ['BTCUSDT'],
  params: { ...baseParams, levels: 1 },
  shadow: false,
  clientIdPrefix: 'mm',
  leverage: 5,
  marginType: 'CROSSED',
  snapshotIntervalMs: 60_000,
  iterations: null,
  deadmanMs: 30_000,
  shutdownTimeoutMs: 5_000,
  settleIntervalMs: 1_000,
  notFoundAfterMs: 6_000,
};

let running: { runner: Runner; time: ManualTime } | null = null;

afterEach(async () => {
  if (running === null) return;
  const { runner, time } = running;
  running = null;
  const stopped = runner.stop('test_end');
  await time.advance(10_000);
  await stopped;
});

/** Starts a runner on a manual clock and an in-memory venue, and gives it a 65000.0/65000.1 book. */
async function start(options: Partial<RunnerOptions> = {}, prepare: (venue: MemoryVenue) => void = () => {}) {
  const time = new ManualTime();
  const venue = new MemoryVenue(time);
  prepare(venue);
  const bus = new EventBus(time);
  const events: DomainEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const runner = new Runner({ venue, clock: time, bus }, { ...OPTIONS, ...options });
  running = { runner, time };
  await runner.start();
  venue.book(650_000, 650_001);
  await settle();
  const named = <E extends EventName>(name: E) => events.filter((e): e is DomainEvent<E> => isEvent(e, name));
  return { time, venue, runner, events, named };
}

describe('rate-limit back-off (one policy: RATE_LIMIT_WAIT_MS, or the venue Retry-After)', () => {
  it.each([
    ['a 429 without Retry-After', { code: -1003, httpStatus: 429 }, 10_000],
    ['a 429 with Retry-After 3 s', { code: -1003, httpStatus: 429, retryAfterMs: 3_000 }, 3_000],
    ['a 418 without Retry-After', { code: -1003, httpStatus: 418 }, 120_000],
  ])('%s: no order is sent until the wait has passed, then quoting resumes', async (_name, refusal, waitMs) => {
    const t = await start();
    const places = () => t.venue.callsOf('place').length;
    const placedBefore = places();
    expect(placedBefore).toBe(2);
    // The next requote is refused: the book moves, both quotes are replaced, the first place is refused.
    t.venue.placeAnswers.push({ kind: 'reject', ...refusal });
    t.venue.book(650_100, 650_101);
    await settle();
    const refusedAt = t.time.nowMs();
    const sentByRefusal = places();
    expect(t.named('rate_limited').map((e) => e.fields)).toEqual([{ status: refusal.httpStatus, retry_after_ms: waitMs, operation: 'order' }]);
    expect(t.runner.views()[0]?.suppressed).toBe('rate_limited');
    // Market data keeps coming; nothing is placed before the wait ends.
    for (let elapsed = 0; elapsed < waitMs - 1; elapsed += Math.min(1_000, waitMs - 1 - elapsed)) {
      t.venue.book(650_100, 650_101);
      await t.time.advance(Math.min(1_000, waitMs - 1 - elapsed));
    }
    expect(places()).toBe(sentByRefusal);
    await t.time.advance(1);
    t.venue.book(650_100, 650_101);
    await settle();
    expect(places()).toBeGreaterThan(sentByRefusal);
    expect(t.venue.callsOf('place').at(-1)?.atMs).toBe(refusedAt + waitMs);
    expect(t.runner.views()[0]?.suppressed).toBeNull();
  });
});

describe('an order whose outcome is unknown', () => {
  it('never reached the venue: a status query settles it NOT_FOUND only once it can no longer appear, and it is never sent again', async () => {
    const t = await start({ params: { ...baseParams, levels: 1 } });
    t.venue.placeAnswers.push({ kind: 'ambiguous', created: false });
    t.venue.book(650_100, 650_101);
    await settle();
    const ambiguous = t.named('order_ambiguous');
    expect(ambiguous).toHaveLength(1);
    const id = String(ambiguous[0]?.fields.client_id);
    const sentAt = t.venue.callsOf('place').find((c) => c.arg === id)?.atMs ?? 0;
    // Queried every settle interval once unsettled for the grace period; "no such order" before
    // notFoundAfterMs (6 s) leaves it ambiguous: the request could still reach the venue.
    await t.time.advance(5_000);
    expect(t.venue.callsOf('query').filter((c) => c.arg === id).length).toBeGreaterThanOrEqual(1);
    expect(t.named('order_settled').filter((e) => e.fields.client_id === id)).toEqual([]);
    await t.time.advance(3_000);
    const settled = t.named('order_settled').filter((e) => e.fields.client_id === id);
    expect(settled.map((e) => e.fields)).toEqual([{ symbol: 'BTCUSDT', client_id: id, status: 'NOT_FOUND', via: 'query' }]);
    const settledQuery = t.venue
      .callsOf('query')
      .filter((c) => c.arg === id)
      .at(-1);
    expect((settledQuery?.atMs ?? 0) - sentAt).toBeGreaterThanOrEqual(6_000);
    expect(t.venue.callsOf('place').filter((c) => c.arg === id)).toHaveLength(1);
  });

  it('reached the venue: a status query finds it and the runner tracks it as resting', async () => {
    const t = await start();
    t.venue.placeAnswers.push({ kind: 'ambiguous', created: true });
    t.venue.book(650_100, 650_101);
    await settle();
    const id = String(t.named('order_ambiguous')[0]?.fields.client_id);
    await t.time.advance(3_000);
    expect(
      t
        .named('order_settled')
        .filter((e) => e.fields.client_id === id)
        .map((e) => e.fields),
    ).toEqual([{ symbol: 'BTCUSDT', client_id: id, status: 'NEW', via: 'query' }]);
    expect(t.runner.views()[0]?.ambiguous).toBe(0);
    expect(t.venue.callsOf('place').filter((c) => c.arg === id)).toHaveLength(1);
  });
});

describe('reconciliation after the user stream comes back', () => {
  it('reads the fills it missed from the trade history, takes the venue position, and quotes again', async () => {
    const t = await start();
    const bid = [...t.venue.open.values()].find((o) => o.side === 'BUY');
    expect(bid).toBeDefined();
    // The fill's frame dies with the user stream: only the trade history knows.
    await t.time.advance(2_000);
    t.venue.fill(bid?.clientOrderId ?? '', true);
    t.venue.stream('user', false);
    await settle();
    expect(t.runner.views()[0]?.suppressed).toBe('not_reconciled');
    expect(t.runner.readiness().state).toBe(false);
    await t.time.advance(2_000);
    const placesBefore = t.venue.callsOf('place').length;
    t.venue.stream('user', true);
    await settle();
    expect(t.venue.calls.filter((c) => ['userTrades', 'openOrders', 'position'].includes(c.op)).map((c) => c.op)).toEqual([
      'openOrders',
      'position',
      'userTrades',
      'openOrders',
      'position',
    ]);
    expect(t.named('order_filled').map((e) => [e.fields.client_id, e.fields.via])).toEqual([[bid?.clientOrderId, 'backfill']]);
    expect(t.named('reconcile_done').map((e) => e.fields.trigger)).toEqual(['start', 'reconnect']);
    expect(t.runner.views()[0]?.positionSteps).toBe(t.venue.positionSteps);
    expect(t.runner.readiness().state).toBe(true);
    t.venue.book(650_000, 650_001);
    await settle();
    expect(t.venue.callsOf('place').length).toBeGreaterThan(placesBefore);
  });
  it('a fill that reaches the position before the trade history keeps its realized PnL (the trades are read again)', async () => {
    // Short 0.010 from 65100.0: the bid at 65000.0 closes it for 1.00000000 USDT.
    const t = await start({}, (v) => {
      v.positionSteps = asSteps(-10);
      v.entryPrice = '65100.0';
    });
    const bid = [...t.venue.open.values()].find((o) => o.side === 'BUY');
    expect(bid?.priceTicks).toBeLessThanOrEqual(650_000);
    // The fill dies with the stream, and the trade history shows it only after the position does.
    let historyCaughtUp = false;
    t.venue.tradeVisible = () => historyCaughtUp;
    t.venue.onCall = (op) => {
      if (op === 'position') historyCaughtUp = true;
    };
    await t.time.advance(1_000);
    t.venue.fill(bid?.clientOrderId ?? '', true);
    t.venue.stream('user', false);
    await t.time.advance(2_000);
    t.venue.stream('user', true);
    await settle();
    const expected = BigInt((65_100_0 - (bid?.priceTicks ?? 0)) * 10 * 10_000); // ticks 0.1 x steps 0.001 in 1e-8
    expect(t.named('order_filled').map((e) => [e.fields.client_id, e.fields.via, e.fields.realized_pnl.money])).toEqual([
      [bid?.clientOrderId, 'backfill', expected],
    ]);
    expect(t.runner.views()[0]?.realizedPnl).toBe(BigInt(expected));
    expect(t.runner.views()[0]?.positionSteps).toBe(0);
  });

  it('funding paid while the stream was down is recovered from the income history, once; funding the stream delivered is not counted twice', async () => {
    const t = await start();
    t.venue.payFunding(5_000n); // delivered live
    await settle();
    expect(
      t
        .named('funding_update')
        .filter((e) => e.fields.funding_fee !== null)
        .map((e) => [e.fields.funding_fee?.money, e.fields.via]),
    ).toEqual([[5000n, 'user_stream']]);
    t.venue.stream('user', false);
    await t.time.advance(2_000);
    t.venue.payFunding(-3_000n); // paid during the outage: only the income history knows
    await t.time.advance(2_000);
    t.venue.stream('user', true);
    await settle();
    const payments = () =>
      t
        .named('funding_update')
        .filter((e) => e.fields.funding_fee !== null)
        .map((e) => [e.fields.funding_fee?.money, e.fields.via]);
    expect(payments()).toEqual([
      [5_000n, 'user_stream'],
      [-3_000n, 'income'],
    ]);
    expect(t.runner.views()[0]?.fundingAccum).toBe(2_000n);
    // Another outage reads the same history again: nothing is counted twice.
    t.venue.stream('user', false);
    await t.time.advance(1_000);
    t.venue.stream('user', true);
    await settle();
    expect(t.venue.callsOf('income')).toHaveLength(2);
    expect(payments()).toHaveLength(2);
    expect(t.runner.views()[0]?.fundingAccum).toBe(2_000n);
  });
});

describe("specification 002's events", () => {
  it('order_placed carries latency_ms; a refused order also logs order_placement_error with its error', async () => {
    const t = await start();
    expect(t.named('order_placed').every((e) => typeof e.fields.latency_ms === 'number' && e.fields.latency_ms >= 0)).toBe(true);
    t.venue.placeAnswers.push({ kind: 'reject', code: -5022, httpStatus: 400 });
    t.venue.book(650_100, 650_101);
    await settle();
    const refused = t.named('order_rejected')[0];
    expect(t.named('order_placement_error').map((e) => e.fields)).toEqual([
      { symbol: 'BTCUSDT', client_id: refused?.fields.client_id, side: refused?.fields.side, error: 'refused -5022', code: -5022 },
    ]);
  });

  it('quotes cancelled because quoting stopped are one cancel_all_done with the trigger (here the user stream down)', async () => {
    const t = await start();
    expect(t.venue.open.size).toBe(2);
    t.venue.stream('user', false);
    await settle();
    expect(t.venue.open.size).toBe(0);
    expect(t.named('cancel_all_done').map((e) => [e.fields.trigger, e.fields.cancelled, e.fields.error])).toEqual([['stream_down', 2, null]]);
  });
});

describe('the order transport', () => {
  it('every switch the venue reports is an event, and readiness says which transport is in use without failing on REST', async () => {
    const t = await start();
    expect(t.runner.readiness()).toMatchObject({ orderTransport: 'ws', exchange: true, state: true });
    t.venue.transport('rest', 'ws-api close 1006');
    expect(t.runner.readiness()).toMatchObject({ orderTransport: 'rest', exchange: true, state: true });
    t.venue.transport('ws', 'ws-api open');
    expect(t.named('order_transport_changed').map((e) => [e.fields.transport, e.fields.reason])).toEqual([
      ['ws', 'ws-api open'],
      ['rest', 'ws-api close 1006'],
      ['ws', 'ws-api open'],
    ]);
  });
});

describe('the dead-man switch', () => {
  it('is armed before the first quote and re-armed every third of its countdown', async () => {
    const t = await start();
    const first = t.venue.callsOf('countdown')[0];
    const firstPlace = t.venue.callsOf('place')[0];
    expect(first?.arg).toBe('BTCUSDT:30000');
    expect(t.venue.calls.indexOf(first as never)).toBeLessThan(t.venue.calls.indexOf(firstPlace as never));
    const armedAt = first?.atMs ?? 0;
    await t.time.advance(30_000);
    expect(t.venue.callsOf('countdown').map((c) => c.atMs - armedAt)).toEqual([0, 10_000, 20_000, 30_000]);
  });
});

describe('the graceful stop', () => {
  it('cancels every order, confirms none is left, disarms the switch and reports a clean stop', async () => {
    const t = await start();
    expect(t.venue.open.size).toBe(2);
    running = null;
    const stopped = t.runner.stop('SIGTERM');
    await t.time.advance(5_000);
    await stopped;
    expect(t.venue.open.size).toBe(0);
    expect(t.runner.stopReport()).toEqual({ reason: 'SIGTERM', openOrdersLeft: 0, clean: true, detail: null });
    const tail = t.venue.calls.slice(-3).map((c) => `${c.op} ${c.arg}`);
    expect(tail).toEqual(['openOrders BTCUSDT', 'countdown BTCUSDT:0', 'disconnect ']);
    expect(t.named('runner_stopped').map((e) => [e.fields.clean, e.fields.deadman])).toEqual([[true, 'disarmed']]);
    expect(t.runner.state()).toBe('stopped');
  });

  it('a stop that comes while the dead-man switch is being armed at start leaves no timer behind (the process can exit)', async () => {
    const time = new ManualTime();
    const venue = new MemoryVenue(time);
    let armed: () => void = () => {};
    const firstArm = new Promise<void>((resolve) => (armed = resolve));
    const countdown = venue.countdownCancelAll.bind(venue);
    let calls = 0;
    // The start-up's first arm hangs until told: a second instance found meanwhile stops the runner.
    venue.countdownCancelAll = (symbol, ms) => (++calls === 1 ? firstArm.then(() => countdown(symbol, ms)) : countdown(symbol, ms));
    const runner = new Runner({ venue, clock: time, bus: new EventBus(time) }, OPTIONS);
    const started = runner.start();
    while (calls === 0) await settle();
    const stopped = runner.stop('another_instance');
    armed();
    await started;
    await time.advance(10_000);
    await stopped;
    expect(runner.state()).toBe('stopped');
    expect(time.timerCount()).toBe(0);
  });

  it('when orders may remain (the venue still lists one), leaves the switch armed and says so', async () => {
    const t = await start();
    t.venue.cancelAllOpenOrders = (symbol) => {
      t.venue.calls.push({ atMs: t.time.nowMs(), op: 'cancelAll', arg: symbol });
      return Promise.resolve({ kind: 'ambiguous', reason: 'timeout' });
    };
    running = null;
    const stopped = t.runner.stop('SIGTERM');
    await t.time.advance(10_000);
    await stopped;
    const report = t.runner.stopReport();
    expect(report?.clean).toBe(false);
    expect(report?.openOrdersLeft).toBe(2);
    expect(report?.detail).toContain('the dead-man switch stays armed');
    expect(t.venue.callsOf('countdown').some((c) => c.arg === 'BTCUSDT:0')).toBe(false);
  });
});
