import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import type { RestRequest, RestResponse, RestTransport } from '../../../src/exchange/rest-transport.ts';
import { SystemClock } from '../../../src/runner/clocks.ts';
import { AfterWire } from '../../../src/telemetry/after-wire.ts';
import { OrderContexts } from '../../../src/telemetry/order-contexts.ts';
import { redactedFullUrl, tracingTransport } from '../../../src/telemetry/rest-tracing.ts';
import { useTelemetry } from '../../support/test-telemetry.ts';

const spans = new InMemorySpanExporter();
const telemetry = useTelemetry(spans);
const afterWireClock = new SystemClock();
const afterWire = new AfterWire(afterWireClock);
afterAll(() => afterWire.close());
const drainDeferred = () => afterWire.drain();

const order: RestRequest = {
  method: 'POST',
  path: '/fapi/v1/order',
  query:
    'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTX&quantity=0.005&price=65000.0&newClientOrderId=mm-abc-1&timestamp=1700000000000&recvWindow=5000&signature=deadbeefcafe',
  security: 'signed',
  operation: 'newOrder',
  order: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', clientOrderId: 'mm-abc-1' },
  attempt: 1,
};

function answer(status: number, body: unknown): RestTransport {
  return {
    send: async (): Promise<RestResponse> => ({
      status,
      rateLimits: { usedWeight1m: 7, orderCount10s: 2, orderCount1m: 5 },
      retryAfterMs: null,
      body,
      text: JSON.stringify(body),
    }),
    close: async () => {},
  };
}

describe('tracingTransport', () => {
  it('redacts signature and timestamp from url.full', () => {
    const url = redactedFullUrl('https://fapi.binance.com', order);
    expect(url).not.toContain('deadbeefcafe');
    expect(url).not.toContain('1700000000000');
    expect(url).toContain('newClientOrderId=mm-abc-1');
  });

  it('records one CLIENT span per request with HTTP conventions, order identity and rate limits', async () => {
    spans.reset();
    const contexts = new OrderContexts();
    const transport = tracingTransport(answer(200, { orderId: 1 }), {
      baseUrl: 'http://127.0.0.1:8765',
      peerService: 'exchange-sim',
      duration: telemetry().meter.createHistogram('t1'),
      orderContexts: contexts,
      afterWire,
      clock: afterWireClock,
    });
    await transport.send(order);
    // The span is built after the caller has its answer, with the listeners' deferred work.
    expect(spans.getFinishedSpans()).toEqual([]);
    drainDeferred();
    const [span] = spans.getFinishedSpans();
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.name).toBe('POST /fapi/v1/order');
    expect(span?.attributes).toMatchObject({
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
      'server.port': 8765,
      'http.response.status_code': 200,
      'peer.service': 'exchange-sim',
      'mm.order.client_id': 'mm-abc-1',
      'mm.order.side': 'BUY',
      'mm.order.outcome': 'accepted',
      'binance.rate_limit.used_weight_1m': 7,
    });
    expect(String(span?.attributes['url.full'])).not.toContain('deadbeefcafe');
    expect(trace.getSpanContext(contexts.get('mm-abc-1')!)?.spanId).toBe(span?.spanContext().spanId);
  });

  it('marks a 503 order as ambiguous and a -5022 as rejected, with the Binance code and error.type', async () => {
    spans.reset();
    const h = telemetry().meter.createHistogram('t2');
    await tracingTransport(answer(503, { code: -1000, msg: 'Unknown error' }), {
      baseUrl: 'http://x',
      peerService: 'p',
      duration: h,
      orderContexts: new OrderContexts(),
      afterWire,
      clock: afterWireClock,
    }).send(order);
    await tracingTransport(answer(400, { code: -5022, msg: 'Post Only order will be rejected' }), {
      baseUrl: 'http://x',
      peerService: 'p',
      duration: h,
      orderContexts: new OrderContexts(),
      afterWire,
      clock: afterWireClock,
    }).send(order);
    drainDeferred();
    const [ambiguous, rejected] = spans.getFinishedSpans();
    expect(ambiguous?.attributes['mm.order.outcome']).toBe('ambiguous');
    expect(ambiguous?.attributes['error.type']).toBe('503');
    expect(rejected?.attributes['mm.order.outcome']).toBe('rejected');
    expect(rejected?.attributes['binance.error_code']).toBe(-5022);
  });

  it('records a network failure as an ambiguous span with error.type and rethrows', async () => {
    spans.reset();
    const failing: RestTransport = {
      send: async () => {
        throw Object.assign(new Error('socket hang up'), { code: 'UND_ERR_SOCKET' });
      },
      close: async () => {},
    };
    const transport = tracingTransport(failing, {
      baseUrl: 'http://x',
      peerService: 'p',
      duration: telemetry().meter.createHistogram('t3'),
      orderContexts: new OrderContexts(),
      afterWire,
      clock: afterWireClock,
    });
    await expect(transport.send(order)).rejects.toThrow('socket hang up');
    drainDeferred();
    const [span] = spans.getFinishedSpans();
    expect(span?.attributes['error.type']).toBe('UND_ERR_SOCKET');
    expect(span?.attributes['mm.order.outcome']).toBe('ambiguous');
  });
});
