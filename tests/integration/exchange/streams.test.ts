import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrderUpdate } from '../../../src/core/model.ts';
import type { ListenKeyEvent, StreamStateChange } from '../../../src/core/venue.ts';
import type { BinanceVenue, BinanceVenueOptions } from '../../../src/exchange/binance-venue.ts';
import { FakeBinance, json, loadFixture } from './fake-binance.ts';
import { recordingListener, until, venueFor, type Recorded } from './helpers.ts';

let fake: FakeBinance;
let venue: BinanceVenue;
let rec: Recorded;

const BTC_TICKER = { ...(loadFixture('book-ticker') as object), s: 'BTCUSDT', b: '65000.0', B: '1.000', a: '65000.1', A: '2.500' };

async function connect(overrides: Partial<BinanceVenueOptions> = {}): Promise<void> {
  venue = venueFor(fake, overrides);
  await venue.loadInstruments(['BTCUSDT']);
  rec = recordingListener();
  await venue.connect(['BTCUSDT'], rec.listener);
}

const listenKeyActions = (): string[] => rec.of('listenKey').map(([e]) => (e as ListenKeyEvent).action);
const userSocketKeys = (): string[] => fake.open('user').map((s) => s.url.slice('/private/ws/'.length));

beforeEach(async () => {
  fake = await FakeBinance.start();
});

afterEach(async () => {
  await venue.close();
  await fake.close();
});

describe('streams against the fake', () => {
  it('connects market (both routes) and user streams and delivers market data', async () => {
    await connect();
    expect(venue.status()).toEqual({
      restReachable: true,
      marketConnected: true,
      userConnected: true,
      listenKeyLive: true,
      orderTransport: 'rest',
      orderApiConnected: false,
    });
    expect(fake.open('public')[0]?.url).toBe('/public/stream?streams=btcusdt@bookTicker');
    expect(fake.open('market')[0]?.url).toBe('/market/stream?streams=btcusdt@markPrice@1s');
    fake.pushStream('public', 'btcusdt@bookTicker', BTC_TICKER);
    fake.pushStream('market', 'btcusdt@markPrice@1s', loadFixture('mark-price-update'));
    await until(() => rec.of('bookTop').length === 1 && rec.of('markPrice').length === 1, 3000, 'market data');
    expect(rec.of('bookTop')[0]?.[0]).toMatchObject({ symbol: 'BTCUSDT', bidTicks: 650000, askTicks: 650001, askSteps: 2500 });
    expect(rec.of('markPrice')[0]?.[0]).toMatchObject({ fundingRate: '0.00038167' });
  });

  it('delivers ORDER_TRADE_UPDATE from the user stream', async () => {
    await connect();
    fake.pushUser(loadFixture('order-trade-update-limit-fill'));
    await until(() => rec.of('orderUpdate').length === 1, 3000, 'order update');
    const update = rec.of('orderUpdate')[0]?.[0] as OrderUpdate;
    expect(update).toMatchObject({ clientOrderId: 'TEST', execution: 'TRADE', lastFilledSteps: 1, lastFilledPriceTicks: 71030, isMaker: true });
  });

  it('listenKeyExpired: creates a new key and reopens the user socket on it', async () => {
    await connect();
    expect(userSocketKeys()).toEqual(['fakeListenKey1']);
    fake.pushUser(loadFixture('listen-key-expired'));
    await until(() => userSocketKeys().includes('fakeListenKey2'), 3000, 'socket on the new key');
    expect(listenKeyActions()).toEqual(['created', 'expired', 'recreated']);
    await until(() => venue.status().userConnected, 3000, 'user reconnected');
    const userStates = rec
      .of('streamState')
      .map(([c]) => c as StreamStateChange)
      .filter((c) => c.stream === 'user');
    expect(userStates.map((c) => c.connected)).toEqual([true, false, true]);
    expect(userStates.every((c) => !c.url.includes('fakeListenKey'))).toBe(true);
    fake.pushUser(loadFixture('order-trade-update-limit-fill'));
    await until(() => rec.of('orderUpdate').length === 1, 3000, 'order update on the new socket');
  });

  it('keepalive answered -1125: reports renew_failed, recreates the key and reconnects', async () => {
    fake.queue('PUT', '/fapi/v1/listenKey', json(400, { code: -1125, msg: 'This listenKey does not exist.' }));
    await connect({ keepaliveIntervalMs: 150 });
    await until(() => userSocketKeys().includes('fakeListenKey2'), 3000, 'socket on the recreated key');
    expect(listenKeyActions().slice(0, 3)).toEqual(['created', 'renew_failed', 'recreated']);
    await until(() => listenKeyActions().includes('renewed'), 3000, 'keepalive of the new key');
    expect(venue.status().listenKeyLive).toBe(true);
  });

  it('a keepalive that fails otherwise is reported and retried, never silently dropped', async () => {
    fake.queue('PUT', '/fapi/v1/listenKey', json(500, { code: -1000, msg: 'Internal error' }), { kind: 'destroy' });
    await connect({ keepaliveIntervalMs: 100, keepaliveRetryMs: 50 });
    await until(() => listenKeyActions().includes('renewed'), 3000, 'a successful keepalive');
    expect(listenKeyActions().filter((a) => a === 'renew_failed')).toHaveLength(2);
    expect(fake.requestsTo('POST', '/fapi/v1/listenKey')).toHaveLength(1);
  });

  it('a dropped market socket reconnects with the same subscriptions', async () => {
    await connect();
    const before = fake.open('public')[0]?.url;
    fake.drop('public');
    await until(() => fake.sockets.filter((s) => s.route === 'public').length === 2 && fake.open('public').length === 1, 3000, 'public reconnect');
    expect(fake.open('public')[0]?.url).toBe(before);
    await until(() => venue.status().marketConnected, 3000, 'market connected');
    const market = rec
      .of('streamState')
      .map(([c]) => c as StreamStateChange)
      .filter((c) => c.stream === 'market');
    expect(market.map((c) => c.connected)).toEqual([true, false, true]);
    fake.pushStream('public', 'btcusdt@bookTicker', BTC_TICKER);
    await until(() => rec.of('bookTop').length === 1, 3000, 'book top after reconnect');
  });

  it('a silent socket (no messages, no pongs) is detected and replaced', async () => {
    await connect();
    fake.silent.add('market');
    await until(() => fake.sockets.filter((s) => s.route === 'market').length >= 2, 5000, 'market socket replaced');
    fake.silent.delete('market');
    const reasons = rec
      .of('streamState')
      .map(([c]) => c as StreamStateChange)
      .filter((c) => !c.connected)
      .map((c) => c.reason);
    expect(reasons).toContain('market ping timeout');
    await until(() => venue.status().marketConnected, 3000, 'market reconnected');
  });

  it('documented events the runner does not need (TRADE_LITE, ACCOUNT_CONFIG_UPDATE) are skipped quietly, an unknown one is reported once', async () => {
    await connect();
    fake.pushUser(loadFixture('trade-lite'));
    fake.pushUser(loadFixture('account-config-update'));
    fake.pushUser({ e: 'SOMETHING_NEW', E: 1 });
    fake.pushUser({ e: 'SOMETHING_NEW', E: 2 });
    fake.pushUser(loadFixture('order-trade-update-limit-fill'));
    await until(() => rec.of('orderUpdate').length === 1, 3000, 'the order update behind them');
    expect(rec.of('malformed').map(([, error]) => error)).toEqual(['unknown event type SOMETHING_NEW (skipped; reported once)']);
  });

  it('malformed frames are reported via onMalformed and the streams keep going', async () => {
    await connect();
    fake.sendRaw('public', '{not json');
    fake.pushStream('public', 'btcusdt@bookTicker', { ...BTC_TICKER, b: 12 });
    fake.sendRaw('user', '{"e":"ORDER_TRADE_UPDATE","E":1,"T":1,"o":{"s":"BTCUSDT"}}');
    fake.pushStream('public', 'btcusdt@bookTicker', BTC_TICKER);
    fake.pushUser(loadFixture('order-trade-update-limit-fill'));
    await until(() => rec.of('bookTop').length === 1 && rec.of('orderUpdate').length === 1 && rec.of('malformed').length === 3, 3000, 'frames');
    const malformed = rec.of('malformed');
    const fromPublic = malformed.filter(([source]) => source === 'public-stream');
    expect(fromPublic).toHaveLength(2);
    expect(fromPublic[0]?.[2]).toBe('{not json');
    expect(fromPublic[1]?.[1]).toMatch(/^b: expected a string/);
    expect(malformed.filter(([source]) => source === 'user-stream')).toHaveLength(1);
    expect(malformed.every(([source]) => !String(source).includes('fakeListenKey'))).toBe(true);
  });

  it('disconnect closes both streams and the listenKey', async () => {
    await connect();
    await venue.disconnect();
    expect(venue.status()).toMatchObject({ marketConnected: false, userConnected: false, listenKeyLive: false });
    expect(fake.requestsTo('DELETE', '/fapi/v1/listenKey')).toHaveLength(1);
    expect(listenKeyActions().at(-1)).toBe('closed');
  });
});
