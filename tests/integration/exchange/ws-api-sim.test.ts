/**
 * The WebSocket API client and the adapter against the simulator over loopback sockets: the
 * connection renewed before the venue's age limit without losing a request, a reconnect when
 * the venue closes it, and ambiguous orders (dropped connection, held answer, unknown outcome)
 * settled by the user stream or a status query and never sent twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrderUpdate, PlaceOrder } from '../../../src/core/model.ts';
import type { BinanceVenue } from '../../../src/exchange/binance-venue.ts';
import { ExchangeError } from '../../../src/exchange/errors.ts';
import { RateLimitGate } from '../../../src/exchange/rate-limit-gate.ts';
import { WsApiClient, type WsApiClientOptions, type WsApiStateChange } from '../../../src/exchange/ws-api-client.ts';
import { WsApiTrading } from '../../../src/exchange/ws-api-trading.ts';
import type { ObservedRequest } from '../../../src/sim/faults.ts';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/simulator.ts';
import { realClock, recordingListener, until, venueFor, type Recorded } from './helpers.ts';

let sim: SimulatorHandle;
const requests: ObservedRequest[] = [];

/** How many times `clientOrderId` was sent to the venue as a new order, over either transport. */
const sends = (clientOrderId: string): number =>
  requests.filter(
    (r) =>
      ((r.method === 'WS' && r.path === 'order.place') || (r.method === 'POST' && r.path === '/fapi/v1/order')) &&
      r.params['newClientOrderId'] === clientOrderId,
  ).length;

afterEach(async () => {
  requests.length = 0;
  await sim.close();
});

describe('WebSocket API connection lifetime (client on the simulator)', () => {
  function client(renewAfterMs: number, states: WsApiStateChange[]): WsApiClient {
    return new WsApiClient(clientOptions(renewAfterMs, states));
  }

  function clientOptions(renewAfterMs: number, states: WsApiStateChange[]): WsApiClientOptions {
    return {
      url: sim.wsApiUrl,
      apiKey: sim.apiKey,
      apiSecret: sim.apiSecret,
      clock: realClock,
      recvWindowMs: 5000,
      requestTimeoutMs: 5000,
      backoff: { initialMs: 20, maxMs: 200, multiplier: 2, jitter: 0.2 },
      liveness: { pingIntervalMs: 100, deadAfterMs: 5000 },
      renewAfterMs,
      gate: new RateLimitGate(realClock),
      venueNowMs: () => sim.exchange.clock.nowMs(),
      resyncTime: async () => {},
      onState: (change) => states.push(change),
      onMalformed: () => {},
    };
  }

  /** Asks order.status until the client has opened `connections` connections; every call must be answered. */
  async function askUntil(api: WsApiClient, connections: number): Promise<number> {
    const trading = new WsApiTrading(api);
    let answered = 0;
    while (api.connectionsOpened() < connections) {
      const error = await trading.orderStatus('BTCUSDT', 'never').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExchangeError);
      expect(error).toMatchObject({ outcome: 'rejected', binanceCode: -2013 });
      answered += 1;
    }
    return answered;
  }

  it('opens a new connection before the venue closes the old one: never unready, no request lost', async () => {
    // A tight loop of queries: far more weight than Binance allows a minute.
    sim = await startSimulator({ symbols: ['BTCUSDT'], autoStep: false, wsApiConnectionLifetimeMs: 1500, rateLimits: { weight1m: 10_000_000 } });
    const states: WsApiStateChange[] = [];
    const api = client(300, states);
    api.start();
    await until(() => api.isReady(), 5000, 'the first connection');
    expect(await askUntil(api, 4)).toBeGreaterThan(0);
    api.stop();
    expect(states).toEqual([
      { ready: true, reason: 'open' },
      { ready: false, reason: 'stopped' },
    ]);
  });

  it('places, reads, modifies and cancels an order (order.place/status/modify/cancel), recording the usage', async () => {
    sim = await startSimulator({ symbols: ['BTCUSDT'], autoStep: false });
    const gate = new RateLimitGate(realClock);
    const api = new WsApiClient({ ...clientOptions(60_000, []), gate });
    api.start();
    await until(() => api.isReady(), 5000, 'the connection');
    const trading = new WsApiTrading(api);
    const order = { symbol: 'BTCUSDT', side: 'BUY' as const, type: 'LIMIT' as const, quantity: '0.005', price: '30000.0', timeInForce: 'GTX' as const };
    expect(await trading.orderPlace({ ...order, reduceOnly: false, newClientOrderId: 'client-1' })).toMatchObject({ status: 'NEW', clientOrderId: 'client-1' });
    expect(gate.lastUsage()).toMatchObject({ orderCount10s: 1, orderCount1m: 1 });
    expect(await trading.orderModify({ symbol: 'BTCUSDT', origClientOrderId: 'client-1', side: 'BUY', quantity: '0.006', price: '30000.1' })).toMatchObject({
      origQty: '0.006',
      price: '30000.10',
    });
    expect(gate.lastUsage()).toMatchObject({ orderCount10s: 2 });
    expect(await trading.orderStatus('BTCUSDT', 'client-1')).toMatchObject({ status: 'NEW', origQty: '0.006' });
    expect(await trading.orderCancel('BTCUSDT', 'client-1')).toMatchObject({ status: 'CANCELED' });
    expect(sim.state().openOrders).toEqual([]);
    api.stop();
  });

  it('a request written on the old connection still gets its answer there after the renewal', async () => {
    sim = await startSimulator({ symbols: ['BTCUSDT'], autoStep: false, wsApiConnectionLifetimeMs: 5000 });
    const api = client(150, []);
    api.start();
    await until(() => api.isReady(), 5000, 'the first connection');
    sim.faults.armWsApiFault({ kind: 'hold', ms: 1500 }, { method: 'order.status' });
    let answered = false;
    const held = new WsApiTrading(api)
      .orderStatus('BTCUSDT', 'never')
      .catch((e: unknown) => e)
      .finally(() => (answered = true));
    await until(() => api.connectionsOpened() >= 2, 5000, 'the renewal');
    expect(answered).toBe(false);
    expect(await held).toMatchObject({ outcome: 'rejected', binanceCode: -2013 });
    api.stop();
  });

  it('without a renewal in time, the venue closing the connection means a reconnect', async () => {
    sim = await startSimulator({ symbols: ['BTCUSDT'], autoStep: false, wsApiConnectionLifetimeMs: 300 });
    const states: WsApiStateChange[] = [];
    const api = client(60_000, states);
    api.start();
    await until(() => api.connectionsOpened() >= 2 && api.isReady(), 5000, 'a reconnect');
    api.stop();
    expect(states.slice(0, 3)).toEqual([
      { ready: true, reason: 'open' },
      { ready: false, reason: 'close 1000' },
      { ready: true, reason: 'open' },
    ]);
  });
});

describe('ambiguous orders over the WebSocket API are settled, never sent twice (adapter on the simulator)', () => {
  let venue: BinanceVenue;
  let rec: Recorded;
  let order: (clientOrderId: string) => PlaceOrder;

  beforeEach(async () => {
    sim = await startSimulator({ symbols: ['BTCUSDT'], autoStep: false });
    sim.faults.observeRequests((r) => requests.push(r));
    venue = venueFor(sim, { orderTransport: 'ws', wsApiUrl: sim.wsApiUrl, wsApiRequestTimeoutMs: 300 });
    const [btc] = await venue.loadInstruments(['BTCUSDT']);
    if (btc === undefined) throw new Error('no BTCUSDT');
    order = (clientOrderId) => ({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTX',
      priceTicks: btc.priceToTicks('30000.0'),
      qtySteps: btc.qtyToSteps('0.005'),
      reduceOnly: false,
      clientOrderId,
    });
    rec = recordingListener();
    await venue.connect(['BTCUSDT'], rec.listener);
    await until(() => venue.status().orderTransport === 'ws', 5000, 'the WebSocket API');
  });
  afterEach(async () => {
    await venue.close();
  });

  const userStreamSaw = (clientOrderId: string): boolean => rec.of('orderUpdate').some(([u]) => (u as OrderUpdate).clientOrderId === clientOrderId);

  it('dropped after it took effect: ambiguous, then the user stream and a status query show the order', async () => {
    sim.faults.armWsApiFault({ kind: 'drop', processed: true }, { method: 'order.place' });
    expect((await venue.placeOrder(order('amb-drop-1'))).kind).toBe('ambiguous');
    await until(() => userStreamSaw('amb-drop-1'), 5000, 'the user stream');
    await until(() => venue.status().orderTransport === 'ws', 5000, 'the WebSocket API back');
    expect(await venue.queryOrder('BTCUSDT', 'amb-drop-1')).toMatchObject({ kind: 'accepted', value: { status: 'NEW' } });
    expect(sends('amb-drop-1')).toBe(1);
  });

  it('dropped before it took effect: ambiguous, then a status query shows there is no such order', async () => {
    sim.faults.armWsApiFault({ kind: 'drop', processed: false }, { method: 'order.place' });
    expect((await venue.placeOrder(order('amb-drop-2'))).kind).toBe('ambiguous');
    expect(await venue.queryOrder('BTCUSDT', 'amb-drop-2')).toEqual({ kind: 'accepted', value: null });
    expect(sends('amb-drop-2')).toBe(1);
    expect(sim.state().openOrders).toEqual([]);
  });

  it('an answer held past the timeout: ambiguous, and the order appears once the venue processes it', async () => {
    sim.faults.armWsApiFault({ kind: 'hold', ms: 800 }, { method: 'order.place' });
    expect(await venue.placeOrder(order('amb-held'))).toMatchObject({ kind: 'ambiguous', reason: expect.stringContaining('no answer within 300 ms') });
    await until(() => userStreamSaw('amb-held'), 5000, 'the user stream');
    expect(await venue.queryOrder('BTCUSDT', 'amb-held')).toMatchObject({ kind: 'accepted', value: { status: 'NEW' } });
    expect(sends('amb-held')).toBe(1);
  });

  it('an unknown outcome (503), created or not: ambiguous both times, told apart by status queries', async () => {
    sim.faults.armWsApiFault({ kind: 'unknown', mode: 'created' }, { method: 'order.place' });
    sim.faults.armWsApiFault({ kind: 'unknown', mode: 'not-created' }, { method: 'order.place' });
    expect((await venue.placeOrder(order('amb-503-created'))).kind).toBe('ambiguous');
    expect((await venue.placeOrder(order('amb-503-lost'))).kind).toBe('ambiguous');
    expect(await venue.queryOrder('BTCUSDT', 'amb-503-created')).toMatchObject({ kind: 'accepted', value: { status: 'NEW' } });
    expect(await venue.queryOrder('BTCUSDT', 'amb-503-lost')).toEqual({ kind: 'accepted', value: null });
    expect([sends('amb-503-created'), sends('amb-503-lost')]).toEqual([1, 1]);
  });

  it('a 429 over the WebSocket API is a rejection with its wait, and REST waits too', async () => {
    sim.faults.armWsApiFault({ kind: 'rate-limit', retryAfterSec: 30 }, { method: 'order.place' });
    const limited = await venue.placeOrder(order('limited'));
    expect(limited).toMatchObject({ kind: 'rejected', httpStatus: 429, code: -1003 });
    expect(limited.kind === 'rejected' ? limited.retryAfterMs : 0).toBeGreaterThan(25_000);
    const seen = requests.length;
    await expect(venue.openOrders('BTCUSDT')).rejects.toMatchObject({ httpStatus: 429 });
    expect(await venue.placeOrder(order('limited-2'))).toMatchObject({ kind: 'rejected', httpStatus: 429 });
    expect(requests.length).toBe(seen);
    expect(await venue.openOrders('BTCUSDT', { urgent: true })).toEqual([]);
  });
});
