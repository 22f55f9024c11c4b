/**
 * The order endpoints beyond place/cancel, over HTTP: ACK and RESULT answers, order/test,
 * modify (PUT), batch place and batch cancel with per-order errors in place, openOrder and
 * allOrders, with Binance's order counts and error codes, and recvWindow's upper bound.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatScaled, parseScaled } from '../../../src/core/decimal.ts';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/simulator.ts';
import { manualClock, signed, unsigned, type Answer, type ManualClock } from './sim-client.ts';

const START = Date.UTC(2026, 10, 20, 8, 0, 5);
let sim: SimulatorHandle;
let clock: ManualClock;
/** BTCUSDT's best bid, in ticks of 0.10. */
let bidTicks: bigint;

/** A BTCUSDT price `offsetTicks` from the best bid, written as the venue writes it (2 decimals, tick 0.10). */
const price = (offsetTicks: number) => formatScaled((bidTicks + BigInt(offsetTicks)) * 10n, 2);
const order = (params: Record<string, string>) => signed(sim, 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', ...params });
const restingBuy = (clientOrderId: string, offsetTicks = -200, quantity = '0.002') =>
  order({ side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity, price: price(offsetTicks), newClientOrderId: clientOrderId, newOrderRespType: 'RESULT' });
const header = (answer: Answer, name: string) => Number(answer.headers.get(name));

beforeEach(async () => {
  clock = manualClock(START);
  sim = await startSimulator({ symbols: ['BTCUSDT', 'ETHUSDT'], autoStep: false, clock, seed: 19 });
  const top = (await unsigned(sim, 'GET', '/fapi/v1/ticker/bookTicker?symbol=BTCUSDT')).body;
  bidTicks = parseScaled(top.bidPrice as string, 1);
});
afterEach(async () => {
  await sim.close();
});

describe('new order answers', () => {
  it('answers ACK (the order as accepted) by default and RESULT (after matching) when asked; -1136 otherwise', async () => {
    const ack = await order({ side: 'BUY', type: 'MARKET', quantity: '0.002', newClientOrderId: 'ack-1' });
    expect(ack.body).toMatchObject({ clientOrderId: 'ack-1', status: 'NEW', executedQty: '0.000' });
    expect(parseScaled(ack.body.cumQuote, 8)).toBe(0n);
    const queried = await signed(sim, 'GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'ack-1' });
    expect(queried.body).toMatchObject({ status: 'FILLED', executedQty: '0.002' });
    const result = await order({ side: 'SELL', type: 'MARKET', quantity: '0.002', newOrderRespType: 'RESULT' });
    expect(result.body).toMatchObject({ status: 'FILLED', executedQty: '0.002' });
    expect(parseScaled(result.body.cumQuote, 8) > 0n).toBe(true);
    expect(sim.state().trades).toHaveLength(2);
    const full = await order({ side: 'BUY', type: 'MARKET', quantity: '0.002', newOrderRespType: 'FULL' });
    expect([full.status, full.body.code]).toEqual([400, -1136]);
  });

  it('POST order/test validates like a new order, counts no order and places nothing', async () => {
    const good = await signed(sim, 'POST', '/fapi/v1/order/test', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.002',
      price: price(-5),
    });
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ orderId: 0, status: 'NEW', price: price(-5), origQty: '0.002' });
    expect(good.headers.get('x-mbx-order-count-10s')).toBeNull();
    const crossing = await signed(sim, 'POST', '/fapi/v1/order/test', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTX',
      quantity: '0.002',
      price: price(50),
    });
    expect(crossing.body.code).toBe(-5022);
    const offGrid = await signed(sim, 'POST', '/fapi/v1/order/test', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.002',
      price: '1000.05',
    });
    expect(offGrid.body.code).toBe(-4014);
    expect(sim.state().openOrders).toHaveLength(0);
    expect(sim.state().trades).toHaveLength(0);
  });

  it('refuses a recvWindow over 60000 ms (-1131) and a malformed one (-1130)', async () => {
    const balance = (recvWindow: string) => signed(sim, 'GET', '/fapi/v3/balance', { recvWindow });
    expect((await balance('60000')).status).toBe(200);
    expect((await balance('60001')).body.code).toBe(-1131);
    expect((await balance('soon')).body.code).toBe(-1130);
  });
});

describe('PUT /fapi/v1/order (modify)', () => {
  it('changes price and quantity in place, counting one order at weight 0, and refuses what Binance refuses', async () => {
    const placed = await restingBuy('mod-1');
    const modified = await signed(sim, 'PUT', '/fapi/v1/order', {
      symbol: 'BTCUSDT',
      orderId: String(placed.body.orderId),
      side: 'BUY',
      quantity: '0.003',
      price: price(-150),
    });
    expect(modified.status).toBe(200);
    expect(modified.body).toMatchObject({ orderId: placed.body.orderId, clientOrderId: 'mod-1', status: 'NEW', price: price(-150), origQty: '0.003' });
    expect(header(modified, 'x-mbx-order-count-10s')).toBe(header(placed, 'x-mbx-order-count-10s') + 1);
    expect(header(modified, 'x-mbx-used-weight-1m')).toBe(header(placed, 'x-mbx-used-weight-1m'));
    expect(sim.state().openOrders).toEqual([expect.objectContaining({ clientOrderId: 'mod-1', price: price(-150), origQty: '0.003' })]);
    const again = (change: Record<string, string>) =>
      signed(sim, 'PUT', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'mod-1', side: 'BUY', quantity: '0.003', price: price(-150), ...change });
    expect((await again({})).body.code).toBe(-5027);
    expect((await again({ side: 'SELL' })).body.code).toBe(-1130);
    expect((await again({ origClientOrderId: 'never' })).body.code).toBe(-2013);
    expect((await again({ price: '1000.05' })).body.code).toBe(-4014);
    expect((await signed(sim, 'PUT', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'mod-1', side: 'BUY', price: price(-150) })).body.code).toBe(
      -1102,
    );
  });

  it('trades at once when the new price crosses, like a new order', async () => {
    await restingBuy('mod-cross');
    const crossed = await signed(sim, 'PUT', '/fapi/v1/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'mod-cross',
      side: 'BUY',
      quantity: '0.002',
      price: price(100),
    });
    expect(crossed.body).toMatchObject({ status: 'FILLED', executedQty: '0.002' });
    expect(sim.state().trades).toEqual([expect.objectContaining({ clientOrderId: 'mod-cross', side: 'BUY', maker: false })]);
  });
});

describe('batch orders', () => {
  it('POST batchOrders places each order on its own, errors in place, counting 5 orders per 10 s and 1 per minute', async () => {
    const before = await signed(sim, 'GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' });
    const batch = [
      { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTX', quantity: '0.002', price: price(-10), newClientOrderId: 'b-1' },
      { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.002', price: '1000.05' },
      { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.001', reduceOnly: 'true' },
      { symbol: 'ETHUSDT', side: 'SELL', type: 'MARKET', quantity: '0.010', newOrderRespType: 'RESULT', newClientOrderId: 'b-4' },
    ];
    const placed = await signed(sim, 'POST', '/fapi/v1/batchOrders', { batchOrders: JSON.stringify(batch) });
    expect(placed.status).toBe(200);
    expect(placed.body).toEqual([
      expect.objectContaining({ clientOrderId: 'b-1', status: 'NEW' }),
      { code: -4014, msg: 'Price not increased by tick size.' },
      { code: -2022, msg: 'ReduceOnly Order is rejected.' },
      expect.objectContaining({ clientOrderId: 'b-4', symbol: 'ETHUSDT', status: 'FILLED' }),
    ]);
    expect(header(placed, 'x-mbx-order-count-10s')).toBe(5);
    expect(header(placed, 'x-mbx-order-count-1m')).toBe(1);
    expect(header(placed, 'x-mbx-used-weight-1m') - header(before, 'x-mbx-used-weight-1m')).toBe(5);
    expect(sim.state().openOrders.map((o) => o.clientOrderId)).toEqual(['b-1']);
    const six = Array.from({ length: 6 }, () => batch[0]);
    expect((await signed(sim, 'POST', '/fapi/v1/batchOrders', { batchOrders: JSON.stringify(six) })).body.code).toBe(-4082);
    expect((await signed(sim, 'POST', '/fapi/v1/batchOrders', {})).body.code).toBe(-1102);
    expect((await signed(sim, 'POST', '/fapi/v1/batchOrders', { batchOrders: '[{' })).body.code).toBe(-1130);
  });

  it('DELETE batchOrders cancels by orderIdList or origClientOrderIdList, unknown orders answered -2011 in place', async () => {
    const a = await restingBuy('c-1', -100);
    await restingBuy('c-2', -101);
    await restingBuy('c-3', -102);
    const byId = await signed(sim, 'DELETE', '/fapi/v1/batchOrders', { symbol: 'BTCUSDT', orderIdList: JSON.stringify([a.body.orderId, 999_999]) });
    expect(byId.body).toEqual([expect.objectContaining({ clientOrderId: 'c-1', status: 'CANCELED' }), { code: -2011, msg: 'Unknown order sent.' }]);
    const byClient = await signed(sim, 'DELETE', '/fapi/v1/batchOrders', { symbol: 'BTCUSDT', origClientOrderIdList: JSON.stringify(['c-3', 'c-1']) });
    expect(byClient.body).toEqual([expect.objectContaining({ clientOrderId: 'c-3', status: 'CANCELED' }), { code: -2011, msg: 'Unknown order sent.' }]);
    expect(sim.state().openOrders.map((o) => o.clientOrderId)).toEqual(['c-2']);
    const eleven = JSON.stringify(Array.from({ length: 11 }, (_, i) => i + 1));
    expect((await signed(sim, 'DELETE', '/fapi/v1/batchOrders', { symbol: 'BTCUSDT', orderIdList: eleven })).body.code).toBe(-4032);
    expect((await signed(sim, 'DELETE', '/fapi/v1/batchOrders', { symbol: 'BTCUSDT' })).body.code).toBe(-1102);
  });
});

describe('order queries', () => {
  it('GET openOrder answers an open order and -2013 once it is filled or cancelled', async () => {
    const open = await restingBuy('q-open');
    const one = await signed(sim, 'GET', '/fapi/v1/openOrder', { symbol: 'BTCUSDT', orderId: String(open.body.orderId) });
    expect(one.body).toMatchObject({ clientOrderId: 'q-open', status: 'NEW' });
    await signed(sim, 'DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'q-open' });
    expect((await signed(sim, 'GET', '/fapi/v1/openOrder', { symbol: 'BTCUSDT', origClientOrderId: 'q-open' })).body.code).toBe(-2013);
    await order({ side: 'BUY', type: 'MARKET', quantity: '0.002', newClientOrderId: 'q-filled' });
    expect((await signed(sim, 'GET', '/fapi/v1/openOrder', { symbol: 'BTCUSDT', origClientOrderId: 'q-filled' })).body.code).toBe(-2013);
    expect((await signed(sim, 'GET', '/fapi/v1/openOrder', { symbol: 'BTCUSDT' })).body.code).toBe(-1102);
  });

  it('GET allOrders lists open, cancelled and filled orders oldest first, from an orderId, up to limit', async () => {
    const first = await restingBuy('h-1');
    clock.advance(1_000);
    await order({ side: 'BUY', type: 'MARKET', quantity: '0.002', newClientOrderId: 'h-2' });
    clock.advance(1_000);
    await restingBuy('h-3');
    await signed(sim, 'DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'h-1' });
    const all = await signed(sim, 'GET', '/fapi/v1/allOrders', { symbol: 'BTCUSDT' });
    expect(all.body.map((o: { clientOrderId: string; status: string }) => [o.clientOrderId, o.status])).toEqual([
      ['h-1', 'CANCELED'],
      ['h-2', 'FILLED'],
      ['h-3', 'NEW'],
    ]);
    const fromSecond = await signed(sim, 'GET', '/fapi/v1/allOrders', { symbol: 'BTCUSDT', orderId: String(first.body.orderId + 1), limit: '1' });
    expect(fromSecond.body.map((o: { clientOrderId: string }) => o.clientOrderId)).toEqual(['h-2']);
    const latest = await signed(sim, 'GET', '/fapi/v1/allOrders', { symbol: 'BTCUSDT', limit: '1' });
    expect(latest.body.map((o: { clientOrderId: string }) => o.clientOrderId)).toEqual(['h-3']);
    const window = await signed(sim, 'GET', '/fapi/v1/allOrders', { symbol: 'BTCUSDT', startTime: String(START + 500), endTime: String(START + 1_500) });
    expect(window.body.map((o: { clientOrderId: string }) => o.clientOrderId)).toEqual(['h-2']);
    const tooLong = await signed(sim, 'GET', '/fapi/v1/allOrders', { symbol: 'BTCUSDT', startTime: String(START), endTime: String(START + 8 * 86_400_000) });
    expect(tooLong.body.code).toBe(-1127);
    expect((await signed(sim, 'GET', '/fapi/v1/allOrders', {})).body.code).toBe(-1102);
  });
});
