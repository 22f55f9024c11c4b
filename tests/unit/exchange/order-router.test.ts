/**
 * The order router's decisions, with stand-ins for both transports: which transport each
 * command takes, what happens when the WebSocket API did not send, lost an answer or refused,
 * and which switches are reported.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/core/clock.ts';
import type { OrderTransportChange } from '../../../src/core/venue.ts';
import { ExchangeError } from '../../../src/exchange/errors.ts';
import { OrderRouter, type RestOrderApi } from '../../../src/exchange/order-router.ts';
import type { NewOrderParams } from '../../../src/exchange/rest-client.ts';
import { WsApiUnavailableError, type WsApiCall } from '../../../src/exchange/ws-api-client.ts';
import { WsApiTrading } from '../../../src/exchange/ws-api-trading.ts';
import { ManualTime } from '../../support/manual-time.ts';
import { BTC, fixture, lookupOf } from './fixtures.ts';

const ORDER: NewOrderParams = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  quantity: '10',
  price: '9300',
  timeInForce: 'GTX',
  reduceOnly: false,
  newClientOrderId: 'testOrder',
};
const body = () => fixture('new-order-response-limit') as Record<string, unknown>;
const clock: Clock = new ManualTime(1_700_000_000_000);

const ambiguous = (operation: string) =>
  new ExchangeError({
    operation,
    httpStatus: null,
    binanceCode: null,
    outcome: 'ambiguous',
    retryAfterMs: null,
    message: 'connection closed before the answer',
  });
const rejected = (operation: string, httpStatus: number, binanceCode: number) =>
  new ExchangeError({ operation, httpStatus, binanceCode, outcome: 'rejected', retryAfterMs: httpStatus === 429 ? 1000 : null, message: 'refused' });

/** Both transports as stand-ins: `wsAnswer` decides what the WebSocket API does with each call. */
function setup(options: { preference?: 'ws' | 'rest'; ready?: boolean; wsAnswer?: (call: WsApiCall) => Promise<unknown> } = {}) {
  const sent: string[] = [];
  const changes: OrderTransportChange[] = [];
  const state = { ready: options.ready ?? true };
  const rest: RestOrderApi = {
    newOrder: async () => (sent.push('rest newOrder'), body()),
    cancelOrder: async () => (sent.push('rest cancelOrder'), { ...body(), status: 'CANCELED' }),
    queryOrder: async () => (sent.push('rest queryOrder'), body()),
    positionRisk: async () => (sent.push('rest positionRisk'), fixture('position-risk-v3')),
  };
  const trading = new WsApiTrading({
    call: async (call) => {
      sent.push(`ws ${call.method}`);
      return options.wsAnswer === undefined ? body() : options.wsAnswer(call);
    },
  });
  const router = new OrderRouter({
    preference: options.preference ?? 'ws',
    rest,
    ws: { isReady: () => state.ready, trading },
    lookup: lookupOf(BTC),
    clock,
  });
  router.attach((change) => changes.push(change));
  return { router, sent, changes, state };
}

describe('order router', () => {
  it("sends over the WebSocket API while it is up, and REST only when configured 'rest'", async () => {
    const ws = setup();
    expect(await ws.router.placeOrder(ORDER)).toMatchObject({ kind: 'accepted', value: { clientOrderId: 'testOrder' } });
    expect(await ws.router.cancelOrder('BTCUSDT', 'testOrder')).toMatchObject({ kind: 'accepted' });
    expect(await ws.router.queryOrder('BTCUSDT', 'testOrder')).toMatchObject({ kind: 'accepted' });
    expect(ws.sent).toEqual(['ws order.place', 'ws order.cancel', 'ws order.status']);
    expect(ws.changes).toEqual([{ transport: 'ws', reason: 'ws-api open' }]);

    const rest = setup({ preference: 'rest' });
    await rest.router.placeOrder(ORDER);
    await rest.router.position('BTCUSDT');
    expect(rest.sent).toEqual(['rest newOrder', 'rest positionRisk']);
    expect(rest.changes).toEqual([{ transport: 'rest', reason: 'configured: rest' }]);
    expect(() => new OrderRouter({ preference: 'ws', rest: {} as RestOrderApi, ws: null, lookup: lookupOf(BTC), clock })).toThrow(RangeError);
  });

  it('goes over REST while the WebSocket API is down and back when it is up, reporting each switch once', async () => {
    const { router, sent, changes, state } = setup({ ready: false });
    await router.placeOrder(ORDER);
    state.ready = true;
    router.wsStateChanged({ ready: true, reason: 'open' });
    router.wsStateChanged({ ready: true, reason: 'renewed' });
    await router.placeOrder({ ...ORDER, newClientOrderId: 'second' });
    state.ready = false;
    router.wsStateChanged({ ready: false, reason: 'close 1006' });
    await router.placeOrder({ ...ORDER, newClientOrderId: 'third' });
    expect(sent).toEqual(['rest newOrder', 'ws order.place', 'rest newOrder']);
    expect(changes).toEqual([
      { transport: 'rest', reason: 'ws-api connecting' },
      { transport: 'ws', reason: 'ws-api open' },
      { transport: 'rest', reason: 'ws-api close 1006' },
    ]);
  });

  it('sends an order the WebSocket API did not write over REST instead, once', async () => {
    const { router, sent, changes, state } = setup({
      wsAnswer: async (call) => {
        state.ready = false;
        throw new WsApiUnavailableError(call.method);
      },
    });
    expect(await router.placeOrder(ORDER)).toMatchObject({ kind: 'accepted' });
    expect(sent).toEqual(['ws order.place', 'rest newOrder']);
    expect(changes.at(-1)).toEqual({ transport: 'rest', reason: 'ws-api not connected' });
  });

  it('never sends an order again after its WebSocket API answer was lost: the outcome is ambiguous', async () => {
    const { router, sent } = setup({ wsAnswer: async (call) => Promise.reject(ambiguous(call.method)) });
    expect(await router.placeOrder(ORDER)).toMatchObject({ kind: 'ambiguous', reason: expect.stringContaining('connection closed') });
    expect(sent).toEqual(['ws order.place']);
  });

  it('asks a lost cancel or query again over REST (idempotent), and turns -2013 into "no such order"', async () => {
    const lost = setup({ wsAnswer: async (call) => Promise.reject(ambiguous(call.method)) });
    expect(await lost.router.cancelOrder('BTCUSDT', 'testOrder')).toMatchObject({ kind: 'accepted', value: { status: 'CANCELED' } });
    expect(await lost.router.queryOrder('BTCUSDT', 'testOrder')).toMatchObject({ kind: 'accepted', value: { clientOrderId: 'testOrder' } });
    expect(lost.sent).toEqual(['ws order.cancel', 'rest cancelOrder', 'ws order.status', 'rest queryOrder']);

    const unknown = setup({ wsAnswer: async (call) => Promise.reject(rejected(call.method, 400, -2013)) });
    expect(await unknown.router.queryOrder('BTCUSDT', 'gone')).toEqual({ kind: 'accepted', value: null });
    expect(unknown.sent).toEqual(['ws order.status']);
  });

  it("keeps the venue's refusals over the WebSocket API: no REST attempt after a rejection or a 429", async () => {
    const refused = setup({ wsAnswer: async (call) => Promise.reject(rejected(call.method, 400, -2011)) });
    expect(await refused.router.cancelOrder('BTCUSDT', 'gone')).toMatchObject({ kind: 'rejected', code: -2011, httpStatus: 400 });
    const limited = setup({ wsAnswer: async (call) => Promise.reject(rejected(call.method, 429, -1003)) });
    expect(await limited.router.placeOrder(ORDER)).toMatchObject({ kind: 'rejected', httpStatus: 429, retryAfterMs: 1000 });
    expect(await limited.router.cancelOrder('BTCUSDT', 'testOrder')).toMatchObject({ kind: 'rejected', httpStatus: 429 });
    expect([...refused.sent, ...limited.sent]).toEqual(['ws order.cancel', 'ws order.place', 'ws order.cancel']);
  });

  it('reads an answer it cannot parse as ambiguous (the venue may have acted)', async () => {
    const { router, sent } = setup({ wsAnswer: async () => ({ symbol: 'BTCUSDT' }) });
    expect(await router.placeOrder(ORDER)).toMatchObject({ kind: 'ambiguous', reason: expect.stringContaining('unreadable response') });
    expect(sent).toEqual(['ws order.place']);
  });
});
