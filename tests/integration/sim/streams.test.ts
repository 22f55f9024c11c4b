import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/simulator.ts';
import { capture, manualClock, signed, unsigned, type Captured, type ManualClock } from './sim-client.ts';

const START = Date.UTC(2026, 10, 20, 7, 59, 50);

let sim: SimulatorHandle;
let clock: ManualClock;
const sockets: Captured[] = [];

async function open(path: string): Promise<Captured> {
  const socket = await capture(`${sim.wsUrl}${path}`);
  sockets.push(socket);
  return socket;
}

beforeEach(async () => {
  clock = manualClock(START);
  sim = await startSimulator({ symbols: ['BTCUSDT', 'ETHUSDT'], autoStep: false, clock, fundingIntervalMs: 60_000, seed: 42 });
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await sim.close();
});

function applyLevels(levels: Map<string, string>, changes: ReadonlyArray<[string, string]>): void {
  for (const [price, qty] of changes) {
    if (qty === '0.000') levels.delete(price);
    else levels.set(price, qty);
  }
}

/** Returns the best `n` levels of a local book side, best first, as the REST snapshot lists them. */
function best(levels: Map<string, string>, side: 'bids' | 'asks', n: number): string[][] {
  const sorted = [...levels].sort(([a], [b]) => (side === 'bids' ? Number(b) - Number(a) : Number(a) - Number(b)));
  return sorted.slice(0, n);
}

/** Steps the market (100 ms of simulated time per step). */
function tick(): void {
  clock.advance(100);
  sim.step();
}

describe('simulator user data stream', () => {
  it('sends ORDER_TRADE_UPDATE NEW then TRADE, and ACCOUNT_UPDATE ORDER, for a resting order that gets filled', async () => {
    const { body } = await unsigned(sim, 'POST', '/fapi/v1/listenKey', true);
    const user = await open(`/private/ws/${body.listenKey}`);
    const top = (await unsigned(sim, 'GET', '/fapi/v1/ticker/bookTicker?symbol=BTCUSDT')).body;
    const placed = await signed(sim, 'POST', '/fapi/v1/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTX',
      quantity: '0.005',
      price: top.bidPrice,
      newClientOrderId: 'mm-bid-1',
    });
    expect(placed.body.status).toBe('NEW');

    const created = await user.next((m) => m.e === 'ORDER_TRADE_UPDATE' && m.o.x === 'NEW');
    expect(created.o).toMatchObject({
      s: 'BTCUSDT',
      c: 'mm-bid-1',
      S: 'BUY',
      o: 'LIMIT',
      f: 'GTX',
      q: '0.005',
      p: top.bidPrice,
      X: 'NEW',
      i: placed.body.orderId,
      l: '0.000',
      z: '0.000',
      ps: 'BOTH',
      R: false,
      m: false,
    });

    const trade = await user.next((m) => m.e === 'ORDER_TRADE_UPDATE' && m.o.x === 'TRADE', 20_000, tick);
    expect(trade.o).toMatchObject({ c: 'mm-bid-1', m: true, N: 'USDT' });
    expect(['PARTIALLY_FILLED', 'FILLED']).toContain(trade.o.X);
    expect(Number(trade.o.L)).toBeLessThanOrEqual(Number(top.bidPrice));
    expect(trade.o.n).toMatch(/^\d+\.\d{8}$/);
    const account = await user.next((m) => m.e === 'ACCOUNT_UPDATE');
    expect(account.a.m).toBe('ORDER');
    expect(account.a.P[0]).toMatchObject({ s: 'BTCUSDT', pa: trade.o.z, ps: 'BOTH' });
    expect(user.messages.findIndex((m) => m.o?.x === 'NEW')).toBeLessThan(user.messages.findIndex((m) => m.o?.x === 'TRADE'));

    const state = sim.state();
    expect(state.trades[0]).toMatchObject({ clientOrderId: 'mm-bid-1', side: 'BUY', price: trade.o.L, qty: trade.o.l, commission: trade.o.n, maker: true });
  });

  it('settles funding as ACCOUNT_UPDATE FUNDING_FEE and streams the rate and next funding time', async () => {
    const { body } = await unsigned(sim, 'POST', '/fapi/v1/listenKey', true);
    const user = await open(`/private/ws/${body.listenKey}`);
    const marks = await open('/market/stream?streams=btcusdt@markPrice@1s');
    const bought = await signed(sim, 'POST', '/fapi/v1/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.010',
      newOrderRespType: 'RESULT',
    });
    expect(bought.body).toMatchObject({ status: 'FILLED', executedQty: '0.010' });

    const mark = await marks.next((m) => m.stream === 'btcusdt@markPrice@1s', 10_000, tick);
    expect(mark.data).toMatchObject({ e: 'markPriceUpdate', s: 'BTCUSDT', T: Date.UTC(2026, 10, 20, 8, 0, 0) });
    expect(mark.data.r).toMatch(/^-?\d\.\d{8}$/);

    const funding = await user.next((m) => m.e === 'ACCOUNT_UPDATE' && m.a.m === 'FUNDING_FEE', 20_000, tick);
    expect(funding.a.P).toEqual([]);
    const payment = sim.state().fundingPayments[0]!;
    expect(funding.a.B[0]).toMatchObject({ a: 'USDT', bc: payment.amount });
    // fee = -position x mark x rate, rounded to 1e-8
    const expected = -0.01 * Number(payment.markPrice) * Number(payment.rate);
    expect(Math.abs(Number(payment.amount) - expected)).toBeLessThan(1e-8);
    expect(payment.positionAmt).toBe('0.010');
    const premium = (await unsigned(sim, 'GET', '/fapi/v1/premiumIndex?symbol=BTCUSDT')).body;
    expect(premium.nextFundingTime).toBe(Date.UTC(2026, 10, 20, 8, 1, 0));
  });

  it('sends listenKeyExpired and closes the socket when the key lapses without keepalive', async () => {
    const { body } = await unsigned(sim, 'POST', '/fapi/v1/listenKey', true);
    const user = await open(`/private/ws/${body.listenKey}`);
    clock.advance(30 * 60_000);
    expect((await unsigned(sim, 'PUT', '/fapi/v1/listenKey', true)).body).toEqual({ listenKey: body.listenKey });
    clock.advance(59 * 60_000);
    tick();
    expect(user.messages).toEqual([]);
    clock.advance(60_000);
    tick();
    const expired = await user.next((m) => m.e === 'listenKeyExpired');
    expect(expired.listenKey).toBe(body.listenKey);
    expect((await user.closed).code).toBe(1000);
    expect((await unsigned(sim, 'PUT', '/fapi/v1/listenKey', true)).body).toEqual({ code: -1125, msg: 'This listenKey does not exist.' });
  });

  it('refuses a user stream for an unknown listenKey', async () => {
    await expect(capture(`${sim.wsUrl}/private/ws/not-a-key`)).rejects.toThrow(/400/);
  });
});

describe('simulator market streams', () => {
  it('keeps diff depth consistent with the REST snapshot (U/u/pu chain) and shows our own orders', async () => {
    const depth = await open('/public/stream?streams=btcusdt@depth@100ms/btcusdt@bookTicker');
    tick();
    const snapshot = (await unsigned(sim, 'GET', '/fapi/v1/depth?symbol=BTCUSDT&limit=1000')).body;
    const bids = new Map<string, string>(snapshot.bids);
    const asks = new Map<string, string>(snapshot.asks);
    // Far enough below the touch that 30 steps of a trend regime cannot reach it.
    const ownPrice = (Number(snapshot.bids[0][0]) - 1000).toFixed(2);
    await signed(sim, 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTX', quantity: '0.123', price: ownPrice });
    for (let i = 0; i < 30; i++) tick();
    await depth.next((m) => m.stream === 'btcusdt@depth@100ms' && m.data.u >= snapshot.lastUpdateId + 30);

    let previousU: number | null = null;
    for (const { stream, data } of depth.messages) {
      if (stream !== 'btcusdt@depth@100ms' || data.u < snapshot.lastUpdateId) continue;
      if (previousU === null) expect(data.U).toBeLessThanOrEqual(snapshot.lastUpdateId + 1);
      else expect(data.pu).toBe(previousU);
      previousU = data.u;
      applyLevels(bids, data.b);
      applyLevels(asks, data.a);
    }
    const after = (await unsigned(sim, 'GET', '/fapi/v1/depth?symbol=BTCUSDT&limit=1000')).body;
    expect(after.lastUpdateId).toBe(previousU);
    // The local book holds every level; the snapshot the best 1000 of each side.
    expect(after.bids).toEqual(best(bids, 'bids', 1000));
    expect(after.asks).toEqual(best(asks, 'asks', 1000));
    expect(after.bids).toHaveLength(1000);
    expect(bids.get(ownPrice)).toBe('0.123');

    const ticker = depth.messages.filter((m) => m.stream === 'btcusdt@bookTicker').at(-1).data;
    expect(ticker).toMatchObject({ e: 'bookTicker', s: 'BTCUSDT', b: after.bids[0][0], B: after.bids[0][1], a: after.asks[0][0], A: after.asks[0][1] });
  });

  it('supports SUBSCRIBE, UNSUBSCRIBE and LIST_SUBSCRIPTIONS on a raw socket', async () => {
    const socket = await open('/public/ws');
    socket.ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['ethusdt@bookTicker'], id: 1 }));
    expect(await socket.next((m) => m.id === 1)).toEqual({ result: null, id: 1 });
    const event = await socket.next((m) => m.e === 'bookTicker', 10_000, tick);
    expect(event.s).toBe('ETHUSDT');
    socket.ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['ethusdt@markPrice@1s'], id: 2 }));
    expect(await socket.next((m) => m.id === 2)).toMatchObject({ code: 2, id: 2 });
    socket.ws.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: 3 }));
    expect(await socket.next((m) => m.id === 3)).toEqual({ result: ['ethusdt@bookTicker'], id: 3 });
  });

  it('refuses a stream on the wrong routed path', async () => {
    await expect(capture(`${sim.wsUrl}/public/ws/btcusdt@markPrice@1s`)).rejects.toThrow(/400/);
    await expect(capture(`${sim.wsUrl}/market/ws/btcusdt@bookTicker`)).rejects.toThrow(/400/);
  });
});
