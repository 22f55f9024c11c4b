/**
 * The simulator's account trade list (GET /fapi/v1/userTrades), and the adapter paging through
 * it: same parameters, limits and errors as Binance's, and the same trades the simulator
 * recorded (its admin state), fees and realized PnL included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceVenue } from '../../../src/exchange/binance-venue.ts';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/simulator.ts';
import { manualClock, signed, signingOn, type ManualClock } from './sim-client.ts';

const START = Date.UTC(2026, 10, 20, 8, 0, 0);
let sim: SimulatorHandle;
let clock: ManualClock;
const times: number[] = [];

beforeAll(async () => {
  clock = manualClock(START);
  sim = await startSimulator({ symbols: ['BTCUSDT', 'ETHUSDT'], autoStep: false, clock, seed: 5 });
  // Five taker trades a minute apart on BTCUSDT (buy, buy, sell, sell, buy) and one on ETHUSDT.
  for (const [i, side] of (['BUY', 'BUY', 'SELL', 'SELL', 'BUY'] as const).entries()) {
    clock.advance(60_000);
    times.push(clock.nowMs());
    const placed = await signed(sim, 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side, type: 'MARKET', quantity: '0.002', newClientOrderId: `trades-${i}` });
    expect(placed.status).toBe(200);
  }
  await signed(sim, 'POST', '/fapi/v1/order', { symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: '0.050' });
});
afterAll(async () => {
  await sim.close();
});

const ids = (body: Array<{ id: number }>): number[] => body.map((t) => t.id);

describe('GET /fapi/v1/userTrades', () => {
  it("lists the symbol's trades as the simulator recorded them, in Binance's shape", async () => {
    const answer = await signed(sim, 'GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-mbx-used-weight-1m')).not.toBeNull();
    const recorded = sim.state().trades.filter((t) => t.symbol === 'BTCUSDT');
    expect(recorded.length).toBeGreaterThanOrEqual(5);
    expect(answer.body).toEqual(
      recorded.map((t) => ({
        buyer: t.side === 'BUY',
        commission: t.commission,
        commissionAsset: t.commissionAsset,
        id: t.id,
        maker: t.maker,
        marginAsset: 'USDT',
        orderId: t.orderId,
        price: t.price,
        qty: t.qty,
        quoteQty: t.quoteQty,
        realizedPnl: t.realizedPnl,
        side: t.side,
        positionSide: 'BOTH',
        symbol: 'BTCUSDT',
        time: t.time,
      })),
    );
  });

  it('selects by startTime/endTime, fromId (inclusive), orderId and limit', async () => {
    const all = (await signed(sim, 'GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT' })).body as Array<{ id: number; time: number; orderId: number }>;
    const from3 = (await signed(sim, 'GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT', startTime: String(times[2]) })).body;
    expect(ids(from3)).toEqual(ids(all.filter((t) => t.time >= (times[2] ?? 0))));
    const window = (await signed(sim, 'GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT', startTime: String(times[1]), endTime: String(times[2]) })).body;
    expect(ids(window)).toEqual(ids(all.filter((t) => t.time >= (times[1] ?? 0) && t.time <= (times[2] ?? 0))));
    const second = all[1];
    if (second === undefined) throw new Error('too few trades');
    const fromId = (await signed(sim, 'GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT', fromId: String(second.id), limit: '2' })).body;
    expect(ids(fromId)).toEqual(ids(all.slice(1, 3)));
    const byOrder = (await signed(sim, 'GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT', orderId: String(second.orderId) })).body;
    expect(ids(byOrder)).toEqual(ids(all.filter((t) => t.orderId === second.orderId)));
    // Without fromId or a time: the most recent `limit`.
    const recent = (await signed(sim, 'GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT', limit: '2' })).body;
    expect(ids(recent)).toEqual(ids(all.slice(-2)));
  });

  it("answers Binance's errors: fromId with a time, over 7 days, a bad limit, no symbol", async () => {
    const combined = await signed(sim, 'GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT', fromId: '1', startTime: String(START) });
    expect(combined.body).toEqual({ code: -1128, msg: 'Combination of optional parameters invalid.' });
    const long = await signed(sim, 'GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT', startTime: String(START - 8 * 86_400_000), endTime: String(START) });
    expect(long.body.code).toBe(-1127);
    expect((await signed(sim, 'GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT', limit: '1001' })).body.code).toBe(-1130);
    expect((await signed(sim, 'GET', '/fapi/v1/userTrades', {})).body.code).toBe(-1102);
  });
});

describe('BinanceVenue.userTrades against the simulator', () => {
  it('pages by fromId after the first page by time, and returns every trade once, oldest first', async () => {
    const venue = new BinanceVenue({
      restUrl: sim.restUrl,
      wsUrl: sim.wsUrl,
      apiKey: sim.apiKey,
      apiSecret: sim.apiSecret,
      clock: signingOn(clock),
      userTradesPageSize: 2,
    });
    const paths: string[] = [];
    const stop = sim.faults.observeRequests((r) => paths.push(`${r.method} ${r.path}`));
    try {
      await venue.loadInstruments(['BTCUSDT']);
      const trades = await venue.userTrades('BTCUSDT', times[0] ?? 0);
      const recorded = sim.state().trades.filter((t) => t.symbol === 'BTCUSDT');
      expect(trades.map((t) => t.tradeId)).toEqual(recorded.map((t) => t.id));
      expect(trades.map((t) => t.side)).toEqual(['BUY', 'BUY', 'SELL', 'SELL', 'BUY']);
      expect(trades.every((t) => t.qtySteps === 2 && t.commissionAsset === 'USDT')).toBe(true);
      // 5 trades at 2 a page: a full page, a full page, then a short one.
      expect(paths.filter((p) => p === 'GET /fapi/v1/userTrades')).toHaveLength(3);
      const later = await venue.userTrades('BTCUSDT', (times[3] ?? 0) + 1);
      expect(later.map((t) => t.tradeId)).toEqual(recorded.slice(4).map((t) => t.id));
      const bounded = new BinanceVenue({
        restUrl: sim.restUrl,
        wsUrl: sim.wsUrl,
        apiKey: sim.apiKey,
        apiSecret: sim.apiSecret,
        clock: signingOn(clock),
        userTradesPageSize: 2,
        userTradesMaxPages: 1,
      });
      await bounded.loadInstruments(['BTCUSDT']);
      expect(await bounded.userTrades('BTCUSDT', times[0] ?? 0)).toHaveLength(2);
      await bounded.close();
    } finally {
      stop();
      await venue.close();
    }
  });
});
