/**
 * Orders over the WebSocket API against the fake built from Binance's documented samples: what
 * the adapter sends (key, signature, params), and how each documented answer ends (accepted,
 * rejected, ambiguous), including the shared 429/418 back-off, -1021, lost and unanswered
 * requests (never sent again) and unreadable frames.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlaceOrder } from '../../../src/core/model.ts';
import type { BinanceVenue } from '../../../src/exchange/binance-venue.ts';
import { FakeBinance, json, loadFixture } from './fake-binance.ts';
import { recordingListener, until, venueFor, type Recorded } from './helpers.ts';
import { asSteps, asTicks } from '../../../src/core/instrument.ts';

const ORDER: PlaceOrder = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  priceTicks: asTicks(650001),
  qtySteps: asSteps(5),
  timeInForce: 'GTX',
  reduceOnly: false,
  clientOrderId: 'mm-1:a/b',
};

let fake: FakeBinance;
let venue: BinanceVenue;
let rec: Recorded;

async function connected(overrides: Parameters<typeof venueFor>[1] = {}): Promise<BinanceVenue> {
  const v = venueFor(fake, { orderTransport: 'ws', wsApiUrl: fake.wsApiUrl, wsApiRequestTimeoutMs: 1000, ...overrides });
  await v.loadInstruments(['BTCUSDT']);
  rec = recordingListener();
  await v.connect(['BTCUSDT'], rec.listener);
  await until(() => v.status().orderTransport === 'ws', 5000, 'the WebSocket API');
  return v;
}

beforeEach(async () => {
  fake = await FakeBinance.start();
  venue = await connected();
});
afterEach(async () => {
  await venue.close();
  await fake.close();
});

describe('orders over the WebSocket API (documented fake)', () => {
  it('places an order the fake verifies (API key and signature in the params), sends nothing over REST, and records rateLimits', async () => {
    const outcome = await venue.placeOrder(ORDER);
    expect(outcome).toMatchObject({ kind: 'accepted', value: { clientOrderId: 'mm-1:a/b', priceTicks: 650001, qtySteps: 5, timeInForce: 'GTX' } });
    const [sent] = fake.wsApi.requestsTo('order.place');
    expect(sent?.signatureValid).toBe(true);
    expect(sent?.params).toMatchObject({
      apiKey: fake.apiKey,
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      price: '65000.1',
      quantity: '0.005',
      timeInForce: 'GTX',
      newClientOrderId: 'mm-1:a/b',
      newOrderRespType: 'RESULT',
      recvWindow: 5000,
    });
    expect(sent?.params).not.toHaveProperty('reduceOnly');
    expect(fake.requestsTo('POST', '/fapi/v1/order')).toHaveLength(0);
    expect(venue.rateLimits()).toMatchObject({ usedWeight1m: 1, orderCount10s: 1, orderCount1m: 0 });
    expect(venue.status()).toMatchObject({ orderTransport: 'ws', orderApiConnected: true });
    expect(rec.of('orderTransport')).toEqual([[{ transport: 'rest', reason: 'ws-api connecting' }], [{ transport: 'ws', reason: 'ws-api open' }]]);
  });

  it('a wrong secret is rejected -1022; an unknown order is -2011 on cancel and null on query', async () => {
    const wrong = await connected({ apiSecret: 'wrong' });
    expect(await wrong.placeOrder(ORDER)).toMatchObject({ kind: 'rejected', code: -1022, httpStatus: 400 });
    await wrong.close();
    expect(await venue.cancelOrder({ symbol: 'BTCUSDT', clientOrderId: 'nope' })).toMatchObject({ kind: 'rejected', code: -2011 });
    expect(await venue.queryOrder('BTCUSDT', 'nope')).toEqual({ kind: 'accepted', value: null });
    expect(fake.wsApi.requestsTo('order.status')[0]?.params).toMatchObject({ origClientOrderId: 'nope', symbol: 'BTCUSDT' });
  });

  it('the documented error answer is a rejection; 503 "Unknown error" is ambiguous and sent once', async () => {
    fake.wsApi.queue('order.place', { kind: 'fixture', fixture: 'ws-api-error' });
    expect(await venue.placeOrder(ORDER)).toMatchObject({ kind: 'rejected', code: -1102, httpStatus: 400 });
    fake.wsApi.queue('order.place', {
      kind: 'answer',
      status: 503,
      error: { code: -1000, msg: 'Unknown error, please check your request or try again later.' },
    });
    expect((await venue.placeOrder({ ...ORDER, clientOrderId: 'mm-2' })).kind).toBe('ambiguous');
    expect(fake.wsApi.requestsTo('order.place').filter((r) => r.params['newClientOrderId'] === 'mm-2')).toHaveLength(1);
    expect(fake.requestsTo('POST', '/fapi/v1/order')).toHaveLength(0);
  });

  it('the documented 418 bans both transports for its retryAfter: nothing reaches the fake until it ends', async () => {
    fake.wsApi.queue('order.place', { kind: 'fixture', fixture: 'ws-api-banned' });
    const banned = await venue.placeOrder(ORDER);
    // retryAfter 1659146400000 - serverTime 1659142907531, as the documented sample says.
    expect(banned).toMatchObject({ kind: 'rejected', httpStatus: 418, code: -1003, retryAfterMs: 3_492_469 });
    const rest = fake.requests.length;
    const ws = fake.wsApi.requests.length;
    expect(await venue.placeOrder({ ...ORDER, clientOrderId: 'mm-3' })).toMatchObject({ kind: 'rejected', httpStatus: 418 });
    expect(await venue.cancelAllOpenOrders('BTCUSDT')).toMatchObject({ kind: 'rejected', httpStatus: 418 });
    await expect(venue.premiumIndex('BTCUSDT')).rejects.toMatchObject({ httpStatus: 418 });
    expect([fake.requests.length, fake.wsApi.requests.length]).toEqual([rest, ws]);
  });

  it('a 429 over the WebSocket API holds REST too, but not its urgent requests', async () => {
    const retryAt = fake.serverTime() + 60_000;
    fake.wsApi.queue('order.place', { kind: 'answer', status: 429, error: { code: -1015, msg: 'Too many new orders.', data: { retryAfter: retryAt } } });
    const limited = await venue.placeOrder(ORDER);
    expect(limited).toMatchObject({ kind: 'rejected', httpStatus: 429, code: -1015 });
    expect(limited.kind === 'rejected' ? limited.retryAfterMs : 0).toBeGreaterThan(55_000);
    const rest = fake.requests.length;
    await expect(venue.premiumIndex('BTCUSDT')).rejects.toMatchObject({ httpStatus: 429 });
    expect(fake.requests.length).toBe(rest);
    expect((await venue.cancelAllOpenOrders('BTCUSDT')).kind).toBe('accepted');
    expect(fake.requestsTo('DELETE', '/fapi/v1/allOpenOrders')).toHaveLength(1);
  });

  it('-1021: the clock is measured again over REST; a query is asked once more, an order is not sent again', async () => {
    fake.timeOffsetMs = 20_000;
    const times = fake.requestsTo('GET', '/fapi/v1/time').length;
    expect(await venue.queryOrder('BTCUSDT', 'nope')).toEqual({ kind: 'accepted', value: null });
    expect(fake.wsApi.requestsTo('order.status')).toHaveLength(2);
    expect(fake.requestsTo('GET', '/fapi/v1/time').length).toBe(times + 1);
    fake.timeOffsetMs = -20_000;
    expect(await venue.placeOrder(ORDER)).toMatchObject({ kind: 'rejected', code: -1021 });
    expect(fake.wsApi.requestsTo('order.place')).toHaveLength(1);
    expect(await venue.placeOrder({ ...ORDER, clientOrderId: 'mm-4' })).toMatchObject({ kind: 'accepted' });
  });

  it('an unanswered order is ambiguous after the timeout and never sent again; the connection stays in use', async () => {
    fake.wsApi.queue('order.place', { kind: 'silent' });
    expect(await venue.placeOrder(ORDER)).toMatchObject({ kind: 'ambiguous', reason: expect.stringContaining('no answer within 1000 ms') });
    expect(fake.wsApi.requestsTo('order.place')).toHaveLength(1);
    expect(fake.requestsTo('POST', '/fapi/v1/order')).toHaveLength(0);
    expect(venue.status().orderTransport).toBe('ws');
  });

  it('an order in flight when the connection drops is ambiguous; orders go over REST until the connection is back', async () => {
    fake.wsApi.queue('order.place', { kind: 'drop' });
    expect(await venue.placeOrder(ORDER)).toMatchObject({ kind: 'ambiguous', reason: expect.stringContaining('connection closed before the answer') });
    await until(() => venue.status().orderTransport === 'ws', 5000, 'the WebSocket API back');
    expect(rec.of('orderTransport').slice(2)).toEqual([[{ transport: 'rest', reason: 'ws-api close 1006' }], [{ transport: 'ws', reason: 'ws-api open' }]]);
    expect(await venue.placeOrder({ ...ORDER, clientOrderId: 'mm-5' })).toMatchObject({ kind: 'accepted' });
    expect(fake.wsApi.requestsTo('order.place').map((r) => r.params['newClientOrderId'])).toEqual(['mm-1:a/b', 'mm-5']);
    expect(fake.requestsTo('POST', '/fapi/v1/order')).toHaveLength(0);
  });

  it('a cancel whose answer was lost is asked again over REST (as REST retries its DELETEs)', async () => {
    fake.wsApi.queue('order.cancel', { kind: 'drop' });
    fake.queue('DELETE', '/fapi/v1/order', json(200, { ...(loadFixture('new-order-response-limit') as object), status: 'CANCELED' }));
    expect(await venue.cancelOrder({ symbol: 'BTCUSDT', clientOrderId: 'testOrder' })).toMatchObject({ kind: 'accepted', value: { status: 'CANCELED' } });
    expect(fake.wsApi.requestsTo('order.cancel')).toHaveLength(1);
    expect(fake.requestsTo('DELETE', '/fapi/v1/order')).toHaveLength(1);
  });

  it('an unreadable frame is reported and skipped (the lost query is asked again over REST); a silent connection is replaced', async () => {
    fake.wsApi.queue('order.status', { kind: 'raw', text: '{"id":5,"status":"odd"}' });
    expect(await venue.queryOrder('BTCUSDT', 'nope')).toEqual({ kind: 'accepted', value: null });
    expect(rec.of('malformed')).toEqual([['ws-api', 'status: expected an integer', '{"id":5,"status":"odd"}']]);
    expect(fake.requestsTo('GET', '/fapi/v1/order')).toHaveLength(1);
    fake.silent.add('api');
    await until(() => rec.of('orderTransport').some(([c]) => (c as { reason: string }).reason === 'ws-api ping timeout'), 5000, 'the ping timeout');
    fake.silent.delete('api');
    await until(() => venue.status().orderTransport === 'ws', 5000, 'a new connection');
    expect(await venue.queryOrder('BTCUSDT', 'nope')).toEqual({ kind: 'accepted', value: null });
    expect(fake.wsApi.sockets.length).toBeGreaterThanOrEqual(2);
  });

  it('reads the position over the WebSocket API (v2/account.position)', async () => {
    const position = await venue.position('BTCUSDT');
    expect(fake.wsApi.requestsTo('v2/account.position')).toHaveLength(1);
    expect(fake.requestsTo('GET', '/fapi/v3/positionRisk')).toHaveLength(0);
    expect(Number.isInteger(position.amountSteps)).toBe(true);
  });
});
