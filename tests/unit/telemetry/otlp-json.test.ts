import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createTraceState,
  ROOT_CONTEXT,
  SeverityNumber,
  SpanKind,
  SpanStatusCode,
  trace,
  type AnyValue,
  type Attributes,
  type HrTime,
  type SpanContext,
} from '@opentelemetry/api';
import { ExportResultCode, type ExportResult, type InstrumentationScope } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { JsonLogsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOtlpLogExporter, createOtlpTraceExporter } from '../../../src/telemetry/otlp-exporters.ts';
import { fastJsonLogsSerializer, fastJsonTraceSerializer, hrTimeToNanosString } from '../../../src/telemetry/otlp-json.ts';

function decode(bytes: Uint8Array | undefined): string {
  if (bytes === undefined) throw new Error('serializer returned nothing');
  return new TextDecoder().decode(bytes);
}

/** Asserts the same request as the stock serializer: the same parsed JSON, and the same bytes. */
function expectSameAsStock(ours: Uint8Array | undefined, stock: Uint8Array | undefined): void {
  expect(JSON.parse(decode(ours))).toStrictEqual(JSON.parse(decode(stock)));
  expect(decode(ours)).toBe(decode(stock));
}

function expectSpansAsStock(spans: ReadableSpan[]): void {
  expectSameAsStock(fastJsonTraceSerializer.serializeRequest(spans), JsonTraceSerializer.serializeRequest(spans));
}

function expectLogsAsStock(logs: ReadableLogRecord[]): void {
  expectSameAsStock(fastJsonLogsSerializer.serializeRequest(logs), JsonLogsSerializer.serializeRequest(logs));
}

const SCHEMA_URL = 'https://opentelemetry.io/schemas/1.30.0';

const resourceA = resourceFromAttributes(
  { 'service.name': 'mm-runner', 'service.version': '1.2.3', 'host.cpu.count': 2, 'deployment.active': true, 'k8s.tags': ['a', 'b'] },
  { schemaUrl: SCHEMA_URL },
);
const resourceB = resourceFromAttributes({ 'service.name': 'exchange-sim', 'weird "name"\n': 'v\\1' });

/** Strings JSON.stringify must escape, or must not, exactly as it does. */
const TRICKY_STRINGS = [
  'plain',
  'quote " and backslash \\',
  'line\nbreak\r\ttab',
  '\u0000\u0001\u007f',
  'unit separator \u001f',
  'ünïcödé €',
  'emoji 😀 pair',
  'lone \ud800 high',
  'lone \udc00 low',
  'reversed \udc00\ud800',
  'line sep \u2028 \u2029',
  '</script>',
  '',
];

const EVERY_KIND_OF_ATTRIBUTE: Attributes = {
  'str.plain': 'BTCUSDT',
  ...Object.fromEntries(TRICKY_STRINGS.map((text, i) => [`str.tricky.${i}`, text])),
  [TRICKY_STRINGS[1] as string]: 'a key that needs escaping',
  'int.zero': 0,
  'int.negative': -1021,
  'int.beyond_2^31': 2 ** 31 + 7,
  'int.beyond_2^53': 2 ** 53 + 2,
  'int.huge': 1e21,
  'int.negative_zero': -0,
  double: 0.1,
  'double.negative': -12.5e-7,
  'double.nan': Number.NaN,
  'double.infinity': Number.POSITIVE_INFINITY,
  'double.max': Number.MAX_VALUE,
  'bool.true': true,
  'bool.false': false,
  'array.strings': ['a', 'b"c', '😀'],
  'array.ints': [1, -2, 3],
  'array.numbers': [1, 1.5, Number.NaN],
  'array.bools': [true, false],
  'array.with_null': ['a', null, 'b'],
  'array.empty': [],
  '10': 'an integer-like key, ordered first by Object.keys',
};

/** Complex attribute values the 3.x span API accepts (maps, bytes, nested arrays). */
const COMPLEX_ATTRIBUTES: Record<string, AnyValue> = {
  map: { side: 'BUY', qty: 3, nested: { deep: [1, 'x', null] } },
  bytes: new Uint8Array([0, 1, 2, 250, 255]),
  'nested.array': [[1, 2], ['a']],
  'empty.map': {},
};

function collectingTracerProvider(resource: Resource, exporter: InMemorySpanExporter, attributeCountLimit = 128): TracerProvider {
  return new TracerProvider({
    resource,
    spanLimits: { attributeCountLimit, eventCountLimit: 3, linkCountLimit: 2, attributePerEventCountLimit: 2, attributePerLinkCountLimit: 2 },
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
}

const remoteParent: SpanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 1,
  isRemote: true,
  traceState: createTraceState('vendor=a1,other=b2'),
};

/** Builds a varied set of finished spans from two resources and several tracers, interleaved. */
function buildSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const providerA = collectingTracerProvider(resourceA, exporter);
  const providerB = collectingTracerProvider(resourceB, exporter, 3);
  const withSchema = providerA.getTracer('mm.rest', '0.1.0', { schemaUrl: SCHEMA_URL });
  const bare = providerA.getTracer('mm.bare');
  const other = providerB.getTracer('sim', '2.0.0');

  const root = withSchema.startSpan('mm.quote.decide', { kind: SpanKind.INTERNAL, attributes: EVERY_KIND_OF_ATTRIBUTE });
  const rootContext = trace.setSpan(ROOT_CONTEXT, root);
  const kinds = [SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER];
  for (const kind of kinds) {
    const child = withSchema.startSpan(`child.${kind}`, { kind, attributes: { 'mm.symbol': 'ETHUSDT', 'http.response.status_code': 200 } }, rootContext);
    child.addEvent('event.with.attributes', { 'mm.price': '3012.45', 'mm.qty': 0.5 });
    child.addEvent('event.without.attributes');
    child.addEvent('event.with.time', { n: 1 }, [1_700_000_000, 5]);
    child.addEvent('event.too.many.attributes', { a: 1, b: 2, c: 3, d: 4 });
    child.addEvent('event.over.limit');
    child.end();
    bare.startSpan('bare.span', { attributes: COMPLEX_ATTRIBUTES }).end();
  }
  const linked = withSchema.startSpan('linked', {
    kind: SpanKind.CLIENT,
    links: [
      { context: remoteParent, attributes: { 'link.reason': 'order', x: 1, y: 2 } },
      { context: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 0 } },
      { context: remoteParent },
    ],
  });
  linked.setStatus({ code: SpanStatusCode.ERROR, message: 'binance -2019 "margin"\n' });
  linked.end();
  const ok = withSchema.startSpan('ok', {}, trace.setSpanContext(ROOT_CONTEXT, remoteParent));
  ok.setStatus({ code: SpanStatusCode.OK });
  ok.end();
  const unsampled = withSchema.startSpan(
    'unsampled-parent',
    {},
    trace.setSpanContext(ROOT_CONTEXT, { ...remoteParent, traceFlags: 0, isRemote: false, traceState: createTraceState() }),
  );
  unsampled.end();
  for (let i = 0; i < 3; i++) {
    const span = other.startSpan(`sim.${i}`, { kind: SpanKind.SERVER, startTime: 1_700_000_000_123.456 + i, attributes: { a: 1, b: 2, c: 3, d: 4, e: 5 } });
    span.setAttribute('late', 'dropped');
    span.end(1_700_000_000_223.789 + i);
  }
  root.recordException(new Error('boom "quoted"'));
  root.end();
  return exporter.getFinishedSpans();
}

/** Returns a copy of `span` with a different (but equal-keyed, or not) instrumentation scope object. */
function withScope(span: ReadableSpan, instrumentationScope: InstrumentationScope): ReadableSpan {
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanContext === undefined ? {} : { parentSpanContext: span.parentSpanContext }),
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: span.attributes,
    links: span.links,
    events: span.events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

describe('fastJsonTraceSerializer', () => {
  const spans = buildSpans();

  it('covers what it claims to: two resources, several scopes, every kind, dropped counts, remote parents', () => {
    expect(new Set(spans.map((s) => s.resource)).size).toBe(2);
    expect(new Set(spans.map((s) => s.kind))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(spans.some((s) => s.droppedAttributesCount > 0)).toBe(true);
    expect(spans.some((s) => s.droppedEventsCount > 0)).toBe(true);
    expect(spans.some((s) => s.droppedLinksCount > 0)).toBe(true);
    expect(spans.some((s) => s.events.some((e) => (e.droppedAttributesCount ?? 0) > 0))).toBe(true);
    expect(spans.some((s) => s.parentSpanContext?.isRemote === true)).toBe(true);
    expect(spans.find((s) => s.name === 'bare.span')?.attributes.bytes).toBeInstanceOf(Uint8Array);
  });

  it('writes the same request as JsonTraceSerializer', () => {
    expectSpansAsStock(spans);
  });

  it('writes the same request for each span alone, for an empty batch, and in reverse order', () => {
    for (const span of spans) expectSpansAsStock([span]);
    expectSpansAsStock([]);
    expectSpansAsStock([...spans].reverse());
  });

  it('encodes ids as hex, timestamps as decimal strings, ints as intValue and non-integers as doubleValue', () => {
    const root = spans.find((s) => s.name === 'mm.quote.decide') as ReadableSpan;
    const request = JSON.parse(decode(fastJsonTraceSerializer.serializeRequest([root])));
    const span = request.resourceSpans[0].scopeSpans[0].spans[0];
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(typeof span.startTimeUnixNano).toBe('string');
    const attribute = (key: string): unknown => span.attributes.find((kv: { key: string }) => kv.key === key)?.value;
    expect(attribute('int.beyond_2^31')).toEqual({ intValue: 2 ** 31 + 7 });
    expect(attribute('double')).toEqual({ doubleValue: 0.1 });
    expect(attribute('double.nan')).toEqual({ doubleValue: null });
  });

  it('groups spans by scope name, version and schema URL rather than scope object, in first-seen order', () => {
    const [a, b, c] = spans.filter((s) => s.instrumentationScope.name === 'mm.rest') as [ReadableSpan, ReadableSpan, ReadableSpan];
    const bare = spans.find((s) => s.name === 'bare.span') as ReadableSpan;
    const lookalike = withScope(b, { ...b.instrumentationScope });
    const noVersion = withScope(c, { name: 'mm.rest', schemaUrl: '' });
    expectSpansAsStock([a, bare, lookalike, noVersion, c, withScope(bare, { name: 'mm.bare', version: '' })]);
  });

  it('writes the same request for spans with odd hand-made contents', () => {
    const base = spans.find((s) => s.name === 'linked') as ReadableSpan;
    const times: HrTime[] = [
      [0, 0],
      [0, 42],
      [1, 999_999_999],
      [1.9, 7.7],
      [2 ** 40, 1],
      [-3, 5],
      [5, 1_500_000_000],
    ];
    for (const time of times) {
      expectSpansAsStock([{ ...withScope(base, base.instrumentationScope), startTime: time, endTime: time }]);
    }
    expectSpansAsStock([{ ...withScope(base, { name: 'scope "x"', version: '1\n' }), status: { code: SpanStatusCode.UNSET }, name: 'ü\ud800' }]);
  });
});

describe('hrTimeToNanosString', () => {
  it('property: equals the BigInt computation otlp-transformer uses', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 2 ** 45 }), fc.integer({ min: -5, max: 2e9 }), (seconds, nanos) => {
        expect(hrTimeToNanosString([seconds, nanos])).toBe((BigInt(seconds) * 1_000_000_000n + BigInt(nanos)).toString());
      }),
      { numRuns: 2000 },
    );
  });
});

function collectingLoggerProvider(resource: Resource, exporter: InMemoryLogRecordExporter): LoggerProvider {
  return new LoggerProvider({ resource, logRecordLimits: { attributeCountLimit: 30 }, processors: [new SimpleLogRecordProcessor({ exporter })] });
}

function buildLogRecords(): ReadableLogRecord[] {
  const exporter = new InMemoryLogRecordExporter();
  const providerA = collectingLoggerProvider(resourceA, exporter);
  const providerB = collectingLoggerProvider(resourceB, exporter);
  const events = providerA.getLogger('mm.events', '0.1.0', { schemaUrl: SCHEMA_URL, attributes: { 'scope.attr': 'x', n: 2 } });
  const bare = providerA.getLogger('mm.bare');
  const sim = providerB.getLogger('sim', '2.0.0');
  const spanContext = trace.setSpanContext(ROOT_CONTEXT, { ...remoteParent, isRemote: false });

  events.emit({
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: 'order placed "BUY"\n',
    eventName: 'mm.order.placed',
    attributes: { 'mm.symbol': 'BTCUSDT', 'mm.qty': 3, 'mm.price': '64000.10' },
    context: spanContext,
  });
  events.emit({
    severityNumber: SeverityNumber.WARN,
    body: { side: 'SELL', levels: [1, 2.5, 'x'], nested: { ok: true, none: null }, raw: new Uint8Array([1, 2, 3]) },
    attributes: EVERY_KIND_OF_ATTRIBUTE,
  });
  bare.emit({ body: 'no severity, no context' });
  bare.emit({ attributes: { only: 'attributes' } });
  sim.emit({
    severityNumber: SeverityNumber.ERROR,
    severityText: 'ERROR',
    body: 42,
    timestamp: 1_700_000_000_123.5,
    observedTimestamp: [1_700_000_001, 9],
    context: spanContext,
  });
  events.emit({
    severityNumber: SeverityNumber.DEBUG,
    body: ['a', 1, false],
    attributes: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i])),
  });
  bare.emit({ body: 1.5, eventName: '' });
  return exporter.getFinishedLogRecords();
}

describe('fastJsonLogsSerializer', () => {
  const logs = buildLogRecords();

  it('covers what it claims to: two resources, trace context set and not, a scope with attributes, dropped attributes', () => {
    expect(new Set(logs.map((l) => l.resource)).size).toBe(2);
    expect(logs.some((l) => l.spanContext !== undefined)).toBe(true);
    expect(logs.some((l) => l.spanContext === undefined)).toBe(true);
    expect(logs.some((l) => l.droppedAttributesCount > 0)).toBe(true);
    expect(logs.some((l) => (l.instrumentationScope.attributes?.n ?? 0) === 2)).toBe(true);
  });

  it('writes the same request as JsonLogsSerializer', () => {
    expectLogsAsStock(logs);
  });

  it('writes the same request for each record alone, for an empty batch, and in reverse order', () => {
    for (const log of logs) expectLogsAsStock([log]);
    expectLogsAsStock([]);
    expectLogsAsStock([...logs].reverse());
  });

  it('carries the trace context and severity of a record emitted inside a span', () => {
    const request = JSON.parse(decode(fastJsonLogsSerializer.serializeRequest(logs.slice(0, 1))));
    const record = request.resourceLogs[0].scopeLogs[0].logRecords[0];
    expect(record).toMatchObject({
      traceId: remoteParent.traceId,
      spanId: remoteParent.spanId,
      flags: 1,
      severityNumber: 9,
      severityText: 'INFO',
      eventName: 'mm.order.placed',
    });
  });
});

const tricky = fc.constantFrom(...TRICKY_STRINGS);
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.oneof(tricky, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 6 }),
);
const leaf = fc.oneof(
  text,
  fc.double(),
  fc.integer(),
  fc.constantFrom(2 ** 31, 2 ** 53 + 2, -0, 1e21),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 8 }),
);
const anyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A hand-made log record: the property test feeds the serializers values no SDK call would filter. */
function logRecord(attributes: Attributes, body: unknown, time: HrTime): ReadableLogRecord {
  return {
    hrTime: time,
    hrTimeObserved: time,
    body: body as AnyValue,
    resource: resourceA,
    instrumentationScope: { name: 'prop' },
    attributes,
    droppedAttributesCount: 0,
  };
}

describe('byte writer', () => {
  it('encodes every UTF-16 code unit, surrogate pairs and lone surrogates as JSON.stringify + UTF-8 do', () => {
    const everyUnit = String.fromCharCode(...Array.from({ length: 0x10000 }, (_, i) => i));
    const reversed = [...everyUnit].reverse().join('');
    const pairs = ['\ud83d\ude00', '\udbff\udfff', '\ud800\udc00', '\ud800\ud800\udc00', '\udc00\ud800', 'x\ud800', '\udfffx'];
    for (const body of [everyUnit, reversed, ...pairs]) {
      expectLogsAsStock([logRecord({ [body]: body, key: [body] }, body, [1, 2])]);
    }
  });

  it('grows past a buffer sized from a batch of small records, and hands out requests that later ones do not overwrite', () => {
    const small = [logRecord({ a: 1 }, 'x', [1, 2])];
    const first = fastJsonLogsSerializer.serializeRequest(small);
    const firstCopy = decode(first);
    const huge = [logRecord({ big: 'é'.repeat(300_000) }, '😀'.repeat(400_000), [1, 2]), ...Array.from({ length: 50 }, () => small[0] as ReadableLogRecord)];
    expectLogsAsStock(huge);
    expect(decode(first)).toBe(firstCopy);
    expectLogsAsStock(small);
  });

  it('does not cache a resource whose attributes are still being detected', async () => {
    let settle: (value: string) => void = () => undefined;
    const detecting = resourceFromAttributes({ 'service.name': 'x', 'host.id': new Promise<string>((resolve) => (settle = resolve)) });
    const record = { ...logRecord({ a: 1 }, 'b', [1, 2]), resource: detecting };
    expect(detecting.asyncAttributesPending).toBe(true);
    expectLogsAsStock([record]);
    settle('host-1');
    await detecting.waitForAsyncAttributes?.();
    expectLogsAsStock([record]);
    expect(decode(fastJsonLogsSerializer.serializeRequest([record]))).toContain('host-1');
  });
});

describe('property', () => {
  it('random attribute maps and bodies serialize as JsonLogsSerializer serializes them', () => {
    fc.assert(
      fc.property(fc.dictionary(text, anyValue, { maxKeys: 8 }), anyValue, fc.tuple(fc.nat(), fc.nat(999_999_999)), (attributes, body, time) => {
        expectLogsAsStock([logRecord(attributes as Attributes, body, time)]);
      }),
      { numRuns: 500 },
    );
  });
});

interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A loopback OTLP/HTTP receiver that records every request and answers with `status`. */
class RecordingReceiver {
  readonly requests: ReceivedRequest[] = [];
  status = 200;
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(this.status, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function exportWith<T>(exporter: { export(items: T, done: (result: ExportResult) => void): void }, items: T): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(items, resolve));
}

/** Headers that must match the stock exporter's (not host/connection details). */
function comparableHeaders(headers: IncomingHttpHeaders): Record<string, unknown> {
  const { host: _host, connection: _connection, ...rest } = headers;
  return rest;
}

describe('OTLP/HTTP exporters over loopback', () => {
  const receiver = new RecordingReceiver();
  let base = '';
  const spans = buildSpans();
  const logs = buildLogRecords();

  beforeAll(async () => {
    base = await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
  });

  it('send what the stock exporters send, with the same headers, and report success', async () => {
    receiver.status = 200;
    const ours: [SpanExporter, LogRecordExporter] = [
      createOtlpTraceExporter({ url: `${base}/v1/traces`, timeoutMillis: 5_000 }),
      createOtlpLogExporter({ url: `${base}/v1/logs`, timeoutMillis: 5_000, concurrencyLimit: 4 }),
    ];
    const stock: [SpanExporter, LogRecordExporter] = [
      new OTLPTraceExporter({ url: `${base}/v1/traces`, timeoutMillis: 5_000 }),
      new OTLPLogExporter({ url: `${base}/v1/logs`, timeoutMillis: 5_000 }),
    ];
    try {
      receiver.requests.length = 0;
      expect((await exportWith(ours[0], spans)).code).toBe(ExportResultCode.SUCCESS);
      expect((await exportWith(stock[0], spans)).code).toBe(ExportResultCode.SUCCESS);
      expect((await exportWith(ours[1], logs)).code).toBe(ExportResultCode.SUCCESS);
      expect((await exportWith(stock[1], logs)).code).toBe(ExportResultCode.SUCCESS);
      const [ourSpans, stockSpans, ourLogs, stockLogs] = receiver.requests as [ReceivedRequest, ReceivedRequest, ReceivedRequest, ReceivedRequest];
      expect(receiver.requests.map((r) => r.path)).toEqual(['/v1/traces', '/v1/traces', '/v1/logs', '/v1/logs']);
      expect(ourSpans.headers['content-type']).toBe('application/json');
      expect(comparableHeaders(ourSpans.headers)).toEqual(comparableHeaders(stockSpans.headers));
      expect(comparableHeaders(ourLogs.headers)).toEqual(comparableHeaders(stockLogs.headers));
      expect(JSON.parse(ourSpans.body)).toStrictEqual(JSON.parse(decode(JsonTraceSerializer.serializeRequest(spans))));
      expect(JSON.parse(ourLogs.body)).toStrictEqual(JSON.parse(decode(JsonLogsSerializer.serializeRequest(logs))));
      expect(ourSpans.body).toBe(stockSpans.body);
      expect(ourLogs.body).toBe(stockLogs.body);
    } finally {
      await Promise.all([...ours, ...stock].map((exporter) => exporter.shutdown()));
    }
  });

  it('report a failed export when the receiver answers 500', async () => {
    receiver.status = 500;
    const traces = createOtlpTraceExporter({ url: `${base}/v1/traces`, timeoutMillis: 2_000 });
    const logExporter = createOtlpLogExporter({ url: `${base}/v1/logs`, timeoutMillis: 2_000 });
    try {
      receiver.requests.length = 0;
      expect((await exportWith(traces, spans)).code).toBe(ExportResultCode.FAILED);
      expect((await exportWith(logExporter, logs)).code).toBe(ExportResultCode.FAILED);
      expect(receiver.requests).toHaveLength(2);
    } finally {
      await Promise.all([traces.shutdown(), logExporter.shutdown()]);
      receiver.status = 200;
    }
  });

  it('report a failed export when nothing listens on the port, within the timeout', async () => {
    const closed = new RecordingReceiver();
    const url = await closed.start();
    await closed.stop();
    const traces = createOtlpTraceExporter({ url: `${url}/v1/traces`, timeoutMillis: 1_000 });
    try {
      const started = performance.now();
      expect((await exportWith(traces, spans)).code).toBe(ExportResultCode.FAILED);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await traces.shutdown();
    }
  });
});
