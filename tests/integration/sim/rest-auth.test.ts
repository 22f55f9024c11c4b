import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/simulator.ts';
import { manualClock, signed, unsigned, type ManualClock } from './sim-client.ts';

// Binance General Info, "SIGNED (TRADE and USER_DATA) Endpoint Examples": key, secret, parameters, signatures.
const DOC_TIMESTAMP = 1499827319559;
const DOC_QUERY = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
const DOC_QUERY_SIGNATURE = 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71';
const DOC_MIXED_QUERY = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC';
const DOC_MIXED_BODY = 'quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
const DOC_MIXED_SIGNATURE = '0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77';

let sim: SimulatorHandle;
let clock: ManualClock;

beforeAll(async () => {
  clock = manualClock(DOC_TIMESTAMP + 10);
  sim = await startSimulator({ symbols: ['BTCUSDT'], autoStep: false, clock });
});
afterAll(async () => {
  await sim.close();
});

describe('simulator REST authentication', () => {
  it("accepts Binance's documented example signatures (query only, and query + body)", async () => {
    const viaQuery = await fetch(`${sim.restUrl}/fapi/v1/order?${DOC_QUERY}&signature=${DOC_QUERY_SIGNATURE}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': sim.apiKey },
    });
    // The signature passes; the documented symbol is a spot pair this venue does not list.
    expect(await viaQuery.json()).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    const mixed = await fetch(`${sim.restUrl}/fapi/v1/order?${DOC_MIXED_QUERY}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': sim.apiKey, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `${DOC_MIXED_BODY}&signature=${DOC_MIXED_SIGNATURE}`,
    });
    expect(await mixed.json()).toMatchObject({ code: -1121 });
  });

  it('accepts a good request and rejects the same request tampered with after signing (-1022)', async () => {
    const good = await signed(sim, 'GET', '/fapi/v3/balance', {});
    expect(good.status).toBe(200);
    expect(good.body[0]).toMatchObject({ asset: 'USDT', balance: '10000.00000000' });
    const tampered = await signed(sim, 'GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' }, { tamper: (q) => q.replace('symbol=BTCUSDT', 'symbol=ETHUSDT') });
    expect(tampered.status).toBe(400);
    expect(tampered.body).toEqual({ code: -1022, msg: 'Signature for this request is not valid.' });
  });

  it('takes parameters from an x-www-form-urlencoded body', async () => {
    const placed = await signed(
      sim,
      'POST',
      '/fapi/v1/order',
      { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTX', quantity: '0.005', price: '60000.00', newClientOrderId: 'body-1' },
      { inBody: true },
    );
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({ clientOrderId: 'body-1', status: 'NEW', price: '60000.00', origQty: '0.005' });
  });

  it('answers a missing API key with 401 -2014 and an unknown one with 401 -2015', async () => {
    const missing = await signed(sim, 'GET', '/fapi/v3/account', {}, { apiKey: null });
    expect([missing.status, missing.body.code]).toEqual([401, -2014]);
    const unknown = await signed(sim, 'GET', '/fapi/v3/account', {}, { apiKey: 'not-the-key' });
    expect([unknown.status, unknown.body.code]).toEqual([401, -2015]);
  });

  it('answers -1021 to a timestamp over 1 s ahead or older than recvWindow', async () => {
    const now = clock.nowMs();
    expect((await signed(sim, 'GET', '/fapi/v3/balance', {}, { timestamp: now + 1001 })).body.code).toBe(-1021);
    expect((await signed(sim, 'GET', '/fapi/v3/balance', {}, { timestamp: now + 900 })).status).toBe(200);
    expect((await signed(sim, 'GET', '/fapi/v3/balance', {}, { timestamp: now - 5001 })).body.code).toBe(-1021);
    expect((await signed(sim, 'GET', '/fapi/v3/balance', { recvWindow: '10000' }, { timestamp: now - 5001 })).status).toBe(200);
  });

  it('counts request weight and orders in X-MBX-* headers', async () => {
    const first = await signed(sim, 'GET', '/fapi/v3/positionRisk', {});
    const second = await signed(sim, 'GET', '/fapi/v3/positionRisk', {});
    expect(Number(second.headers.get('x-mbx-used-weight-1m'))).toBe(Number(first.headers.get('x-mbx-used-weight-1m')) + 5);
    const order = await signed(sim, 'POST', '/fapi/v1/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.005',
      price: '60000.00',
    });
    expect(order.status).toBe(200);
    expect(Number(order.headers.get('x-mbx-order-count-10s'))).toBeGreaterThanOrEqual(1);
    expect(order.headers.get('x-mbx-order-count-1m')).not.toBeNull();
  });

  it('reports order rejections with Binance codes', async () => {
    const offTick = await signed(sim, 'POST', '/fapi/v1/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.005',
      price: '60000.15',
    });
    expect(offTick.body).toEqual({ code: -4014, msg: 'Price not increased by tick size.' });
    const tooPrecise = await signed(sim, 'POST', '/fapi/v1/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.0051',
      price: '60000.10',
    });
    expect(tooPrecise.body.code).toBe(-1111);
    const small = await signed(sim, 'POST', '/fapi/v1/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '60000.10',
    });
    expect(small.body.code).toBe(-4164);
    const postOnly = await signed(sim, 'POST', '/fapi/v1/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTX',
      quantity: '0.005',
      price: '70000.00',
    });
    expect(postOnly.body.code).toBe(-5022);
    const unknown = await signed(sim, 'DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'never-sent' });
    expect(unknown.body).toEqual({ code: -2011, msg: 'Unknown order sent.' });
    const query = await signed(sim, 'GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'never-sent' });
    expect(query.body).toEqual({ code: -2013, msg: 'Order does not exist.' });
  });

  it('answers margin type changes, -4046 when unchanged', async () => {
    const unchanged = await signed(sim, 'POST', '/fapi/v1/marginType', { symbol: 'BTCUSDT', marginType: 'CROSSED' });
    expect(unchanged.body).toEqual({ code: -4046, msg: 'No need to change margin type.' });
    const leverage = await signed(sim, 'POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: '5' });
    expect(leverage.body).toMatchObject({ symbol: 'BTCUSDT', leverage: 5 });
  });

  it('serves market data without a key', async () => {
    const time = await unsigned(sim, 'GET', '/fapi/v1/time');
    expect(time.body).toEqual({ serverTime: clock.nowMs() });
    const info = await unsigned(sim, 'GET', '/fapi/v1/exchangeInfo');
    const btc = info.body.symbols.find((s: { symbol: string }) => s.symbol === 'BTCUSDT');
    expect(btc.filters).toEqual(
      expect.arrayContaining([
        { filterType: 'PRICE_FILTER', minPrice: '556.80', maxPrice: '4529764', tickSize: '0.10' },
        { filterType: 'LOT_SIZE', minQty: '0.001', maxQty: '1000', stepSize: '0.001' },
        { filterType: 'MIN_NOTIONAL', notional: '100' },
      ]),
    );
  });
});
