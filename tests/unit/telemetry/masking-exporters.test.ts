/**
 * Masking at the OTLP export boundary (issue 12 item 6): whatever text a secret hides in, the
 * exporter the SDK hands spans and log records to receives them masked; clean items pass as is.
 */
import { SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { createTextMasker } from '../../../src/telemetry/masking.ts';
import { maskingLogExporter, maskingSpanExporter, maskSpan } from '../../../src/telemetry/masking-exporters.ts';
import { metricsRenderer } from '../../../src/telemetry/prometheus-render.ts';

const KEY = 'maskKeyT7yU1iO3pA6sD9fG2hJ5kL8zX0cV';
const STRAY = 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBaZx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1H';
const PASSWORD = 'hunter2Passw0rd';
const SIGNATURE = 'signature=3c4f0a9e8b7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3d';
const mask = createTextMasker([KEY]);

const shutdowns: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(shutdowns.splice(0).map((shutdown) => shutdown()));
});

function expectClean(text: string): void {
  for (const secret of [KEY.slice(0, 12), STRAY.slice(0, 12), PASSWORD, SIGNATURE.slice(0, 30)]) expect(text).not.toContain(secret);
}

describe('maskingSpanExporter', () => {
  it('masks span names, attributes at any depth, status messages, events and links', () => {
    const memory = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: maskingSpanExporter(memory, mask) })] });
    shutdowns.push(() => provider.shutdown());
    const tracer = provider.getTracer('test');
    const linked = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };
    const span = tracer.startSpan(`GET /x?${SIGNATURE}`, {
      attributes: {
        'url.full': `https://mm:${PASSWORD}@fapi.example/fapi/v1/order?${SIGNATURE}`,
        'mm.error': `HTTP 403 blocked (X-MBX-APIKEY: ${KEY})`,
        'mm.list': ['fine', STRAY],
        'mm.count': 3,
      },
      links: [{ context: linked, attributes: { note: `from ${KEY}` } }],
    });
    span.addEvent(`event ${STRAY}`, { detail: `key ${KEY}` });
    span.setStatus({ code: SpanStatusCode.ERROR, message: `reconcile failed: ${KEY} ${SIGNATURE}` });
    span.end();
    const [exported] = memory.getFinishedSpans();
    expect(exported).toBeDefined();
    const text = JSON.stringify({ ...exported, resource: null, instrumentationScope: null });
    expectClean(text);
    expect(exported?.attributes['url.full']).toBe('https://*****@fapi.example/fapi/v1/order?signature=3c4*****');
    expect(exported?.attributes['mm.count']).toBe(3);
    expect(exported?.status.message).toBe('reconcile failed: mas***** signature=3c4*****');
    expect(exported?.spanContext().spanId).toBe(span.spanContext().spanId);
  });

  it('passes a span with nothing to mask through unchanged', () => {
    const memory = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
    shutdowns.push(() => provider.shutdown());
    provider
      .getTracer('test')
      .startSpan('POST /fapi/v1/order', { attributes: { 'mm.symbol': 'BTCUSDT' } })
      .end();
    const [clean] = memory.getFinishedSpans();
    expect(clean).toBeDefined();
    expect(maskSpan(clean!, mask)).toBe(clean);
  });
});

describe('maskingLogExporter', () => {
  it('masks log bodies, event names and attributes at any depth, values under secret-looking keys whole', () => {
    const memory = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: maskingLogExporter(memory, mask) })] });
    shutdowns.push(() => provider.shutdown());
    provider.getLogger('test').emit({
      eventName: 'exchange_error',
      body: { message: `blocked ${SIGNATURE}`, nested: [STRAY] },
      attributes: {
        error: `HTTP 403 (X-MBX-APIKEY: ${KEY})`,
        config: JSON.stringify({ restUrl: `http://u:${PASSWORD}@127.0.0.1:1`, environment: STRAY }),
        listenKey: 'plainListenKeyValue',
      },
    });
    const [record] = memory.getFinishedLogRecords();
    expect(record).toBeDefined();
    expectClean(JSON.stringify({ body: record?.body, attributes: record?.attributes, eventName: record?.eventName }));
    expect(record?.attributes.listenKey).toBe('pla*****');
    expect(record?.eventName).toBe('exchange_error');
  });
});

describe('/metrics label values', () => {
  it('are masked before the exporter serializes them, target_info included', async () => {
    const exporter = new PrometheusExporter({ preventServerStart: true });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'deployment.environment.name': STRAY }), readers: [exporter] });
    shutdowns.push(() => provider.shutdown());
    provider
      .getMeter('test')
      .createCounter('mm_test_total')
      .add(1, { reason: `blocked ${KEY}`, url: `http://u:${PASSWORD}@h` });
    const text = await metricsRenderer(exporter, mask)();
    expect(text).toContain('mm_test_total{');
    expect(text).toMatch(/reason="blocked mas\*{5}"/);
    expect(text).toMatch(/url="http:\/\/\*{5}@h"/);
    expect(text).toMatch(/target_info\{[^}]*deployment_environment_name="Zx9\*{5}"/);
    expectClean(text);
  });
});
