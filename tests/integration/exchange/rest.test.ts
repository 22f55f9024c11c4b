import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlaceOrder } from '../../../src/core/model.ts';
import type { BinanceVenue } from '../../../src/exchange/binance-venue.ts';
import { ExchangeError } from '../../../src/exchange/errors.ts';
import { redactUrl, type RestRequest, type RestTransport } from '../../../src/exchange/rest-transport.ts';
import { FakeBinance, json } from './fake-binance.ts';
import { venueFor } from './helpers.ts';
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

beforeEach(async () => {
  fake = await FakeBinance.start();
  venue = venueFor(fake);
  await venue.loadInstruments(['BTCUSDT']);
});

afterEach(async () => {
  await venue.close();
  await fake.close();
});

describe('signed REST against the fake', () => {
  it('places a post-only LIMIT order the fake verifies (key header, HMAC signature, recvWindow)', async () => {
    const outcome = await venue.placeOrder(ORDER);
    expect(outcome).toMatchObject({
      kind: 'accepted',
      value: { clientOrderId: 'mm-1:a/b', priceTicks: 650001, qtySteps: 5, timeInForce: 'GTX', type: 'LIMIT' },
    });
    const [post] = fake.requestsTo('POST', '/fapi/v1/order');
    expect(post?.signatureValid).toBe(true);
    expect(post?.apiKey).toBe(fake.apiKey);
    expect(post?.rawQuery).not.toContain(fake.apiKey);
    expect(Object.fromEntries(post?.query ?? [])).toMatchObject({
      price: '65000.1',
      quantity: '0.005',
      timeInForce: 'GTX',
      newOrderRespType: 'RESULT',
      newClientOrderId: 'mm-1:a/b',
    });
    expect(venue.rateLimits()).toMatchObject({ orderCount10s: 1, orderCount1m: 1 });
    expect(venue.status().restReachable).toBe(true);
  });

  it('a wrong secret is rejected by the fake with -1022', async () => {
    const bad = venueFor(fake, { apiSecret: 'wrong' });
    await bad.loadInstruments(['BTCUSDT']);
    const outcome = await bad.placeOrder(ORDER);
    await bad.close();
    expect(outcome).toMatchObject({ kind: 'rejected', code: -1022, httpStatus: 400 });
  });

  it('503 "Unknown error" on newOrder is ambiguous and the POST is sent exactly once', async () => {
    fake.queue('POST', '/fapi/v1/order', json(503, { code: -1000, msg: 'Unknown error, please check your request or try again later.' }));
    const outcome = await venue.placeOrder(ORDER);
    expect(outcome.kind).toBe('ambiguous');
    expect(fake.requestsTo('POST', '/fapi/v1/order')).toHaveLength(1);
  });

  it('a request timeout on newOrder is ambiguous and not retried', async () => {
    const slow = venueFor(fake, { requestTimeoutMs: 200 });
    await slow.loadInstruments(['BTCUSDT']);
    fake.queue('POST', '/fapi/v1/order', { kind: 'hang' });
    const outcome = await slow.placeOrder(ORDER);
    await slow.close();
    expect(outcome.kind).toBe('ambiguous');
    expect(fake.requestsTo('POST', '/fapi/v1/order')).toHaveLength(1);
  });

  it('a connection reset on newOrder is ambiguous', async () => {
    fake.queue('POST', '/fapi/v1/order', { kind: 'destroy' });
    expect((await venue.placeOrder(ORDER)).kind).toBe('ambiguous');
    expect(venue.status().restReachable).toBe(false);
  });

  it('retries a GET after a 500 and succeeds', async () => {
    fake.queue('GET', '/fapi/v1/premiumIndex', json(502, {}), json(500, {}));
    const mark = await venue.premiumIndex('BTCUSDT');
    expect(mark.markPrice).toBe('11793.63104562');
    expect(fake.requestsTo('GET', '/fapi/v1/premiumIndex')).toHaveLength(3);
  });

  it('429 with Retry-After: rejected, then no request reaches the server until the back-off ends', async () => {
    fake.queue('GET', '/fapi/v1/premiumIndex', json(429, { code: -1003, msg: 'Too many requests.' }, { 'retry-after': '1' }));
    const first = await venue.premiumIndex('BTCUSDT').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ExchangeError);
    expect(first).toMatchObject({ outcome: 'rejected', httpStatus: 429, binanceCode: -1003, retryAfterMs: 1000 });
    const seen = fake.requests.length;
    const order = await venue.placeOrder(ORDER);
    expect(order).toMatchObject({ kind: 'rejected', httpStatus: 429 });
    await expect(venue.premiumIndex('BTCUSDT')).rejects.toMatchObject({ outcome: 'rejected' });
    expect(fake.requests.length).toBe(seen);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await venue.premiumIndex('BTCUSDT')).symbol).toBe('BTCUSDT');
    expect(fake.requests.length).toBe(seen + 1);
  });

  it('418 (IP ban) likewise stops all requests during the ban', async () => {
    fake.queue('GET', '/fapi/v1/premiumIndex', json(418, { code: -1003, msg: 'Way too many requests; IP banned.' }, { 'retry-after': '120' }));
    await expect(venue.premiumIndex('BTCUSDT')).rejects.toMatchObject({ httpStatus: 418, retryAfterMs: 120_000 });
    const seen = fake.requests.length;
    expect(await venue.cancelAllOpenOrders('BTCUSDT')).toMatchObject({ kind: 'rejected', httpStatus: 418 });
    await expect(venue.openOrders('BTCUSDT')).rejects.toBeInstanceOf(ExchangeError);
    expect(fake.requests.length).toBe(seen);
  });

  it('-1021 on a signed GET re-syncs the clock from /fapi/v1/time and retries once', async () => {
    fake.timeOffsetMs = 20_000;
    const timeCalls = fake.requestsTo('GET', '/fapi/v1/time').length;
    expect(await venue.openOrders('BTCUSDT')).toEqual([]);
    expect(fake.requestsTo('GET', '/fapi/v1/time').length).toBe(timeCalls + 1);
    expect(venue.restClient().clockOffsetMs()).toBeGreaterThan(19_000);
    const gets = fake.requestsTo('GET', '/fapi/v1/openOrders');
    expect(gets[0]?.signatureValid).toBe(true);
    expect(gets).toHaveLength(2);
    expect(gets[1]?.signatureValid).toBe(true);
  });

  it('-1021 on newOrder re-syncs the clock but does not resend the POST', async () => {
    fake.timeOffsetMs = -20_000;
    const outcome = await venue.placeOrder(ORDER);
    expect(outcome).toMatchObject({ kind: 'rejected', code: -1021 });
    expect(fake.requestsTo('POST', '/fapi/v1/order')).toHaveLength(1);
    expect(await venue.placeOrder({ ...ORDER, clientOrderId: 'mm-2' })).toMatchObject({ kind: 'accepted' });
  });

  it('syncTime measures the offset', async () => {
    fake.timeOffsetMs = 5_000;
    const offset = await venue.syncTime();
    expect(offset).toBeGreaterThan(4_900);
    expect(offset).toBeLessThan(5_100);
  });

  it('configureSymbol tolerates -4046 and sets leverage', async () => {
    await venue.configureSymbol('BTCUSDT', { leverage: 5, marginType: 'CROSSED' });
    expect(fake.requestsTo('POST', '/fapi/v1/leverage')[0]?.query.get('leverage')).toBe('5');
  });

  it('queryOrder returns null on -2013; cancel of an unknown order is rejected -2011', async () => {
    expect(await venue.queryOrder('BTCUSDT', 'nope')).toEqual({ kind: 'accepted', value: null });
    expect(await venue.cancelOrder({ symbol: 'BTCUSDT', clientOrderId: 'nope' })).toMatchObject({ kind: 'rejected', code: -2011 });
    expect(fake.requestsTo('DELETE', '/fapi/v1/order')[0]?.query.get('origClientOrderId')).toBe('nope');
  });

  it('every request passes through the transport decorator, with a redacted URL', async () => {
    const seen: string[] = [];
    const decorated = venueFor(fake, {
      transport: (inner: RestTransport): RestTransport => ({
        send: (request: RestRequest) => {
          seen.push(`${request.operation} ${redactUrl(request)}`);
          return inner.send(request);
        },
        close: () => inner.close(),
      }),
    });
    await decorated.loadInstruments(['BTCUSDT']);
    await decorated.placeOrder(ORDER);
    await decorated.close();
    expect(seen[0]).toBe('exchangeInfo /fapi/v1/exchangeInfo');
    expect(seen[1]).toMatch(/^newOrder \/fapi\/v1\/order\?symbol=BTCUSDT.*&signature=\*\*\*$/);
  });
});
