import { context, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { ExchangeError } from '../../../src/exchange/errors.ts';
import { WsApiUnavailableError, type WsApiCall } from '../../../src/exchange/ws-api-client.ts';
import type { WsApiCaller } from '../../../src/exchange/ws-api-trading.ts';
import { SystemClock } from '../../../src/runner/clocks.ts';
import { AfterWire } from '../../../src/telemetry/after-wire.ts';
import { OrderContexts } from '../../../src/telemetry/order-contexts.ts';
import { tracingWsApiCaller } from '../../../src/telemetry/ws-api-tracing.ts';
import { useTelemetry } from '../../support/test-telemetry.ts';

const spans = new InMemorySpanExporter();
const telemetry = useTelemetry(spans);
const afterWireClock = new SystemClock();
const afterWire = new AfterWire(afterWireClock);
afterAll(() => afterWire.close());

const place: WsApiCall = {
  method: 'order.place',
  params: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.005', price: '65000.0', newClientOrderId: 'mm-ws-1' },
  idempotent: false,
  order: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', clientOrderId: 'mm-ws-1' },
};
const cancel: WsApiCall = {
  method: 'order.cancel',
  params: { symbol: 'BTCUSDT', origClientOrderId: 'mm-ws-1' },
  idempotent: true,
  order: { symbol: 'BTCUSDT', side: null, type: null, clientOrderId: 'mm-ws-1' },
};

function answering(result: () => unknown): WsApiCaller {
  return { call: async () => result() };
}

function traced(inner: WsApiCaller, contexts = new OrderContexts()): WsApiCaller {
  return tracingWsApiCaller(inner, {
    url: 'ws://127.0.0.1:8766/ws-fapi/v1',
    peerService: 'exchange-sim',
    duration: telemetry().meter.createHistogram('ws-t'),
    orderContexts: contexts,
    afterWire,
    clock: afterWireClock,
  });
}

describe('tracingWsApiCaller', () => {
  it('records one CLIENT span per request, by the RPC conventions, with the order identity and outcome', async () => {
    spans.reset();
    const contexts = new OrderContexts();
    await traced(
      answering(() => ({ orderId: 1 })),
      contexts,
    ).call(place);
    // Built after the caller has its answer, with the listeners' deferred work.
    expect(spans.getFinishedSpans()).toEqual([]);
    afterWire.drain();
    const [span] = spans.getFinishedSpans();
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.name).toBe('order.place');
    expect(span?.attributes).toMatchObject({
      'rpc.system.name': 'binance_ws_api',
      'rpc.method': 'order.place',
      'rpc.status_code': '200',
      'network.protocol.name': 'websocket',
      'server.address': '127.0.0.1',
      'server.port': 8766,
      'peer.service': 'exchange-sim',
      'mm.order.client_id': 'mm-ws-1',
      'mm.order.side': 'BUY',
      'mm.order.outcome': 'accepted',
    });
    expect(span?.attributes['error.type']).toBeUndefined();
    // The order's later life joins this span's trace.
    expect(trace.getSpanContext(contexts.get('mm-ws-1')!)?.spanId).toBe(span?.spanContext().spanId);
  });

  it('puts a cancel in the trace of the order it cancels, linked to the decision that sent it', async () => {
    spans.reset();
    const contexts = new OrderContexts();
    const caller = traced(
      answering(() => ({})),
      contexts,
    );
    await caller.call(place);
    afterWire.drain();
    const placeSpan = spans.getFinishedSpans()[0]!;
    const decision = trace.getTracer('test').startSpan('mm.quote.decide');
    await context.with(trace.setSpan(context.active(), decision), () => caller.call(cancel));
    decision.end();
    afterWire.drain();
    const cancelSpan = spans.getFinishedSpans().find((s) => s.name === 'order.cancel');
    expect(cancelSpan?.spanContext().traceId).toBe(placeSpan.spanContext().traceId);
    expect(cancelSpan?.links.map((l) => l.context.spanId)).toEqual([decision.spanContext().spanId]);
  });

  it('marks a rejected order with its status and Binance code, a lost one as ambiguous', async () => {
    spans.reset();
    const rejected = new ExchangeError({
      operation: 'order.place',
      httpStatus: 400,
      binanceCode: -5022,
      outcome: 'rejected',
      retryAfterMs: null,
      message: 'WS 400 -5022 post only',
    });
    const lost = new ExchangeError({
      operation: 'order.place',
      httpStatus: null,
      binanceCode: null,
      outcome: 'ambiguous',
      retryAfterMs: null,
      message: 'lost',
    });
    await expect(
      traced(
        answering(() => {
          throw rejected;
        }),
      ).call(place),
    ).rejects.toBe(rejected);
    await expect(
      traced(
        answering(() => {
          throw lost;
        }),
      ).call(place),
    ).rejects.toBe(lost);
    afterWire.drain();
    const [first, second] = spans.getFinishedSpans();
    expect(first?.attributes).toMatchObject({ 'rpc.status_code': '400', 'error.type': '400', 'binance.error_code': -5022, 'mm.order.outcome': 'rejected' });
    expect(second?.attributes).toMatchObject({ 'error.type': 'ambiguous', 'mm.order.outcome': 'ambiguous' });
    expect(second?.attributes['rpc.status_code']).toBeUndefined();
  });

  it('records no span for a request it never wrote: REST sends that one, and has the span', async () => {
    spans.reset();
    const unavailable = new WsApiUnavailableError('order.place');
    await expect(
      traced(
        answering(() => {
          throw unavailable;
        }),
      ).call(place),
    ).rejects.toBe(unavailable);
    afterWire.drain();
    expect(spans.getFinishedSpans()).toEqual([]);
  });
});
