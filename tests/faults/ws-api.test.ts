/**
 * Order entry over the WebSocket API under faults, against a trading runner (the default
 * transport): a connection cut mid-request before or after the order took effect, an answer held
 * past the client's timeout, 503 "Unknown error" (created or not), a 429, and an outage with REST
 * taking over and handing back. Each order is judged by the fault the simulator planned for its
 * own request (ObservedRequest.fault); across all of it no order is sent twice (over either
 * transport), none is lost, and the runner's books end equal to the simulator's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObservedRequest } from '../../src/sim/faults.ts';
import { exact, realizedGap, REALIZED_ROUNDING_PER_FILL, startSession, until, watchOpenOrders, type Session } from './harness.ts';

let s: Session;
let watcher: ReturnType<typeof watchOpenOrders>;

/** Returns true for a request that places an order, over either transport. */
function placesOrder(r: ObservedRequest): boolean {
  return (r.method === 'WS' && r.path === 'order.place') || (r.method === 'POST' && r.path === '/fapi/v1/order');
}

/** Returns the order placements since request index `from`, keyed by client order id. */
function placements(from = 0): Map<string, ObservedRequest[]> {
  const byId = new Map<string, ObservedRequest[]>();
  for (const r of s.requests.slice(from).filter(placesOrder)) {
    const id = r.params['newClientOrderId'] ?? '';
    byId.set(id, [...(byId.get(id) ?? []), r]);
  }
  return byId;
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

async function placedAfter(from: number, n = 2): Promise<void> {
  await until(`${n} orders placed`, () => s.named('order_placed', from).length >= n, 20_000);
}

/** Arms `fault` for the next order.place and returns the client id of the order it hit, once the runner has sent one. */
async function hit(fault: Parameters<Session['sim']['faults']['armWsApiFault']>[0], described: string): Promise<string> {
  const from = s.requests.length;
  s.sim.faults.armWsApiFault(fault, { method: 'order.place' });
  const request = await until(`an order.place with ${described}`, () => s.requests.slice(from).find((r) => placesOrder(r) && r.fault === described), 20_000);
  return request.params['newClientOrderId'] ?? '';
}

beforeAll(async () => {
  s = await startSession();
  watcher = watchOpenOrders(s);
  await until('first quotes over the WebSocket API', () => s.openAtSim().total >= 2 && s.requests.some((r) => r.method === 'WS' && r.path === 'order.place'));
}, 30_000);

afterAll(async () => {
  watcher?.stop();
  await s?.close();
});

describe('WebSocket API faults', () => {
  it('orders go over the WebSocket API while it is up: no order POST over REST', async () => {
    const from = s.requests.length;
    const events = s.events.length;
    await placedAfter(events, 4);
    // Every order placed meanwhile went over the WebSocket API (one of them may have been sent
    // just before `from`: judged by its own request, wherever it is), and no POST was sent since.
    const placed = s.named('order_placed', events).map((e) => String(e.fields.client_id));
    const byId = placements();
    for (const id of placed)
      expect(
        byId.get(id)?.map((r) => r.method),
        id,
      ).toEqual(['WS']);
    expect(s.requests.slice(from).filter((r) => placesOrder(r) && r.method !== 'WS')).toEqual([]);
    expect(s.named('order_transport_changed').at(-1)?.fields).toMatchObject({ transport: 'ws' });
    expect(await s.readyBody()).toMatchObject({ status: 'ok', order_transport: 'ws' });
  }, 30_000);

  it.each([
    ['after the order took effect', true, 'drop (processed)'],
    ['before the order took effect', false, 'drop (not processed)'],
  ])(
    'a connection cut mid-request %s: ambiguous, settled by what the venue did, never sent again',
    async (_when, processed, described) => {
      const from = s.requests.length;
      const events = s.events.length;
      const id = await hit({ kind: 'drop', processed }, described);
      // The request's outcome is unknown to the client (the venue's user stream may tell first).
      await until('the outcome unknown', () =>
        s.named('order_submit_result', events).some((e) => e.fields.client_id === id && e.fields.outcome === 'ambiguous'),
      );
      await settled();
      const settlement = s.named('order_settled', events).find((e) => e.fields.client_id === id)?.fields;
      const created = s.named('order_update', events).some((u) => u.fields.client_id === id && u.fields.execution === 'NEW');
      if (processed) expect(created || settlement?.status === 'EXPIRED', JSON.stringify(settlement)).toBe(true);
      if (processed) expect(settlement?.status).not.toBe('NOT_FOUND');
      else expect(settlement).toMatchObject({ status: 'NOT_FOUND', via: 'query' });
      expect(placements(from).get(id)).toHaveLength(1);
      await placedAfter(s.events.length);
    },
    60_000,
  );

  it('an answer held past the timeout: ambiguous, then settled by what the venue did with the late request', async () => {
    const events = s.events.length;
    // Held 3 s: past the 2 s request timeout, within recvWindow (5 s). Processed late, the post-only
    // order is created, or refused when the market has moved into it meanwhile.
    const id = await hit({ kind: 'hold', ms: 3_000 }, 'hold 3000 ms');
    await until('the order ambiguous', () =>
      s.named('order_ambiguous', events).some((e) => e.fields.client_id === id && /no answer/i.test(String(e.fields.reason))),
    );
    await settled();
    const created = s.named('order_update', events).some((u) => u.fields.client_id === id && u.fields.execution === 'NEW');
    const settlement = s.named('order_settled', events).find((e) => e.fields.client_id === id)?.fields;
    if (created) expect(settlement?.status).not.toBe('NOT_FOUND');
    else expect(settlement).toMatchObject({ status: 'NOT_FOUND', via: 'query' });
    const books = await s.quiesce();
    expect(books.runner.openOrders).toBe(books.sim.openOrders);
    s.resumeMarket();
    await placedAfter(s.events.length);
  }, 60_000);

  it.each([
    ['created', 'unknown (created)'],
    ['not-created', 'unknown (not-created)'],
  ] as const)(
    '503 "Unknown error" (%s): ambiguous, told apart by the user stream or a status query',
    async (mode, described) => {
      const events = s.events.length;
      const id = await hit({ kind: 'unknown', mode }, described);
      await settled();
      const settlement = s.named('order_settled', events).find((e) => e.fields.client_id === id)?.fields;
      if (mode === 'created') {
        expect(s.named('order_update', events).some((u) => u.fields.client_id === id && u.fields.execution === 'NEW')).toBe(true);
        expect(settlement?.status).not.toBe('NOT_FOUND');
      } else {
        expect(settlement).toMatchObject({ status: 'NOT_FOUND', via: 'query' });
      }
      await placedAfter(s.events.length);
    },
    60_000,
  );

  it('a WebSocket API outage: REST takes over at once, and orders come back to the WebSocket API when it is up', async () => {
    const events = s.events.length;
    const from = s.requests.length;
    s.sim.faults.setWsApiDown(true);
    await until('the switch to REST', () => s.named('order_transport_changed', events).some((e) => e.fields.transport === 'rest'));
    await until('orders over REST', () => s.requests.slice(from).some((r) => placesOrder(r) && r.method === 'POST'), 20_000);
    expect(await s.readyBody()).toMatchObject({ order_transport: 'rest' });
    await until('an order acknowledged over REST', () =>
      s.named('order_submit_result', events).some((e) => e.fields.transport === 'rest' && e.fields.outcome === 'accepted'),
    );
    const during = await s.metrics();
    // REST's latency series exists from its first order on.
    expect(during).toMatch(/^mm_order_latency_ms_count\{[^}]*transport="rest"[^}]*\} [1-9]/m);
    expect(during).toMatch(/^mm_order_transport\{[^}]*transport="rest"[^}]*\} 1$/m);
    expect(during).toMatch(/^mm_order_transport\{[^}]*transport="ws"[^}]*\} 0$/m);
    const back = s.requests.length;
    s.sim.faults.setWsApiDown(false);
    await until('the switch back', () => s.named('order_transport_changed', events).some((e) => e.fields.transport === 'ws'), 30_000);
    await until('orders over the WebSocket API again', () => s.requests.slice(back).some((r) => placesOrder(r) && r.method === 'WS'), 20_000);
    expect(await s.metrics()).toMatch(/^mm_order_transport\{[^}]*transport="ws"[^}]*\} 1$/m);
    await settled();
    for (const [id, sent] of placements(from)) expect(sent, id).toHaveLength(1);
  }, 90_000);

  it('never had two orders resting on one side, sent no order twice over either transport, and ends with the simulator books to the tick', async () => {
    watcher.stop();
    expect(watcher.max(), watcher.worst()).toBeLessThanOrEqual(1);
    for (const [id, sent] of placements()) expect(sent, id).toHaveLength(1);
    // None is lost: every order the runner submitted reached the venue once, or, written into a
    // connection that was dying, never arrived and was settled NOT_FOUND by a status query.
    const submitted = new Set(s.named('order_submit').map((e) => String(e.fields.client_id)));
    const notFound = new Set(
      s
        .named('order_settled')
        .filter((e) => e.fields.status === 'NOT_FOUND')
        .map((e) => String(e.fields.client_id)),
    );
    for (const id of submitted) expect(placements().has(id) || notFound.has(id), id).toBe(true);
    for (const id of placements().keys()) expect(submitted.has(id), id).toBe(true);
    await settled();
    const books = await s.quiesce();
    expect(exact(books.runner), JSON.stringify(books)).toEqual(exact(books.sim));
    expect(realizedGap(books) <= BigInt(s.named('order_filled').length) * REALIZED_ROUNDING_PER_FILL, JSON.stringify(books)).toBe(true);
  }, 60_000);
});
