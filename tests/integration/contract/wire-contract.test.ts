/**
 * The contract between Binance, the simulator and the adapter, so they cannot drift: for every
 * REST answer and stream frame the adapter consumes, Binance's documented sample (the fixture)
 * and the simulator's live answer are both accepted by the adapter's parser, and the simulator
 * sends every field the documentation shows, with the same JSON type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Instrument } from '../../../src/core/instrument.ts';
import { parseExchangeInfo, toInstrument } from '../../../src/exchange/wire/exchange-info.ts';
import { parseBookTicker, parseMarkPriceUpdate, parsePremiumIndex } from '../../../src/exchange/wire/market.ts';
import { parseOrder } from '../../../src/exchange/wire/orders.ts';
import { parsePositionRisk } from '../../../src/exchange/wire/positions.ts';
import { parseUserEvent } from '../../../src/exchange/wire/user-events.ts';
import { parseUserTrades } from '../../../src/exchange/wire/user-trades.ts';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/simulator.ts';
import { loadFixture } from '../exchange/fake-binance.ts';
import { drift, type Json } from './json-shape.ts';
import { capture, manualClock, signed, unsigned, type Captured, type ManualClock } from '../sim/sim-client.ts';

const START = Date.UTC(2026, 10, 20, 7, 59, 50);
let sim: SimulatorHandle;
let clock: ManualClock;
let btc: Instrument;
const lookup = (symbol: string) => (symbol === 'BTCUSDT' ? btc : undefined);
const sockets: Captured[] = [];
const fixture = (name: string) => loadFixture(name) as Json;

function tick(): void {
  clock.advance(100);
  sim.step();
}

beforeAll(async () => {
  clock = manualClock(START);
  sim = await startSimulator({ symbols: ['BTCUSDT'], autoStep: false, clock, fundingIntervalMs: 60_000, seed: 3, startingPositions: { BTCUSDT: '0.010' } });
  const info = (await unsigned(sim, 'GET', '/fapi/v1/exchangeInfo')).body as Json;
  const spec = parseExchangeInfo(info).specs.get('BTCUSDT');
  if (!spec) throw new Error('simulator lists no BTCUSDT');
  btc = toInstrument(spec);
});
afterAll(async () => {
  for (const s of sockets) s.ws.terminate();
  await sim.close();
});

async function open(path: string): Promise<Captured> {
  const socket = await capture(`${sim.wsUrl}${path}`);
  sockets.push(socket);
  return socket;
}

describe('REST answers: documented sample and simulator agree', () => {
  it('exchangeInfo', async () => {
    const live = (await unsigned(sim, 'GET', '/fapi/v1/exchangeInfo')).body as Json;
    expect(parseExchangeInfo(fixture('exchange-info')).specs.size).toBeGreaterThan(0);
    expect(parseExchangeInfo(live).specs.get('BTCUSDT')?.tickSize).toBe('0.10');
    // Filters are a list of differently shaped objects; their fields are checked by the parser.
    // "OrderType" is a typo of the documentation's sample: the API (and the simulator) send "orderTypes".
    expect(drift(fixture('exchange-info'), live, ['$.symbols[].filters', '$.symbols[].OrderType', '$.rateLimits', '$.assets', '$.exchangeFilters'])).toEqual(
      [],
    );
    expect(live).toMatchObject({ symbols: [expect.objectContaining({ orderTypes: expect.arrayContaining(['LIMIT', 'MARKET']) })] });
  });

  it('server time, depth snapshot, premium index, listenKey', async () => {
    expect(drift(fixture('server-time'), (await unsigned(sim, 'GET', '/fapi/v1/time')).body)).toEqual([]);
    const depth = (await unsigned(sim, 'GET', '/fapi/v1/depth?symbol=BTCUSDT&limit=100')).body as Json;
    expect(drift(fixture('depth-snapshot'), depth)).toEqual([]);
    const premium = (await unsigned(sim, 'GET', '/fapi/v1/premiumIndex?symbol=BTCUSDT')).body as Json;
    expect(drift(fixture('premium-index'), premium)).toEqual([]);
    expect(parsePremiumIndex(premium).symbol).toBe('BTCUSDT');
    expect(parsePremiumIndex(fixture('premium-index')).fundingRate).toMatch(/^-?\d/);
    expect(drift(fixture('listen-key'), (await unsigned(sim, 'POST', '/fapi/v1/listenKey', true)).body)).toEqual([]);
  });

  it('new order (RESULT) and order query', async () => {
    const placed = await signed(sim, 'POST', '/fapi/v1/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTX',
      quantity: '0.002',
      price: '60000.0',
      newClientOrderId: 'contract-1',
      newOrderRespType: 'RESULT',
    });
    expect(placed.status).toBe(200);
    expect(drift(fixture('new-order-response-limit'), placed.body)).toEqual([]);
    expect(parseOrder(placed.body, lookup)).toMatchObject({ clientOrderId: 'contract-1', status: 'NEW', timeInForce: 'GTX' });
    expect(parseOrder(fixture('new-order-response-limit'), (s) => (s === 'BTCUSDT' ? btc : undefined))).toBeDefined();
    const queried = await signed(sim, 'GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'contract-1' });
    expect(parseOrder(queried.body, lookup).clientOrderId).toBe('contract-1');
  });

  it('position risk v3', async () => {
    const live = (await signed(sim, 'GET', '/fapi/v3/positionRisk', { symbol: 'BTCUSDT' })).body as Json;
    expect(drift(fixture('position-risk-v3'), live)).toEqual([]);
    expect(parsePositionRisk(live, 'BTCUSDT', lookup, START).amountSteps).toBe(10);
  });

  it('account trade list (userTrades)', async () => {
    await signed(sim, 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002', newClientOrderId: 'contract-trades' });
    const live = (await signed(sim, 'GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT', startTime: String(START - 60_000) })).body as Json;
    expect(Array.isArray(live) && live.length > 0).toBe(true);
    expect(drift(fixture('user-trades'), live)).toEqual([]);
    const trades = parseUserTrades(live, lookup);
    expect(trades.at(-1)).toMatchObject({ symbol: 'BTCUSDT', side: 'BUY', qtySteps: 2 });
    // The documented sample is priced on a 0.01 grid (hedge mode): read it on that grid.
    const fine = new Instrument({ ...btc.spec, tickSize: '0.01', minPrice: '0.01' });
    expect(parseUserTrades(fixture('user-trades'), (s) => (s === 'BTCUSDT' ? fine : undefined))[0]?.tradeId).toBe(698759);
    expect(parseUserTrades(fixture('user-trades-one-way'), lookup)[0]?.orderId).toBe('25851813');
  });

  it('error body', async () => {
    const bad = await signed(sim, 'POST', '/fapi/v1/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTX',
      quantity: '0.002',
      price: '60000.05',
    });
    expect(bad.status).toBe(400);
    expect(drift(fixture('error'), bad.body)).toEqual([]);
  });
});

describe('stream frames: documented sample and simulator agree', () => {
  it('bookTicker, diff depth and markPrice', async () => {
    const pub = await open('/public/stream?streams=btcusdt@bookTicker/btcusdt@depth@100ms');
    const market = await open('/market/stream?streams=btcusdt@markPrice@1s');
    const ticker = (await pub.next((m) => m.stream === 'btcusdt@bookTicker', 10_000, tick)).data as Json;
    const depth = (await pub.next((m) => m.stream === 'btcusdt@depth@100ms', 10_000, tick)).data as Json;
    const mark = (await market.next((m) => m.stream === 'btcusdt@markPrice@1s', 10_000, tick)).data as Json;
    expect(drift(fixture('book-ticker'), ticker)).toEqual([]);
    expect(drift(fixture('depth-update'), depth)).toEqual([]);
    expect(drift(fixture('mark-price-update'), mark)).toEqual([]);
    expect(parseBookTicker(ticker, lookup).symbol).toBe('BTCUSDT');
    expect(parseMarkPriceUpdate(mark).symbol).toBe('BTCUSDT');
  });

  it('ORDER_TRADE_UPDATE (fill), ACCOUNT_UPDATE (ORDER and FUNDING_FEE), listenKeyExpired', async () => {
    const { body } = await unsigned(sim, 'POST', '/fapi/v1/listenKey', true);
    const user = await open(`/private/ws/${String(body.listenKey)}`);
    await signed(sim, 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.003', newClientOrderId: 'contract-2' });
    const fill = (await user.next((m) => m.e === 'ORDER_TRADE_UPDATE' && m.o.x === 'TRADE', 10_000, tick)) as Json;
    const account = (await user.next((m) => m.e === 'ACCOUNT_UPDATE' && m.a.m === 'ORDER', 10_000, tick)) as Json;
    const funding = (await user.next((m) => m.e === 'ACCOUNT_UPDATE' && m.a.m === 'FUNDING_FEE', 30_000, tick)) as Json;
    // The documented sample is a trailing stop in hedge mode: its stop-only fields are not sent for a plain order.
    expect(drift(fixture('order-trade-update-limit-fill'), fill)).toEqual([]);
    expect(drift(fixture('account-update'), account)).toEqual([]);
    expect(drift(fixture('account-update-funding-fee'), funding, ['$.a.P'])).toEqual([]);
    for (const event of [fill, account, funding, fixture('order-trade-update-limit-fill'), fixture('account-update'), fixture('account-update-funding-fee')]) {
      expect(() => parseUserEvent(event, lookup)).not.toThrow();
    }
    sim.faults.expireListenKeyNow();
    const expired = (await user.next((m) => m.e === 'listenKeyExpired', 10_000, tick)) as Json;
    expect(drift(fixture('listen-key-expired'), expired)).toEqual([]);
    expect(parseUserEvent(expired, lookup)).toMatchObject({ kind: 'listenKeyExpired' });
  });
});
