/**
 * Market data over REST as tooling reads it: depth at every documented limit, the public tape
 * (trades, aggregate trades), candlesticks and 24-hour statistics agreeing with that tape,
 * price tickers, and funding history and info; each with Binance's weights and error codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScaled } from '../../../src/core/decimal.ts';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/simulator.ts';
import { manualClock, stepUntil, unsigned, type ManualClock } from './sim-client.ts';

// Two minutes before a whole hour, so that a one-minute funding interval settles twice in the run.
const START = Date.UTC(2026, 10, 20, 7, 58, 0);
const FUNDING_INTERVAL_MS = 60_000;

interface PublicTrade {
  id: number;
  price: string;
  qty: string;
  quoteQty: string;
  time: number;
  isBuyerMaker: boolean;
}
interface AggTrade {
  a: number;
  p: string;
  q: string;
  f: number;
  l: number;
  T: number;
  m: boolean;
}

let sim: SimulatorHandle;
let clock: ManualClock;
const get = async (pathAndQuery: string) => (await unsigned(sim, 'GET', pathAndQuery)).body;
const sum = (values: readonly string[], scale: number) => values.reduce((total, v) => total + parseScaled(v, scale), 0n);

beforeAll(async () => {
  clock = manualClock(START);
  sim = await startSimulator({ symbols: ['BTCUSDT', 'ETHUSDT'], autoStep: false, clock, fundingIntervalMs: FUNDING_INTERVAL_MS, seed: 7 });
  // One-second steps keep the whole run's tape within the 1000 most recent trades.
  await stepUntil(sim, clock, 'two funding events', () => clock.nowMs() >= START + 2 * FUNDING_INTERVAL_MS + 1_000, {
    maxSteps: 2_000,
    stepMs: 1_000,
  });
});
afterAll(async () => {
  await sim.close();
});

describe('GET /fapi/v1/depth', () => {
  it('answers exactly `limit` levels a side for each documented limit, with its weight, and -4021 otherwise', async () => {
    const weights: Record<number, number> = { 5: 2, 10: 2, 20: 2, 50: 2, 100: 5, 500: 10, 1000: 20 };
    for (const [limit, weight] of Object.entries(weights)) {
      const before = await unsigned(sim, 'GET', '/fapi/v1/time');
      const answer = await unsigned(sim, 'GET', `/fapi/v1/depth?symbol=BTCUSDT&limit=${limit}`);
      expect(answer.status).toBe(200);
      expect([answer.body.bids.length, answer.body.asks.length]).toEqual([Number(limit), Number(limit)]);
      expect(Number(answer.headers.get('x-mbx-used-weight-1m')) - Number(before.headers.get('x-mbx-used-weight-1m'))).toBe(weight);
    }
    const deep = await get('/fapi/v1/depth?symbol=BTCUSDT&limit=1000');
    const prices = (side: string[][]) => side.map(([price]) => parseScaled(price!, 8));
    const bids = prices(deep.bids);
    const asks = prices(deep.asks);
    expect(bids.every((p, i) => i === 0 || p < bids[i - 1]!)).toBe(true);
    expect(asks.every((p, i) => i === 0 || p > asks[i - 1]!)).toBe(true);
    expect(bids[0]! < asks[0]!).toBe(true);
    expect((await get('/fapi/v1/depth?symbol=BTCUSDT')).bids).toHaveLength(500);
    const odd = await unsigned(sim, 'GET', '/fapi/v1/depth?symbol=BTCUSDT&limit=7');
    expect([odd.status, odd.body.code]).toEqual([400, -4021]);
  });
});

describe('the public tape', () => {
  it('aggregates trades: each aggregate covers consecutive trades at its price, with their summed quantity', async () => {
    const trades = (await get('/fapi/v1/trades?symbol=BTCUSDT&limit=1000')) as PublicTrade[];
    expect(trades.length).toBeGreaterThan(10);
    expect(trades.every((t, i) => i === 0 || t.id > trades[i - 1]!.id)).toBe(true);
    for (const t of trades) expect(parseScaled(t.quoteQty, 8)).toBe((parseScaled(t.price, 8) * parseScaled(t.qty, 8)) / 10n ** 8n);
    const byId = new Map(trades.map((t) => [t.id, t]));
    const aggs = (await get(`/fapi/v1/aggTrades?symbol=BTCUSDT&fromId=0&limit=1000`)) as AggTrade[];
    const covered = aggs.filter((a) => byId.has(a.f));
    expect(covered.length).toBeGreaterThan(5);
    for (const agg of covered) {
      const members = trades.filter((t) => t.id >= agg.f && t.id <= agg.l);
      expect(members.every((t) => t.price === agg.p && t.isBuyerMaker === agg.m && t.time === agg.T)).toBe(true);
      expect(
        sum(
          members.map((t) => t.qty),
          8,
        ),
      ).toBe(parseScaled(agg.q, 8));
    }
    const last = trades.at(-1)!;
    expect(await get('/fapi/v1/ticker/price?symbol=BTCUSDT')).toMatchObject({ symbol: 'BTCUSDT', price: last.price, time: last.time });
    const window = await unsigned(sim, 'GET', `/fapi/v1/aggTrades?symbol=BTCUSDT&startTime=${START}&endTime=${START + 3_600_000}`);
    expect(window.body).toMatchObject({ code: -1127 });
  });

  it('builds candlesticks and 24-hour statistics from the same trades', async () => {
    const trades = (await get('/fapi/v1/trades?symbol=BTCUSDT&limit=1000')) as PublicTrade[];
    // The run is short enough for the recent-trades window to hold every trade of the day.
    expect(trades.length).toBeLessThan(1000);
    const bars = (await get('/fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit=10')) as Array<
      [number, string, string, string, string, string, number, string, number]
    >;
    expect(bars.length).toBeGreaterThanOrEqual(3);
    let traded = 0;
    for (const [openTime, open, high, low, close, volume, closeTime, quoteVolume, count] of bars) {
      const inBar = trades.filter((t) => t.time >= openTime && t.time <= closeTime);
      expect(closeTime).toBe(openTime + 59_999);
      if (inBar.length === 0) continue;
      traded += 1;
      expect([open, close]).toEqual([inBar[0]!.price, inBar.at(-1)!.price]);
      const prices = inBar.map((t) => parseScaled(t.price, 8));
      expect(parseScaled(high, 8)).toBe(prices.reduce((a, b) => (b > a ? b : a)));
      expect(parseScaled(low, 8)).toBe(prices.reduce((a, b) => (b < a ? b : a)));
      expect(parseScaled(volume, 8)).toBe(
        sum(
          inBar.map((t) => t.qty),
          8,
        ),
      );
      expect(parseScaled(quoteVolume, 8)).toBe(
        sum(
          inBar.map((t) => t.quoteQty),
          8,
        ),
      );
      expect(count).toBe(inBar.length);
    }
    expect(traded).toBeGreaterThanOrEqual(3);
    const day = await get('/fapi/v1/ticker/24hr?symbol=BTCUSDT');
    expect(day).toMatchObject({ symbol: 'BTCUSDT', lastPrice: trades.at(-1)!.price, count: trades.length, firstId: trades[0]!.id, lastId: trades.at(-1)!.id });
    expect(parseScaled(day.volume, 8)).toBe(
      sum(
        trades.map((t) => t.qty),
        8,
      ),
    );
    const both = (await get('/fapi/v1/ticker/24hr')) as Array<{ symbol: string }>;
    expect(both.map((t) => t.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(await get('/fapi/v1/klines?symbol=BTCUSDT&interval=2m')).toMatchObject({ code: -1120 });
    expect(await get('/fapi/v1/klines?symbol=BTCUSDT')).toMatchObject({ code: -1102 });
    expect(await get('/fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit=1501')).toMatchObject({ code: -1130 });
  });
});

describe('funding', () => {
  it('lists each settlement once per symbol with its rate and mark price, and the interval in fundingInfo', async () => {
    const history = (await get('/fapi/v1/fundingRate?symbol=BTCUSDT')) as Array<{
      symbol: string;
      fundingTime: number;
      fundingRate: string;
      markPrice: string;
    }>;
    expect(history.map((h) => h.fundingTime)).toEqual([START + FUNDING_INTERVAL_MS, START + 2 * FUNDING_INTERVAL_MS]);
    for (const h of history) expect(h.fundingRate).toMatch(/^-?\d+\.\d{8}$/);
    const all = (await get('/fapi/v1/fundingRate')) as Array<{ symbol: string }>;
    expect(all.filter((h) => h.symbol === 'ETHUSDT')).toHaveLength(2);
    expect(await get(`/fapi/v1/fundingRate?symbol=BTCUSDT&startTime=${START + FUNDING_INTERVAL_MS + 1}`)).toHaveLength(1);
    expect(await get('/fapi/v1/fundingRate?symbol=BTCUSDT&limit=1')).toHaveLength(1);
    const premium = await get('/fapi/v1/premiumIndex?symbol=BTCUSDT');
    expect(premium.nextFundingTime).toBe(START + 3 * FUNDING_INTERVAL_MS);
    const info = (await get('/fapi/v1/fundingInfo')) as Array<{ symbol: string; fundingIntervalHours: number }>;
    expect(info.map((i) => [i.symbol, i.fundingIntervalHours])).toEqual([
      ['BTCUSDT', FUNDING_INTERVAL_MS / 3_600_000],
      ['ETHUSDT', FUNDING_INTERVAL_MS / 3_600_000],
    ]);
  });
});
