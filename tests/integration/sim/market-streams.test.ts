/**
 * The market streams added for people's own tooling, checked against the REST answers of the
 * same moment: partial depth, the all-symbol book ticker and mark price arrays, aggregate
 * trades, klines (including the closing update) and the 24-hour tickers. Each check steps the
 * market one step at a time and fences the socket, so the REST call sees the state the frame
 * was built from.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/simulator.ts';
import { capture, fence, manualClock, unsigned, type Captured, type ManualClock } from './sim-client.ts';

const START = Date.UTC(2026, 10, 20, 7, 59, 40);
let sim: SimulatorHandle;
let clock: ManualClock;
const sockets: Captured[] = [];
const get = async (pathAndQuery: string) => (await unsigned(sim, 'GET', pathAndQuery)).body;

async function open(path: string): Promise<Captured> {
  const socket = await capture(`${sim.wsUrl}${path}`);
  sockets.push(socket);
  return socket;
}

/** Steps 100 ms at a time until a frame matching `predicate` has arrived in the step just taken; returns it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON under test
async function stepUntilFrame(socket: Captured, predicate: (message: any) => boolean, maxSteps = 2_000): Promise<any> {
  for (let i = 0; i < maxSteps; i++) {
    const seen = socket.messages.length;
    clock.advance(100);
    sim.step();
    await fence(socket);
    const hit = socket.messages.slice(seen).findLast(predicate);
    if (hit !== undefined) return hit;
  }
  throw new Error(`no matching frame within ${maxSteps} steps`);
}

beforeEach(async () => {
  clock = manualClock(START);
  sim = await startSimulator({ symbols: ['BTCUSDT', 'ETHUSDT'], autoStep: false, clock, fundingIntervalMs: 3_600_000, seed: 31 });
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await sim.close();
});

describe('market streams agree with REST at the same moment', () => {
  it('partial depth <symbol>@depth<N>[@speed] carries the N best levels of the book', async () => {
    const socket = await open('/public/stream?streams=btcusdt@depth5/btcusdt@depth10@500ms/btcusdt@depth20@100ms');
    for (const [stream, levels] of [
      ['btcusdt@depth5', 5],
      ['btcusdt@depth10@500ms', 10],
      ['btcusdt@depth20@100ms', 20],
    ] as const) {
      const frame = await stepUntilFrame(socket, (m) => m.stream === stream);
      const book = await get(`/fapi/v1/depth?symbol=BTCUSDT&limit=${levels}`);
      expect(frame.data).toMatchObject({ e: 'depthUpdate', s: 'BTCUSDT', u: book.lastUpdateId, b: book.bids, a: book.asks });
      expect([frame.data.b.length, frame.data.a.length]).toEqual([levels, levels]);
    }
  });

  it('!bookTicker carries every symbol, each equal to its REST book ticker', async () => {
    const socket = await open('/public/ws/!bookTicker');
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const frame = await stepUntilFrame(socket, (m) => m.s === symbol);
      const rest = await get(`/fapi/v1/ticker/bookTicker?symbol=${symbol}`);
      expect(frame).toMatchObject({ e: 'bookTicker', u: rest.lastUpdateId, b: rest.bidPrice, B: rest.bidQty, a: rest.askPrice, A: rest.askQty });
    }
  });

  it('!markPrice@arr (every 3 s) and !markPrice@arr@1s list every symbol with the premium index of that moment', async () => {
    const socket = await open('/market/stream?streams=!markPrice@arr/!markPrice@arr@1s');
    const slow = await stepUntilFrame(socket, (m) => m.stream === '!markPrice@arr');
    const premium = (await get('/fapi/v1/premiumIndex')) as Array<{ symbol: string; markPrice: string; lastFundingRate: string; nextFundingTime: number }>;
    expect(slow.data.map((m: { s: string }) => m.s)).toEqual(['BTCUSDT', 'ETHUSDT']);
    for (const [i, mark] of slow.data.entries()) {
      expect(mark).toMatchObject({
        e: 'markPriceUpdate',
        E: clock.nowMs(),
        p: premium[i]!.markPrice,
        r: premium[i]!.lastFundingRate,
        T: premium[i]!.nextFundingTime,
      });
    }
    const fast = socket.messages.filter((m) => m.stream === '!markPrice@arr@1s');
    const slowOnes = socket.messages.filter((m) => m.stream === '!markPrice@arr');
    expect(fast.length).toBe(3 * slowOnes.length);
  });

  it('<symbol>@aggTrade frames are the aggregate trades REST lists', async () => {
    const socket = await open('/market/ws/btcusdt@aggTrade');
    const frame = await stepUntilFrame(socket, (m) => m.e === 'aggTrade');
    const listed = (await get(`/fapi/v1/aggTrades?symbol=BTCUSDT&fromId=${frame.a}&limit=1`))[0];
    expect(frame).toMatchObject({ s: 'BTCUSDT', a: listed.a, p: listed.p, q: listed.q, f: listed.f, l: listed.l, T: listed.T, m: listed.m });
    const all = socket.messages.filter((m) => m.e === 'aggTrade');
    expect(all.every((m, i) => i === 0 || m.a === all[i - 1].a + 1)).toBe(true);
  });

  it('<symbol>@kline_1m updates the bar in progress and sends its final state (x: true) when the minute ends', async () => {
    const socket = await open('/market/stream?streams=btcusdt@kline_1m');
    const live = await stepUntilFrame(socket, (m) => m.data?.k?.x === false && m.data.k.n > 0);
    const [current] = await get(`/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime=${live.data.k.t}&limit=1`);
    const asRow = (k: Record<string, unknown>) => [k.t, k.o, k.h, k.l, k.c, k.v, k.T, k.q, k.n, k.V, k.Q];
    expect(asRow(live.data.k)).toEqual(current.slice(0, 11));
    const closing = await stepUntilFrame(socket, (m) => m.data?.k?.x === true);
    expect(closing.data.k.t).toBe(Date.UTC(2026, 10, 20, 7, 59, 0));
    const [closed] = await get(`/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime=${closing.data.k.t}&limit=1`);
    expect(asRow(closing.data.k)).toEqual(closed.slice(0, 11));
    const after = socket.messages.filter((m) => m.data?.k !== undefined && m.data.k.t > closing.data.k.t);
    expect(after.every((m) => m.data.k.x === false)).toBe(true);
  });

  it('<symbol>@ticker and @miniTicker carry the 24-hour statistics of ticker/24hr', async () => {
    const socket = await open('/market/stream?streams=btcusdt@ticker/btcusdt@miniTicker');
    const ticker = await stepUntilFrame(socket, (m) => m.stream === 'btcusdt@ticker');
    const mini = socket.messages.findLast((m) => m.stream === 'btcusdt@miniTicker');
    const rest = await get('/fapi/v1/ticker/24hr?symbol=BTCUSDT');
    expect(ticker.data).toMatchObject({
      e: '24hrTicker',
      E: clock.nowMs(),
      c: rest.lastPrice,
      o: rest.openPrice,
      h: rest.highPrice,
      l: rest.lowPrice,
      v: rest.volume,
      q: rest.quoteVolume,
      F: rest.firstId,
      L: rest.lastId,
      n: rest.count,
    });
    expect(mini.data).toMatchObject({ e: '24hrMiniTicker', E: clock.nowMs(), c: rest.lastPrice, o: rest.openPrice, v: rest.volume, q: rest.quoteVolume });
  });
});
