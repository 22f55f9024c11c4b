/**
 * The simulator's WebSocket API (/ws-fapi/v1) over real loopback sockets: the same engine,
 * checks, errors and rate limits as REST, Binance's signature rule, and every WebSocket API
 * fault (dropped connection before or after the request took effect, held answer, unknown
 * outcome both ways, 429, 418, -1021, outage) through the fault controller and the admin API.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/simulator.ts';
import { loadFixture } from '../exchange/fake-binance.ts';
import { capture, manualClock, signed, signWsApi, wsApiCall, type Captured } from './sim-client.ts';

let sim: SimulatorHandle;
const sockets: Captured[] = [];

async function open(url = sim.wsApiUrl): Promise<Captured> {
  const socket = await capture(url);
  sockets.push(socket);
  return socket;
}

async function admin(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${sim.restUrl}/sim/admin/${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' },
  });
  return { status: response.status, body: await response.json() };
}

const bid = (clientOrderId: string) => ({
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTX',
  quantity: '0.005',
  price: '30000.00',
  newClientOrderId: clientOrderId,
});
const status = (clientOrderId: string) => signWsApi(sim, { symbol: 'BTCUSDT', origClientOrderId: clientOrderId });

beforeEach(async () => {
  sim = await startSimulator({ symbols: ['BTCUSDT'], autoStep: false, rateLimits: { orders10s: 5 } });
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await sim.close();
});

describe('WebSocket API: the same venue as REST', () => {
  it('places, queries, modifies and cancels through the engine REST sees, with rateLimits shared with REST', async () => {
    const api = await open();
    const placed = await wsApiCall(api, 'order.place', signWsApi(sim, { ...bid('ws-1'), newOrderRespType: 'RESULT' }));
    expect(placed).toMatchObject({ status: 200, result: { clientOrderId: 'ws-1', status: 'NEW', price: '30000.00', origQty: '0.005' } });
    // The handshake cost 5 weight; order.place costs none.
    expect(placed.rateLimits).toEqual([
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400, count: 5 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 5, count: 1 },
      { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200, count: 1 },
    ]);
    const rest = await signed(sim, 'GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'ws-1' });
    expect(rest.body).toMatchObject({ status: 'NEW', orderId: placed.result.orderId });
    const weightAfterRest = Number(rest.headers.get('x-mbx-used-weight-1m'));
    const queried = await wsApiCall(api, 'order.status', status('ws-1'));
    expect(queried.result).toMatchObject({ orderId: placed.result.orderId, status: 'NEW' });
    expect(queried.rateLimits).toEqual([{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400, count: weightAfterRest + 1 }]);
    const modified = await wsApiCall(
      api,
      'order.modify',
      signWsApi(sim, { symbol: 'BTCUSDT', origClientOrderId: 'ws-1', side: 'BUY', quantity: '0.006', price: '30000.10' }),
    );
    expect(modified.result).toMatchObject({ origQty: '0.006', price: '30000.10', status: 'NEW' });
    const cancelled = await wsApiCall(api, 'order.cancel', status('ws-1'));
    expect(cancelled.result).toMatchObject({ status: 'CANCELED', clientOrderId: 'ws-1' });
    expect(sim.state().openOrders).toEqual([]);
    const position = await wsApiCall(api, 'v2/account.position', signWsApi(sim, { symbol: 'BTCUSDT' }));
    expect(position.status).toBe(200);
    expect(Array.isArray(position.result)).toBe(true);
  });

  it("answers the engine's own errors with REST's codes and statuses", async () => {
    const api = await open();
    const tooSmall = await wsApiCall(api, 'order.place', signWsApi(sim, { ...bid('ws-small'), quantity: '0.001' }));
    expect(tooSmall).toMatchObject({ status: 400, error: { code: -4164 } });
    const offTick = await wsApiCall(api, 'order.place', signWsApi(sim, { ...bid('ws-tick'), price: '30000.05' }));
    expect(offTick).toMatchObject({ status: 400, error: { code: -4014 } });
    expect(await wsApiCall(api, 'order.cancel', status('never'))).toMatchObject({ status: 400, error: { code: -2011 } });
    expect(await wsApiCall(api, 'order.status', status('never'))).toMatchObject({ status: 400, error: { code: -2013 } });
  });

  it('accepts the documented HMAC example at its timestamp (the example key pair is the default)', async () => {
    const clock = manualClock(1645423376532);
    const docs = await startSimulator({ symbols: ['BTCUSDT'], autoStep: false, clock });
    const api = await open(docs.wsApiUrl);
    const example = loadFixture('ws-api-signing-example') as { request: { method: string; params: Record<string, unknown> }; signature: string };
    const answer = await wsApiCall(api, example.request.method, { ...example.request.params, signature: example.signature });
    await docs.close();
    expect(answer).toMatchObject({ status: 200, result: { symbol: 'BTCUSDT', side: 'SELL', origQty: '0.010', price: '52000.00' } });
  });

  it('checks the key, the signature and the timing like REST', async () => {
    const api = await open();
    const good = signWsApi(sim, bid('ws-auth'));
    expect(await wsApiCall(api, 'order.place', { ...good, signature: '0'.repeat(64) })).toMatchObject({ status: 400, error: { code: -1022 } });
    const { apiKey: _dropped, ...noKey } = good;
    expect(await wsApiCall(api, 'order.place', noKey)).toMatchObject({ status: 401, error: { code: -2014 } });
    expect(await wsApiCall(api, 'order.place', signWsApi(sim, bid('ws-auth'), { apiKey: 'someone-else' }))).toMatchObject({
      status: 401,
      error: { code: -2015 },
    });
    const stale = signWsApi(sim, bid('ws-auth'), { timestamp: sim.exchange.clock.nowMs() - 60_000 });
    expect(await wsApiCall(api, 'order.place', stale)).toMatchObject({ status: 400, error: { code: -1021 } });
    expect(await wsApiCall(api, 'order.dance', {})).toMatchObject({ status: 400, error: { code: -1020 } });
    api.ws.send('not json');
    expect(await api.next((m) => m.id === null)).toMatchObject({ status: 400, error: { code: -1102 } });
    expect(sim.state().openOrders).toEqual([]);
  });

  it('answers 429 with -1015 and when to retry once the order limit is used up; rateLimits can be hidden', async () => {
    const api = await open();
    for (let i = 0; i < 5; i++) expect((await wsApiCall(api, 'order.place', signWsApi(sim, bid(`ws-limit-${i}`)))).status).toBe(200);
    const refused = await wsApiCall(api, 'order.place', signWsApi(sim, bid('ws-limit-5')));
    expect(refused).toMatchObject({ status: 429, error: { code: -1015, data: { serverTime: expect.any(Number), retryAfter: expect.any(Number) } } });
    expect(refused.error.data.retryAfter).toBeGreaterThan(refused.error.data.serverTime);
    expect(sim.state().openOrders).toHaveLength(5);
    const hidden = await wsApiCall(api, 'order.status', { ...status('ws-limit-0'), returnRateLimits: false });
    expect(hidden.rateLimits).toBeUndefined();
    const quiet = await open(`${sim.wsApiUrl}?returnRateLimits=false`);
    expect((await wsApiCall(quiet, 'order.status', status('ws-limit-0'))).rateLimits).toBeUndefined();
  });
});

describe('WebSocket API faults', () => {
  it('cuts the connection without an answer, before or after the order took effect', async () => {
    sim.faults.armWsApiFault({ kind: 'drop', processed: false }, { method: 'order.place' });
    const first = await open();
    first.ws.send(JSON.stringify({ id: 'd1', method: 'order.place', params: signWsApi(sim, bid('ws-drop-1')) }));
    expect((await first.closed).code).toBe(1006);
    expect(first.messages).toEqual([]);
    expect((await admin('ws-api/fault', { kind: 'drop', processed: true, method: 'order.place' })).status).toBe(200);
    const second = await open();
    second.ws.send(JSON.stringify({ id: 'd2', method: 'order.place', params: signWsApi(sim, bid('ws-drop-2')) }));
    await second.closed;
    expect(second.messages).toEqual([]);
    expect(sim.state().openOrders.map((o) => o['clientOrderId'])).toEqual(['ws-drop-2']);
  });

  it('holds an answer, processing the request after the hold', async () => {
    sim.faults.armWsApiFault({ kind: 'hold', ms: 300 });
    const api = await open();
    const sentAt = performance.now();
    const answer = await wsApiCall(api, 'order.place', signWsApi(sim, bid('ws-held')));
    expect(performance.now() - sentAt).toBeGreaterThanOrEqual(290);
    expect(answer.status).toBe(200);
    expect(sim.state().openOrders).toHaveLength(1);
  });

  it('answers 503 "Unknown error" with the order created, or not', async () => {
    const api = await open();
    sim.faults.armWsApiFault({ kind: 'unknown', mode: 'created' });
    const created = await wsApiCall(api, 'order.place', signWsApi(sim, bid('ws-503-created')));
    expect(created).toMatchObject({ status: 503, error: { code: -1000, msg: 'Unknown error, please check your request or try again later.' } });
    await admin('ws-api/fault', { kind: 'unknown', mode: 'not-created' });
    expect((await wsApiCall(api, 'order.place', signWsApi(sim, bid('ws-503-lost')))).status).toBe(503);
    expect((await wsApiCall(api, 'order.status', status('ws-503-created'))).result.status).toBe('NEW');
    expect((await wsApiCall(api, 'order.status', status('ws-503-lost'))).error.code).toBe(-2013);
  });

  it('answers a forced 429, -1021, and 418 while the IP is banned', async () => {
    const api = await open();
    await admin('ws-api/fault', { kind: 'rate-limit', retryAfterSec: 7 });
    const limited = await wsApiCall(api, 'order.status', status('x'));
    expect(limited).toMatchObject({ status: 429, error: { code: -1003 } });
    expect(limited.error.data.retryAfter - limited.error.data.serverTime).toBe(7000);
    await admin('ws-api/fault', { kind: 'timestamp', method: 'order.place' });
    expect(await wsApiCall(api, 'order.status', status('x'))).toMatchObject({ error: { code: -2013 } });
    expect(await wsApiCall(api, 'order.place', signWsApi(sim, bid('ws-ts')))).toMatchObject({ status: 400, error: { code: -1021 } });
    sim.faults.ban(120_000);
    expect(await wsApiCall(api, 'order.place', signWsApi(sim, bid('ws-banned')))).toMatchObject({ status: 418, error: { code: -1003 } });
    expect(sim.state().openOrders).toEqual([]);
  });

  it('an outage refuses new connections and cuts open ones until it ends', async () => {
    const api = await open();
    const outage = await admin('ws-api/outage', { down: true });
    expect(outage.body).toEqual({ down: true, dropped: 1 });
    await api.closed;
    await expect(capture(sim.wsApiUrl)).rejects.toThrow(/503/);
    await admin('ws-api/outage', { down: false });
    const again = await open();
    expect((await wsApiCall(again, 'order.status', status('x'))).error.code).toBe(-2013);
  });

  it('an injected frame reaches WebSocket API connections (target api), and a connection closes at its lifetime', async () => {
    const short = await startSimulator({ symbols: ['BTCUSDT'], autoStep: false, wsApiConnectionLifetimeMs: 200 });
    const api = await open(short.wsApiUrl);
    expect(short.faults.injectFrame('api', '{"not":"an answer"}')).toBe(1);
    expect(await api.next((m) => m.not === 'an answer')).toEqual({ not: 'an answer' });
    expect((await api.closed).code).toBe(1000);
    await short.close();
  });
});
