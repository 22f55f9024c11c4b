/**
 * The WebSocket paths and requests each client library uses: ccxt's numbered `/public/ws/<n>`
 * and `/market/ws/<n>` with SUBSCRIBE; the official connector's `/public/stream`,
 * `/market/stream` and `/private/stream` with SUBSCRIBE after connecting; listenKeys in the URL
 * or subscribed later, with `events=` filters; LIST_SUBSCRIPTIONS on every socket; and the
 * user events TRADE_LITE and ACCOUNT_CONFIG_UPDATE.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/simulator.ts';
import { capture, fence, manualClock, request, signed, unsigned, type Captured, type ManualClock } from './sim-client.ts';

const START = Date.UTC(2026, 10, 20, 8, 0, 5);
let sim: SimulatorHandle;
let clock: ManualClock;
const sockets: Captured[] = [];

async function open(path: string): Promise<Captured> {
  const socket = await capture(`${sim.wsUrl}${path}`);
  sockets.push(socket);
  return socket;
}

function tick(): void {
  clock.advance(100);
  sim.step();
}

const listenKey = async (): Promise<string> => (await unsigned(sim, 'POST', '/fapi/v1/listenKey', true)).body.listenKey as string;
const marketBuy = (clientOrderId: string) =>
  signed(sim, 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002', newClientOrderId: clientOrderId });
/** The user events a socket has received, raw or wrapped. */
const events = (socket: Captured): Array<Record<string, any>> => socket.messages.map((m) => m.data ?? m).filter((m) => typeof m.e === 'string'); // eslint-disable-line @typescript-eslint/no-explicit-any

beforeEach(async () => {
  clock = manualClock(START);
  sim = await startSimulator({ symbols: ['BTCUSDT', 'ETHUSDT'], autoStep: false, clock, seed: 5, listenKeyValidityMs: 60_000 });
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await sim.close();
});

describe('market sockets', () => {
  it("ccxt's /public/ws/<n> and /market/ws/<n> start empty and stream raw frames after SUBSCRIBE", async () => {
    const pub = await open('/public/ws/1');
    expect(await request(pub, 'LIST_SUBSCRIPTIONS')).toMatchObject({ result: [] });
    expect(await request(pub, 'SUBSCRIBE', ['BTCUSDT@depth@100ms', 'btcusdt@bookTicker'])).toMatchObject({ result: null });
    expect((await request(pub, 'LIST_SUBSCRIPTIONS')).result).toEqual(['btcusdt@depth@100ms', 'btcusdt@bookTicker']);
    await pub.next((m) => m.e === 'depthUpdate', 10_000, tick);
    expect(await request(pub, 'SUBSCRIBE', ['btcusdt@markPrice'])).toMatchObject({ code: 2 });
    const market = await open('/market/ws/2');
    expect(await request(market, 'SUBSCRIBE', ['btcusdt@markPrice@1s', 'btcusdt@kline_1m'])).toMatchObject({ result: null });
    await market.next((m) => m.e === 'markPriceUpdate', 10_000, tick);
    expect(await request(market, 'SUBSCRIBE', ['btcusdt@depth'])).toMatchObject({ code: 2 });
    expect(await request(market, 'SUBSCRIBE', ['btcusdt@kline_2m'])).toMatchObject({ code: 2 });
    expect(await request(market, 'UNSUBSCRIBE', ['btcusdt@markPrice@1s'])).toMatchObject({ result: null });
    expect((await request(market, 'LIST_SUBSCRIPTIONS')).result).toEqual(['btcusdt@kline_1m']);
  });

  it("the connector's /market/stream opens with no stream, then wraps subscribed streams as {stream, data}", async () => {
    const market = await open('/market/stream');
    expect(await request(market, 'SUBSCRIBE', ['ethusdt@markPrice@1s'])).toMatchObject({ result: null });
    const frame = await market.next((m) => m.stream === 'ethusdt@markPrice@1s', 10_000, tick);
    expect(frame.data).toMatchObject({ e: 'markPriceUpdate', s: 'ETHUSDT' });
  });

  it('refuses unknown paths and streams on the wrong route at the upgrade', async () => {
    await expect(capture(`${sim.wsUrl}/ws/btcusdt@depth`)).rejects.toThrow(/404/);
    await expect(capture(`${sim.wsUrl}/market/ws/btcusdt@depth`)).rejects.toThrow(/400/);
  });
});

describe('user data sockets', () => {
  it('a bare /private/ws follows a listenKey after SUBSCRIBE, lists it, and stops after UNSUBSCRIBE', async () => {
    const key = await listenKey();
    const user = await open('/private/ws');
    const witness = await open(`/private/ws?listenKey=${key}`);
    expect(await request(user, 'SUBSCRIBE', ['not-a-live-key'])).toMatchObject({ code: 2 });
    expect(await request(user, 'SUBSCRIBE', [key])).toMatchObject({ result: null });
    expect((await request(user, 'LIST_SUBSCRIPTIONS')).result).toEqual([key]);
    await marketBuy('follow-1');
    await user.next((m) => m.e === 'ORDER_TRADE_UPDATE' && m.o.c === 'follow-1');
    expect(await request(user, 'UNSUBSCRIBE', [key])).toMatchObject({ result: null });
    await marketBuy('follow-2');
    await witness.next((m) => m.e === 'ORDER_TRADE_UPDATE' && m.o.c === 'follow-2' && m.o.X === 'FILLED');
    await fence(user);
    expect(events(user).some((e) => e.o?.c === 'follow-2')).toBe(false);
    expect((await request(user, 'LIST_SUBSCRIPTIONS')).result).toEqual([]);
  });

  it('delivers only the events an events= filter names, on the URL key and on keys subscribed later', async () => {
    const key = await listenKey();
    const onlyOrders = await open(`/private/stream?listenKey=${key}&events=ORDER_TRADE_UPDATE`);
    const laterLite = await open('/private/stream?events=TRADE_LITE/ACCOUNT_CONFIG_UPDATE');
    expect(await request(laterLite, 'SUBSCRIBE', [key])).toMatchObject({ result: null });
    const everything = await open(`/private/ws/${key}`);
    await marketBuy('filtered-1');
    await signed(sim, 'POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: '9' });
    await everything.next((m) => m.e === 'ACCOUNT_CONFIG_UPDATE');
    await fence(onlyOrders);
    await fence(laterLite);
    expect(new Set(events(everything).map((e) => e.e))).toEqual(new Set(['TRADE_LITE', 'ORDER_TRADE_UPDATE', 'ACCOUNT_UPDATE', 'ACCOUNT_CONFIG_UPDATE']));
    expect(new Set(events(onlyOrders).map((e) => e.e))).toEqual(new Set(['ORDER_TRADE_UPDATE']));
    expect(onlyOrders.messages.find((m) => m.data?.e === 'ORDER_TRADE_UPDATE').stream).toBe(key);
    expect(new Set(events(laterLite).map((e) => e.e))).toEqual(new Set(['TRADE_LITE', 'ACCOUNT_CONFIG_UPDATE']));
    await expect(capture(`${sim.wsUrl}/private/ws?listenKey=${key}&events=NOT_AN_EVENT`)).rejects.toThrow(/400/);
  });

  it('when a subscribed key expires, drops the key but not the socket, which can follow the next key', async () => {
    const first = await listenKey();
    const urlBound = await open(`/private/ws/${first}`);
    const subscribed = await open('/private/stream');
    expect(await request(subscribed, 'SUBSCRIBE', [first])).toMatchObject({ result: null });
    await subscribed.next(
      (m) => m.data?.e === 'listenKeyExpired',
      10_000,
      () => {
        clock.advance(1_000);
        sim.step();
      },
    );
    expect(await urlBound.closed).toMatchObject({ code: 1000 });
    expect((await request(subscribed, 'LIST_SUBSCRIPTIONS')).result).toEqual([]);
    const second = await listenKey();
    expect(second).not.toBe(first);
    expect(await request(subscribed, 'SUBSCRIBE', [second])).toMatchObject({ result: null });
    await marketBuy('after-rotation');
    const update = await subscribed.next((m) => m.data?.e === 'ORDER_TRADE_UPDATE');
    expect(update.stream).toBe(second);
  });
});

describe('user events', () => {
  it('sends TRADE_LITE before the ORDER_TRADE_UPDATE of the same fill, with the same trade', async () => {
    const user = await open(`/private/ws/${await listenKey()}`);
    await marketBuy('lite-1');
    const fill = await user.next((m) => m.e === 'ORDER_TRADE_UPDATE' && m.o.x === 'TRADE');
    const all = events(user);
    const lite = all.find((e) => e.e === 'TRADE_LITE');
    expect(all.indexOf(lite!)).toBeLessThan(all.indexOf(fill));
    expect(lite).toMatchObject({
      s: 'BTCUSDT',
      c: 'lite-1',
      S: 'BUY',
      q: '0.002',
      p: fill.o.p,
      L: fill.o.L,
      l: fill.o.l,
      t: fill.o.t,
      i: fill.o.i,
      m: fill.o.m,
      T: fill.T,
    });
  });

  it('sends ACCOUNT_CONFIG_UPDATE with the new leverage when it changes', async () => {
    const user = await open(`/private/ws/${await listenKey()}`);
    await signed(sim, 'POST', '/fapi/v1/leverage', { symbol: 'ETHUSDT', leverage: '13' });
    expect(await user.next((m) => m.e === 'ACCOUNT_CONFIG_UPDATE')).toMatchObject({ T: START, ac: { s: 'ETHUSDT', l: 13 } });
  });
});
