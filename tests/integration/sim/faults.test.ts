import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SimState } from '../../../src/sim/sim-state.ts';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/simulator.ts';
import { capture, manualClock, signed, unsigned, type Captured, type ManualClock } from './sim-client.ts';

let sim: SimulatorHandle;
let clock: ManualClock;
const sockets: Captured[] = [];

beforeEach(async () => {
  clock = manualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
  sim = await startSimulator({ symbols: ['BTCUSDT'], autoStep: false, clock });
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await sim.close();
});

const bid = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.005', price: '60000.00' };

/** Steps the market for 2 s of its clock: a silent socket gets no frame and no pong, and stays open. */
async function expectSilent(socket: Captured): Promise<void> {
  let pongs = 0;
  socket.ws.on('pong', () => void (pongs += 1));
  socket.ws.ping();
  for (let i = 0; i < 20; i++) {
    clock.advance(100);
    sim.step();
  }
  await new Promise((r) => setTimeout(r, 100));
  expect(socket.messages).toEqual([]);
  expect(pongs).toBe(0);
  expect(socket.ws.readyState).toBe(socket.ws.OPEN);
}

/** Steps the market until the socket receives a book ticker. */
async function expectTalking(socket: Captured): Promise<void> {
  await socket.next(
    (m) => m.e === 'bookTicker',
    10_000,
    () => {
      clock.advance(100);
      sim.step();
    },
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function admin(path: string, body: unknown = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${sim.restUrl}/sim/admin/${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' },
  });
  return { status: response.status, body: await response.json() };
}

describe('simulator fault injection', () => {
  it('answers an order with 503 "Unknown error" and creates it anyway, or not, as configured', async () => {
    sim.faults.setOrder503(1, 'created');
    const created = await signed(sim, 'POST', '/fapi/v1/order', { ...bid, newClientOrderId: 'amb-1' });
    expect(created.status).toBe(503);
    expect(created.body).toEqual({ code: -1000, msg: 'Unknown error, please check your request or try again later.' });
    sim.faults.setOrder503(1, 'not-created');
    const notCreated = await signed(sim, 'POST', '/fapi/v1/order', { ...bid, newClientOrderId: 'amb-2' });
    expect(notCreated.status).toBe(503);
    sim.faults.setOrder503(0, 'not-created');
    expect((await signed(sim, 'GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'amb-1' })).body.status).toBe('NEW');
    expect((await signed(sim, 'GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'amb-2' })).body.code).toBe(-2013);
  });

  it('forces 429 with Retry-After, then 418 while banned, over the admin API', async () => {
    expect((await admin('faults/force429', { count: 1, retryAfterSec: 7 })).status).toBe(200);
    const limited = await unsigned(sim, 'GET', '/fapi/v1/time');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body.code).toBe(-1003);
    expect((await unsigned(sim, 'GET', '/fapi/v1/time')).status).toBe(200);

    await admin('faults/ban', { ms: 120_000 });
    const banned = await unsigned(sim, 'GET', '/fapi/v1/time');
    expect([banned.status, banned.body.code]).toEqual([418, -1003]);
    clock.advance(120_001);
    expect((await unsigned(sim, 'GET', '/fapi/v1/time')).status).toBe(200);
  });

  it('enforces the order-count limit with 429 -1015', async () => {
    await sim.close();
    sim = await startSimulator({ symbols: ['BTCUSDT'], autoStep: false, clock, rateLimits: { orders10s: 2 } });
    expect((await signed(sim, 'POST', '/fapi/v1/order', bid)).status).toBe(200);
    expect((await signed(sim, 'POST', '/fapi/v1/order', bid)).status).toBe(200);
    const third = await signed(sim, 'POST', '/fapi/v1/order', bid);
    expect([third.status, third.body.code]).toEqual([429, -1015]);
    clock.advance(10_000);
    expect((await signed(sim, 'POST', '/fapi/v1/order', bid)).status).toBe(200);
  });

  it('forces -1021, HTTP 500 and connection resets', async () => {
    sim.faults.forceTimestampErrors(1);
    expect((await signed(sim, 'GET', '/fapi/v3/balance', {})).body.code).toBe(-1021);
    expect((await signed(sim, 'GET', '/fapi/v3/balance', {})).status).toBe(200);
    sim.faults.setHttpErrorRates(1);
    expect((await unsigned(sim, 'GET', '/fapi/v1/ping')).status).toBe(500);
    sim.faults.setHttpErrorRates(0);
    sim.faults.resetConnections(1);
    await expect(fetch(`${sim.restUrl}/fapi/v1/ping`)).rejects.toThrow();
    expect((await unsigned(sim, 'GET', '/fapi/v1/ping')).status).toBe(200);
  });

  it('holds a request so that a client timeout fires, and still processes it', async () => {
    sim.faults.holdRequests(300);
    const timedOut = signed(sim, 'POST', '/fapi/v1/order', { ...bid, newClientOrderId: 'held-1' }, { signal: AbortSignal.timeout(50) });
    await expect(timedOut).rejects.toThrow();
    expect((await signed(sim, 'GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'held-1' })).body.code).toBe(-2013);
    let status: unknown;
    for (let i = 0; i < 100 && status === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await signed(sim, 'GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'held-1' })).body.status;
    }
    expect(status).toBe('NEW');
  });

  it('rejects the next keepalive with -1125 and expires the listenKey on demand', async () => {
    const { body } = await unsigned(sim, 'POST', '/fapi/v1/listenKey', true);
    const user = await capture(`${sim.wsUrl}/private/ws/${body.listenKey}`);
    sockets.push(user);
    await admin('listen-key/reject-keepalive', { count: 1 });
    expect((await unsigned(sim, 'PUT', '/fapi/v1/listenKey', true)).body.code).toBe(-1125);
    expect((await unsigned(sim, 'PUT', '/fapi/v1/listenKey', true)).status).toBe(200);
    sim.faults.expireListenKeyNow();
    expect((await user.next((m) => m.e === 'listenKeyExpired')).listenKey).toBe(body.listenKey);
    await user.closed;
  });

  it('drops market sockets with a close code, and silences sockets without closing them', async () => {
    const market = await capture(`${sim.wsUrl}/public/ws/btcusdt@bookTicker`);
    sockets.push(market);
    expect((await admin('ws/drop', { target: 'market', code: 1012 })).body).toEqual({ dropped: 1 });
    expect((await market.closed).code).toBe(1012);

    const quiet = await capture(`${sim.wsUrl}/public/ws/btcusdt@bookTicker`);
    sockets.push(quiet);
    sim.faults.silenceSockets('market');
    await expectSilent(quiet);
    sim.faults.silenceSockets('market', false);
    await expectTalking(quiet);
  });

  it('with includingNew, market sockets opened later are silent from the start until the market is un-silenced', async () => {
    expect((await admin('ws/silence', { target: 'market', includingNew: true })).status).toBe(200);
    const late = await capture(`${sim.wsUrl}/public/ws/btcusdt@bookTicker`);
    const { body: key } = await unsigned(sim, 'POST', '/fapi/v1/listenKey', true);
    const user = await capture(`${sim.wsUrl}/private/ws/${String(key.listenKey)}`);
    sockets.push(late, user);
    await expectSilent(late);
    expect(sim.faults.injectFrame('user', '{"e":"probe"}')).toBe(1); // the user route is not silenced
    await user.next((m) => m.e === 'probe', 2_000);
    sim.faults.silenceSockets('market', false);
    const after = await capture(`${sim.wsUrl}/public/ws/btcusdt@bookTicker`);
    sockets.push(after);
    for (const socket of [late, after]) await expectTalking(socket);
  });

  it('exposes the account state over the admin API', async () => {
    await signed(sim, 'POST', '/fapi/v1/order', { ...bid, newClientOrderId: 'state-1' });
    await signed(sim, 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002' });
    const response = await fetch(`${sim.restUrl}/sim/admin/state`);
    const state = (await response.json()) as SimState;
    expect(state.openOrders.map((o) => o['clientOrderId'])).toEqual(['state-1']);
    expect(state.positions[0]).toMatchObject({ symbol: 'BTCUSDT', positionAmt: '0.002' });
    expect(state.trades).toHaveLength(1);
    expect(state.trades[0]).toMatchObject({ side: 'BUY', qty: '0.002', maker: false });
    expect(Number(state.walletBalance)).toBeCloseTo(10_000 - Number(state.totals.fees), 8);
    expect((await admin('faults', { http500Probability: 2 })).status).toBe(400);
  });

  it('cancels all orders when the countdown elapses', async () => {
    await signed(sim, 'POST', '/fapi/v1/order', bid);
    const armed = await signed(sim, 'POST', '/fapi/v1/countdownCancelAll', { symbol: 'BTCUSDT', countdownTime: '5000' });
    expect(armed.body).toEqual({ symbol: 'BTCUSDT', countdownTime: '5000' });
    clock.advance(4_900);
    sim.step();
    expect(sim.state().openOrders).toHaveLength(1);
    clock.advance(200);
    sim.step();
    expect(sim.state().openOrders).toHaveLength(0);
  });

  it('pings clients on its own timer', async () => {
    await sim.close();
    sim = await startSimulator({ symbols: ['BTCUSDT'], autoStep: false, clock, wsPingIntervalMs: 30 });
    const socket = await capture(`${sim.wsUrl}/market/ws/btcusdt@markPrice`);
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.ws.once('ping', () => resolve()));
  });
});
