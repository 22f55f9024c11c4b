/**
 * REST faults against a trading runner: 5xx, Binance's ambiguous 503, client-side timeouts,
 * connection resets, 429/-1003 with Retry-After, a 418 ban and -1021. Each phase injects through
 * the simulator's fault controller and checks what the simulator saw (requests, orders), what the
 * runner logged, and that nothing was doubled, lost or left unsettled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exact, realizedGap, REALIZED_ROUNDING_PER_FILL, sleep, startSession, until, watchOpenOrders, type Session } from './harness.ts';

let s: Session;
let watcher: ReturnType<typeof watchOpenOrders>;

const ORDER = '/fapi/v1/order';

function postsSince(fromMs: number): number {
  return s.requests.filter((r) => r.method === 'POST' && r.path === ORDER && r.atMs >= fromMs).length;
}

/** Waits until every ambiguous or in-flight order has been settled. */
async function settled(): Promise<void> {
  await until(
    'every order to be settled',
    () => {
      const v = s.view();
      return v.ambiguous === 0 && v.inFlight === 0;
    },
    20_000,
  );
}

/** Waits until the runner has placed `n` more orders after event index `from`. */
async function placedAfter(from: number, n = 2): Promise<void> {
  await until(`${n} orders placed`, () => s.named('order_placed', from).length >= n, 20_000);
}

beforeAll(async () => {
  // The REST path under faults: orders over REST only (tests/faults/ws-api.test.ts covers the WebSocket API).
  s = await startSession({ env: { MM_ORDER_TRANSPORT: 'rest' } });
  watcher = watchOpenOrders(s);
  await until('first quotes', () => s.openAtSim().total >= 2);
}, 30_000);

afterAll(async () => {
  watcher?.stop();
  await s?.close();
});

describe('REST faults', () => {
  it('5xx: a POST is never retried (ambiguous, then settled); GET/DELETE are retried', async () => {
    const from = s.events.length;
    const started = Date.now();
    s.sim.faults.setHttpErrorRates(0.2, 0.1);
    await until('ambiguous orders under 5xx', () => s.named('order_ambiguous', from).length >= 3, 20_000);
    s.sim.faults.setHttpErrorRates(0, 0);
    await settled();
    // Every order_submit reached the simulator exactly once: the number of POSTs equals the
    // number of submits, and no client id was ever submitted twice.
    const submits = s.named('order_submit', from).map((e) => e.fields.client_id);
    expect(new Set(submits).size).toBe(submits.length);
    expect(postsSince(started)).toBe(submits.length);
    for (const ambiguous of s.named('order_ambiguous', from)) {
      const id = ambiguous.fields.client_id;
      expect(
        s.named('order_settled', from).some((e) => e.fields.client_id === id),
        `settlement of ${String(id)}`,
      ).toBe(true);
    }
    await placedAfter(s.events.length);
  }, 40_000);

  it('503 "unknown": orders created anyway are taken from the user stream, missing ones settled by a query', async () => {
    const from = s.events.length;
    const firstRequest = s.requests.length;
    // Each order is judged by the fault the simulator planned for its own request, never by when
    // the mode switched: an order sent just before a switch may be answered after it.
    const faultOf = (clientId: string) =>
      s.requests.slice(firstRequest).find((r) => r.method === 'POST' && r.path === ORDER && r.params['newClientOrderId'] === clientId)?.order503 ?? null;
    const unknown = (mode: 'created' | 'not-created') =>
      s
        .named('order_submit_result', from)
        .filter((e) => e.fields.outcome === 'ambiguous' && /HTTP 503/.test(String(e.fields.error)) && faultOf(String(e.fields.client_id)) === mode)
        .map((e) => String(e.fields.client_id));
    s.sim.faults.setOrder503(0.4, 'created');
    await until('two orders answered 503 and created', () => unknown('created').length >= 2, 20_000);
    s.sim.faults.setOrder503(0.4, 'not-created');
    await until('two orders answered 503 and not created', () => unknown('not-created').length >= 2, 20_000);
    s.sim.faults.setOrder503(0, 'not-created');
    await settled();
    const settlementOf = (id: string) => s.named('order_settled', from).find((e) => e.fields.client_id === id)?.fields;
    // Created anyway: the user stream's NEW reached the runner, which tracks the order as live.
    for (const id of unknown('created')) {
      expect(
        s.named('order_update', from).some((u) => u.fields.client_id === id && u.fields.execution === 'NEW'),
        `NEW of ${id}`,
      ).toBe(true);
      expect(settlementOf(id)?.status, `settlement of ${id}`).not.toBe('NOT_FOUND');
    }
    // Not created: a status query finds no such order once it can no longer appear.
    for (const id of unknown('not-created')) {
      expect(settlementOf(id), `settlement of ${id}`).toMatchObject({ status: 'NOT_FOUND', via: 'query' });
    }
    await placedAfter(s.events.length);
  }, 60_000);

  it('timeouts: an order that reaches the venue after the client gave up is settled, never written off', async () => {
    const from = s.events.length;
    // Held 4.5 s: past the 2 s request timeout and the first status query, within recvWindow (5 s).
    for (let i = 0; i < 40 && s.named('order_ambiguous', from).filter((e) => /timeout/i.test(String(e.fields.reason))).length < 2; i++) {
      s.sim.faults.holdRequests(4_500, 1);
      await sleep(500);
    }
    s.sim.faults.holdRequests(0, 0);
    const timedOut = s.named('order_ambiguous', from).filter((e) => /timeout/i.test(String(e.fields.reason)));
    expect(timedOut.length).toBeGreaterThanOrEqual(1);
    await settled();
    await sleep(5_000);
    await settled();
    // Whatever the held requests did, the runner's open orders are the simulator's.
    const books = await s.quiesce();
    expect(books.runner.openOrders).toBe(books.sim.openOrders);
    s.resumeMarket();
    await placedAfter(s.events.length);
  }, 60_000);

  it('429/-1003 with Retry-After: nothing but the dead-man refresh is sent until the hint has passed, then trading resumes', async () => {
    const from = s.events.length;
    const t0 = Date.now();
    s.sim.faults.force429(1, 2);
    await until('the 429', () => s.named('rate_limited', from).length > 0 || s.sim.faults.snapshot().pending429 === 0, 10_000);
    const hit = s.requests.find((r) => r.atMs >= t0);
    expect(hit).toBeDefined();
    const answeredAt = hit?.atMs ?? t0;
    await sleep(2_500);
    const during = s.requests.filter((r) => r.atMs > answeredAt + 50 && r.atMs < answeredAt + 1_900);
    // Only the dead-man switch's refresh is urgent enough to go out during a 429 back-off.
    expect(during.map((r) => `${r.method} ${r.path}`).filter((r) => r !== 'POST /fapi/v1/countdownCancelAll')).toEqual([]);
    await placedAfter(s.events.length);
    expect(s.named('rate_limited', from).every((e) => e.fields.retry_after_ms === 2000 || Number(e.fields.retry_after_ms) <= 2000)).toBe(true);
  }, 30_000);

  it('418 ban: the runner stops sending for the whole ban, suppresses quoting, then resumes', async () => {
    const from = s.events.length;
    const t0 = Date.now();
    s.sim.faults.ban(3_000);
    await sleep(3_500);
    const first = s.requests.find((r) => r.atMs >= t0);
    expect(first).toBeDefined();
    const during = s.requests.filter((r) => r.atMs > (first?.atMs ?? t0) + 50 && r.atMs < t0 + 2_900);
    // Only the dead-man switch's refresh is urgent enough to go out during a 429 back-off.
    expect(during.map((r) => `${r.method} ${r.path}`).filter((r) => r !== 'POST /fapi/v1/countdownCancelAll')).toEqual([]);
    const limited = s.named('rate_limited', from);
    expect(limited.some((e) => e.fields.status === 418)).toBe(true);
    expect(s.named('quote_suppressed', from).some((e) => e.fields.reason === 'rate_limited')).toBe(true);
    await placedAfter(s.events.length);
  }, 30_000);

  it('-1021: the clock is resynced and trading continues', async () => {
    const from = s.events.length;
    const t0 = Date.now();
    s.sim.faults.forceTimestampErrors(3);
    await until('-1021 consumed', () => s.sim.faults.snapshot().timestampErrors === 0, 10_000);
    await until('a time resync', () => s.requests.some((r) => r.atMs >= t0 && r.path === '/fapi/v1/time'), 10_000);
    await placedAfter(from + 0, 2);
    await settled();
  }, 30_000);

  it('connection resets: POSTs become ambiguous and are settled, GETs are retried', async () => {
    const from = s.events.length;
    for (let i = 0; i < 20 && s.named('order_ambiguous', from).length < 2; i++) {
      s.sim.faults.resetConnections(2);
      await sleep(300);
    }
    s.sim.faults.resetConnections(0);
    expect(s.named('order_ambiguous', from).length).toBeGreaterThanOrEqual(1);
    await settled();
    await placedAfter(s.events.length);
  }, 30_000);

  it("never had two orders resting on one side, and ends with the simulator's books to the tick", async () => {
    expect(watcher.max(), watcher.worst()).toBeLessThanOrEqual(1);
    const books = await s.quiesce();
    expect(exact(books.runner), JSON.stringify(books)).toEqual(exact(books.sim));
    expect(realizedGap(books) <= BigInt(s.named('order_filled').length) * REALIZED_ROUNDING_PER_FILL, JSON.stringify(books)).toBe(true);
    const fills = s.named('order_filled');
    expect(fills.length).toBeGreaterThan(0);
  }, 30_000);
});
