/**
 * Every endpoint and stream the simulator serves for people's own tooling (issue 16) answers in
 * the shape Binance's documentation shows: each documented sample (tests/fixtures/binance,
 * SOURCES.md) is compared field by field, path and JSON type, with the simulator's live answer.
 * Fields the documentation shows only for order types or modes the simulator does not offer
 * (trailing stops, COIN-M's pair/cumBase, an adjusted bracket's notionalCoef) are named and skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/simulator.ts';
import { loadFixture } from '../exchange/fake-binance.ts';
import { capture, manualClock, signed, unsigned, type Captured, type ManualClock } from '../sim/sim-client.ts';
import { drift, type Json } from './json-shape.ts';

const START = Date.UTC(2026, 10, 20, 7, 58, 0);
const TRAILING_ONLY = ['$.activatePrice', '$.priceRate'];
const TRAILING_ONLY_IN_LIST = ['$[].activatePrice', '$[].priceRate'];
let sim: SimulatorHandle;
let clock: ManualClock;
const sockets: Captured[] = [];
const fixture = (name: string) => loadFixture(name) as Json;

function tick(): void {
  clock.advance(100);
  sim.step();
}

/** Steps the simulator until `check` holds (the manual clock moves 100 ms a step). */
async function stepUntil(what: string, check: () => boolean | Promise<boolean>, maxSteps = 5_000): Promise<void> {
  for (let i = 0; i < maxSteps; i++) {
    if (await check()) return;
    tick();
  }
  throw new Error(`${what}: not within ${maxSteps} steps`);
}

async function open(path: string): Promise<Captured> {
  const socket = await capture(`${sim.wsUrl}${path}`);
  sockets.push(socket);
  return socket;
}

const order = (params: Record<string, string>) => signed(sim, 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', newOrderRespType: 'RESULT', ...params });

beforeAll(async () => {
  clock = manualClock(START);
  sim = await startSimulator({ symbols: ['BTCUSDT', 'ETHUSDT'], autoStep: false, clock, fundingIntervalMs: 60_000, seed: 11 });
  // Some market history: crowd trades on the tape and one funding event.
  await stepUntil('crowd trades and a funding event', () => sim.state().fundingPayments.length > 0 || clock.nowMs() > START + 61_000);
  await stepUntil('crowd trades', async () => ((await unsigned(sim, 'GET', '/fapi/v1/trades?symbol=BTCUSDT')).body as Json[]).length > 0);
});
afterAll(async () => {
  for (const s of sockets) s.ws.terminate();
  await sim.close();
});

describe('market data answers have the documented shape', () => {
  it('ticker/24hr, ticker/price (v1 and v2)', async () => {
    expect(drift(fixture('ticker-24hr'), (await unsigned(sim, 'GET', '/fapi/v1/ticker/24hr?symbol=BTCUSDT')).body)).toEqual([]);
    const all = (await unsigned(sim, 'GET', '/fapi/v1/ticker/24hr')).body as Json[];
    expect(all).toHaveLength(2);
    expect(drift([fixture('ticker-24hr')], all)).toEqual([]);
    expect(drift(fixture('ticker-price'), (await unsigned(sim, 'GET', '/fapi/v1/ticker/price?symbol=BTCUSDT')).body)).toEqual([]);
    expect(drift(fixture('ticker-price'), (await unsigned(sim, 'GET', '/fapi/v2/ticker/price?symbol=BTCUSDT')).body)).toEqual([]);
  });

  it('klines, trades, aggTrades', async () => {
    const klines = (await unsigned(sim, 'GET', '/fapi/v1/klines?symbol=BTCUSDT&interval=1m')).body as Json[];
    expect(klines.length).toBeGreaterThan(0);
    expect(drift(fixture('klines'), klines)).toEqual([]);
    expect(drift(fixture('trades'), (await unsigned(sim, 'GET', '/fapi/v1/trades?symbol=BTCUSDT')).body)).toEqual([]);
    const agg = (await unsigned(sim, 'GET', '/fapi/v1/aggTrades?symbol=BTCUSDT')).body as Json[];
    expect(agg.length).toBeGreaterThan(0);
    expect(drift(fixture('agg-trades'), agg)).toEqual([]);
  });

  it('fundingRate, fundingInfo, leverageBracket', async () => {
    const history = (await unsigned(sim, 'GET', '/fapi/v1/fundingRate?symbol=BTCUSDT')).body as Json[];
    expect(history.length).toBeGreaterThan(0);
    expect(drift(fixture('funding-rate-history'), history)).toEqual([]);
    expect(drift(fixture('funding-info'), (await unsigned(sim, 'GET', '/fapi/v1/fundingInfo')).body)).toEqual([]);
    const brackets = (await signed(sim, 'GET', '/fapi/v1/leverageBracket', {})).body as Json;
    // notionalCoef appears only when the user's brackets were adjusted.
    expect(drift(fixture('leverage-bracket'), brackets, ['$[].notionalCoef'])).toEqual([]);
  });
});

describe('account and trade answers have the documented shape', () => {
  it('GET /fapi/v2/account, accountConfig, symbolConfig, commissionRate, positionSide/dual', async () => {
    expect(drift(fixture('account-v2'), (await signed(sim, 'GET', '/fapi/v2/account', {})).body)).toEqual([]);
    expect(drift(fixture('account-config'), (await signed(sim, 'GET', '/fapi/v1/accountConfig', {})).body)).toEqual([]);
    expect(drift(fixture('symbol-config'), (await signed(sim, 'GET', '/fapi/v1/symbolConfig', { symbol: 'BTCUSDT' })).body)).toEqual([]);
    expect(drift(fixture('commission-rate'), (await signed(sim, 'GET', '/fapi/v1/commissionRate', { symbol: 'BTCUSDT' })).body)).toEqual([]);
    expect(drift(fixture('position-mode'), (await signed(sim, 'GET', '/fapi/v1/positionSide/dual', {})).body)).toEqual([]);
    const change = await signed(sim, 'POST', '/fapi/v1/positionSide/dual', { dualSidePosition: 'false' });
    expect(change.body).toMatchObject({ code: -4059 });
  });

  it('order/test, PUT order (modify), openOrder, allOrders', async () => {
    const params = { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.002', price: '50000.0' };
    const tested = await signed(sim, 'POST', '/fapi/v1/order/test', { symbol: 'BTCUSDT', ...params, newOrderRespType: 'RESULT' });
    expect(drift(fixture('test-order-response'), tested.body, TRAILING_ONLY)).toEqual([]);
    const placed = await order({ ...params, newClientOrderId: 'shape-1' });
    const modified = await signed(sim, 'PUT', '/fapi/v1/order', {
      symbol: 'BTCUSDT',
      orderId: String(placed.body.orderId),
      side: 'BUY',
      quantity: '0.003',
      price: '50001.0',
    });
    expect(modified.status).toBe(200);
    // pair and cumBase are COIN-M fields in the page's sample.
    expect(drift(fixture('modify-order-response'), modified.body, ['$.pair', '$.cumBase'])).toEqual([]);
    const one = await signed(sim, 'GET', '/fapi/v1/openOrder', { symbol: 'BTCUSDT', origClientOrderId: 'shape-1' });
    expect(drift(fixture('open-order'), one.body, TRAILING_ONLY)).toEqual([]);
    const all = await signed(sim, 'GET', '/fapi/v1/allOrders', { symbol: 'BTCUSDT' });
    expect(drift(fixture('all-orders'), all.body, TRAILING_ONLY_IN_LIST)).toEqual([]);
  });

  it('POST and DELETE batchOrders, with a per-order error in place', async () => {
    const documentedPlace = fixture('place-multiple-orders-response') as Json[];
    const documentedCancel = fixture('cancel-multiple-orders-response') as Json[];
    const batch = [
      { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTX', quantity: '0.002', price: '90000.0', newClientOrderId: 'shape-b1' },
      { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.002', price: '90000.05' },
    ];
    const placed = await signed(sim, 'POST', '/fapi/v1/batchOrders', { batchOrders: JSON.stringify(batch) });
    expect(drift(documentedPlace[0]!, placed.body[0])).toEqual([]);
    expect(drift(documentedPlace[1]!, placed.body[1])).toEqual([]);
    const cancelled = await signed(sim, 'DELETE', '/fapi/v1/batchOrders', {
      symbol: 'BTCUSDT',
      origClientOrderIdList: JSON.stringify(['shape-b1', 'never-placed']),
    });
    expect(drift(documentedCancel[0]!, cancelled.body[0], TRAILING_ONLY)).toEqual([]);
    expect(drift(documentedCancel[1]!, cancelled.body[1])).toEqual([]);
  });

  it('income history', async () => {
    await order({ side: 'BUY', type: 'MARKET', quantity: '0.002' });
    const income = (await signed(sim, 'GET', '/fapi/v1/income', {})).body as Json[];
    expect(income.length).toBeGreaterThan(1);
    expect(drift(fixture('income-history'), income)).toEqual([]);
    const commission = income.find((i) => (i as { incomeType: string }).incomeType === 'COMMISSION');
    expect(drift((fixture('income-history') as Json[])[1]!, commission ?? null)).toEqual([]);
  });
});

describe('stream frames have the documented shape', () => {
  it('ticker, miniTicker, aggTrade, kline, partial depth, !markPrice@arr', async () => {
    const socket = await open('/market/stream?streams=btcusdt@ticker/btcusdt@miniTicker/btcusdt@aggTrade/btcusdt@kline_1m/!markPrice@arr');
    const pub = await open('/public/stream?streams=btcusdt@depth5@100ms/!bookTicker');
    const frame = async (s: Captured, stream: string) => (await s.next((m) => m.stream === stream, 20_000, tick)).data as Json;
    expect(drift(fixture('ticker-stream'), await frame(socket, 'btcusdt@ticker'))).toEqual([]);
    expect(drift(fixture('mini-ticker-stream'), await frame(socket, 'btcusdt@miniTicker'))).toEqual([]);
    expect(drift(fixture('agg-trade-stream'), await frame(socket, 'btcusdt@aggTrade'))).toEqual([]);
    expect(drift(fixture('kline-stream'), await frame(socket, 'btcusdt@kline_1m'))).toEqual([]);
    expect(drift(fixture('mark-price-all-stream'), await frame(socket, '!markPrice@arr'))).toEqual([]);
    const partial = (await frame(pub, 'btcusdt@depth5@100ms')) as { b: Json[]; a: Json[] };
    expect(drift(fixture('partial-depth-stream'), partial)).toEqual([]);
    expect([partial.b.length, partial.a.length]).toEqual([5, 5]);
    expect(drift(fixture('book-ticker'), await frame(pub, '!bookTicker'))).toEqual([]);
  });

  it('TRADE_LITE and ACCOUNT_CONFIG_UPDATE', async () => {
    const { body } = await unsigned(sim, 'POST', '/fapi/v1/listenKey', true);
    const user = await open(`/private/ws?listenKey=${String(body.listenKey)}`);
    await order({ side: 'SELL', type: 'MARKET', quantity: '0.002' });
    expect(drift(fixture('trade-lite'), (await user.next((m) => m.e === 'TRADE_LITE', 10_000, tick)) as Json)).toEqual([]);
    await signed(sim, 'POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: '7' });
    const config = (await user.next((m) => m.e === 'ACCOUNT_CONFIG_UPDATE', 10_000, tick)) as Json;
    expect(drift(fixture('account-config-update'), config)).toEqual([]);
    expect(config).toMatchObject({ ac: { s: 'BTCUSDT', l: 7 } });
  });
});
