import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValueType, type Attributes, type Meter } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, DataPointType, MeterProvider, type MetricData, type ResourceMetrics, type ViewOptions } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { domainEvent } from '../../../src/core/events.ts';
import type { Instrument } from '../../../src/core/instrument.ts';
import type { MarketMakerView } from '../../../src/core/market-maker.ts';
import { parseExchangeInfo, toInstrument } from '../../../src/exchange/wire/exchange-info.ts';
import { RunnerMetrics } from '../../../src/telemetry/metrics.ts';
import { PrometheusTextSerializer, renderMetrics } from '../../../src/telemetry/prometheus-text.ts';

const NASTY_STRINGS = [
  '',
  'plain',
  'say "hi"',
  'back\\slash',
  'trailing\\',
  'new\nline',
  'cr\rlf\r\n',
  'tab\there',
  'ünïcødé ✓ 🚀',
  'line\u2028sep',
  '{braces},="eq"',
  ' padded ',
];

/** Attribute objects with every kind of value the exporter has to escape or JSON-encode. */
const NASTY_ATTRIBUTES: Attributes[] = [
  {},
  ...NASTY_STRINGS.map((value) => ({ 'label.value': value })),
  { 'http.method': 'GET', 'weird-key/with.chars': 'x', ключ: 'cyrillic key', 10: 'integer key', 2: 'sorts first' },
  { count: 42, ratio: -1.5, big: 2 ** 60, tiny: 5e-324, nan: Number.NaN, inf: Infinity, flag: true, off: false },
  { list: ['a"b', 'c\\d', 'e\nf'], numbers: [1, 2.5, -3], flags: [true, false] },
  { 'otel.scope.name': 'clashes with the scope label', le: 'clashes with the bucket label' },
];

const NASTY_VALUES = [0, -0, 1, -1, 42, -273.15, 0.1 + 0.2, 1e21, 1e-7, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity, Number.NaN];

const providers: MeterProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.shutdown()));
});

function start(views: ViewOptions[] = []): { exporter: PrometheusExporter; provider: MeterProvider } {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const resource = resourceFromAttributes({
    'service.name': 'mm "runner"',
    'service.version': '1.2.3',
    'host.id': 'back\\slash\nnew line',
    'process.pid': 4242,
    'feature.on': true,
  });
  const provider = new MeterProvider({ resource, readers: [exporter], views });
  providers.push(provider);
  return { exporter, provider };
}

/** Collects once and returns the stock serializer's text and ours for the very same ResourceMetrics. */
async function scrape(
  exporter: PrometheusExporter,
  ours: PrometheusTextSerializer,
  stock: PrometheusSerializer,
): Promise<{ expected: string; actual: string; resourceMetrics: ResourceMetrics }> {
  const { resourceMetrics, errors } = await exporter.collect();
  expect(errors).toEqual([]);
  return { expected: stock.serialize(resourceMetrics), actual: ours.serialize(resourceMetrics), resourceMetrics };
}

/** Returns what the exporter's own request handler answers. */
function stockHandlerBody(exporter: PrometheusExporter): Promise<string> {
  return new Promise((resolve) => {
    const res = { statusCode: 0, setHeader: () => undefined, end: (body: string) => resolve(body) };
    exporter.getMetricsRequestHandler({} as never, res as never);
  });
}

/** Registers one instrument of every kind on `meter`, each recording nasty values under nasty attributes. */
function recordEverything(meter: Meter, tag: string): void {
  const intCounter = meter.createCounter(`${tag}.requests`, { description: 'Requests "served"\nsecond \\ line', unit: '{request}', valueType: ValueType.INT });
  const doubleCounter = meter.createCounter(`${tag}.bytes_total`, { description: 'Already ends in _total', unit: 'By' });
  const upDown = meter.createUpDownCounter(`${tag}.queue-depth`, { description: 'Goes up and down' });
  const gauge = meter.createGauge(`${tag}.temperature`, { unit: 'Cel' });
  const defaultHistogram = meter.createHistogram(`${tag}.latency`, { description: 'Default boundaries', unit: 'ms' });
  const customHistogram = meter.createHistogram(`${tag}.size`, {
    description: 'Custom boundaries',
    advice: { explicitBucketBoundaries: [-10, 0, 0.001, 0.5, 1, 1e6] },
  });
  const intHistogram = meter.createHistogram(`${tag}.items`, { valueType: ValueType.INT, advice: { explicitBucketBoundaries: [1, 2, 5] } });
  NASTY_ATTRIBUTES.forEach((attributes, i) => {
    intCounter.add(i * 7, attributes);
    doubleCounter.add(0.1 * i, attributes);
    upDown.add(-3.25 * i, attributes);
    gauge.record(NASTY_VALUES[i % NASTY_VALUES.length]!, attributes);
    for (const value of NASTY_VALUES) {
      defaultHistogram.record(Math.abs(value), attributes);
      customHistogram.record(value, attributes);
      intHistogram.record(Number.isFinite(value) ? Math.trunc(value) : 3, attributes);
    }
  });
  for (const value of NASTY_VALUES) gauge.record(value, { value: String(value) });

  meter.createObservableCounter(`${tag}.observed.total`, { description: 'Observed counter', unit: 's' }).addCallback((result) => {
    NASTY_ATTRIBUTES.forEach((attributes, i) => result.observe(1000 * i + 0.5, { ...attributes }));
  });
  meter.createObservableUpDownCounter(`${tag}.observed.balance`, { valueType: ValueType.INT }).addCallback((result) => {
    result.observe(-12, { account: 'a' });
    result.observe(2 ** 53 - 1, { account: 'b' });
  });
  meter.createObservableGauge(`${tag}.observed.gauge`, { description: '' }).addCallback((result) => {
    NASTY_VALUES.forEach((value, i) => result.observe(value, { i, s: NASTY_STRINGS[i % NASTY_STRINGS.length]! }));
  });
}

describe('PrometheusTextSerializer', () => {
  it('writes exactly what the stock PrometheusSerializer writes, on every scrape, for every instrument kind', async () => {
    const { exporter, provider } = start();
    recordEverything(provider.getMeter('mm.alpha'), 'alpha');
    recordEverything(provider.getMeter('mm.beta', '2.0.0-rc.1', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' }), 'beta');
    const ours = new PrometheusTextSerializer();
    const stock = new PrometheusSerializer();

    const first = await scrape(exporter, ours, stock);
    expect(first.actual).toBe(first.expected);
    expect(first.actual).toContain('alpha_requests_total{label_value="say \\"hi\\"",otel_scope_name="mm.alpha"} 21\n');

    const meter = provider.getMeter('mm.alpha');
    meter.createCounter('alpha.requests', { valueType: ValueType.INT }).add(5, { 'label.value': 'brand new on the second scrape' });
    meter.createCounter('alpha.requests', { valueType: ValueType.INT }).add(1, { 'label.value': 'plain' });
    meter.createHistogram('alpha.latency', { unit: 'ms' }).record(7, { fresh: 'series' });
    meter.createGauge('alpha.temperature', { unit: 'Cel' }).record(-40, {});
    const second = await scrape(exporter, ours, stock);
    expect(second.actual).toBe(second.expected);
    expect(second.actual).not.toBe(first.actual);
    expect(second.actual).toContain('brand new on the second scrape');

    const third = await scrape(exporter, ours, stock);
    expect(third.actual).toBe(third.expected);
  });

  it('hands back the same attributes object for a series on every collect (what its label cache relies on)', async () => {
    const { exporter, provider } = start();
    const meter = provider.getMeter('identity');
    const counter = meter.createCounter('c');
    counter.add(1, { k: 'v' });
    meter.createObservableGauge('g').addCallback((result) => result.observe(1, { fresh: 'object every time' }));
    const pointAttributes = async () => (await exporter.collect()).resourceMetrics.scopeMetrics[0]!.metrics.map((m) => m.dataPoints[0]!.attributes);
    const before = await pointAttributes();
    counter.add(1, { k: 'v' });
    const after = await pointAttributes();
    expect(after[0]).toBe(before[0]);
    expect(after[1]).toBe(before[1]);
  });

  it('merges metrics of the same name across scopes, keeps the first HELP and UNIT, and drops names whose types conflict', async () => {
    const { exporter, provider } = start();
    const a = provider.getMeter('scope.a');
    const b = provider.getMeter('scope.b', '1.0');
    a.createCounter('shared', { description: 'first help', unit: 'ms' }).add(1, { from: 'a' });
    b.createCounter('shared', { description: 'second help', unit: 's' }).add(2, { from: 'b' });
    b.createCounter('shared.no_help').add(1);
    a.createCounter('shared.no_help', { description: 'late help', unit: 'By' }).add(3);
    a.createCounter('clash').add(1);
    b.createObservableGauge('clash_total').addCallback((result) => result.observe(9));
    a.createGauge('after_clash').record(1);
    const ours = new PrometheusTextSerializer();
    const stock = new PrometheusSerializer();
    for (let i = 0; i < 2; i++) {
      const { expected, actual } = await scrape(exporter, ours, stock);
      expect(actual).toBe(expected);
      expect(actual).not.toContain('clash_total');
      expect(actual).toContain('# HELP shared_total first help\n# UNIT shared_total ms\n');
    }
  });

  it('writes histograms produced by views, without _sum where negative values are allowed, and exponential ones untyped', async () => {
    const { exporter, provider } = start([
      { instrumentName: 'depth', aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [-1, 0, 1, 10] } } },
      { instrumentName: 'level', aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [] } } },
      { instrumentName: 'spread', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } },
      { instrumentName: 'renamed.source', name: 'renamed.target', description: 'renamed by a view' },
    ]);
    const meter = provider.getMeter('views');
    const depth = meter.createUpDownCounter('depth');
    const level = meter.createGauge('level');
    for (const v of [-5, -1, 0, 0.5, 3, 11]) {
      depth.add(v, { side: 'bid' });
      level.record(v);
    }
    meter.createHistogram('spread').record(1.5);
    meter.createCounter('renamed.source').add(1);
    const { expected, actual } = await scrape(exporter, new PrometheusTextSerializer(), new PrometheusSerializer());
    expect(actual).toBe(expected);
    expect(actual).not.toContain('depth_sum');
    expect(actual).toContain('# TYPE spread untyped\n');
    expect(actual).toContain('renamed_target_total');
  });

  it('writes the same text for hand-built edge cases the SDK seldom produces', () => {
    const scope = { name: 'hand' };
    const point = <T>(value: T, attributes: Attributes = {}) => ({
      startTime: [0, 0] as [number, number],
      endTime: [1, 0] as [number, number],
      attributes,
      value,
    });
    const descriptor = (name: string, description = '', unit = '') => ({ name, description, unit, valueType: ValueType.DOUBLE });
    const histogram = (boundaries: number[], counts: number[], sum?: number) => ({
      buckets: { boundaries, counts },
      count: counts.reduce((a, b) => a + b, 0),
      ...(sum === undefined ? {} : { sum }),
    });
    const metrics: MetricData[] = [
      { descriptor: descriptor('no.points', 'nothing yet'), aggregationTemporality: 1, dataPointType: DataPointType.GAUGE, dataPoints: [] },
      { descriptor: descriptor('9lives'), aggregationTemporality: 1, dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints: [point(9)] },
      {
        descriptor: descriptor('with.infinity'),
        aggregationTemporality: 1,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: [point(histogram([1, Infinity], [1, 2, 3], 4.5))],
      },
      {
        descriptor: descriptor('no.sum'),
        aggregationTemporality: 1,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: [point(histogram([0.25], [1, 1]), { x: null as never, y: undefined as never })],
      },
      {
        descriptor: descriptor('target_info', 'user help', 'user unit'),
        aggregationTemporality: 1,
        dataPointType: DataPointType.GAUGE,
        dataPoints: [point(5, { user: 'target' })],
      },
    ];
    const cases: ResourceMetrics[] = [
      { resource: resourceFromAttributes({}), scopeMetrics: [] },
      { resource: resourceFromAttributes({ a: 'b' }), scopeMetrics: [{ scope, metrics }] },
      {
        resource: resourceFromAttributes({}),
        scopeMetrics: [
          {
            scope,
            metrics: [
              {
                descriptor: descriptor('target_info'),
                aggregationTemporality: 1,
                dataPointType: DataPointType.HISTOGRAM,
                dataPoints: [point(histogram([], [1], 1))],
              },
              ...metrics,
            ],
          },
        ],
      },
    ];
    for (const resourceMetrics of cases) {
      const ours = new PrometheusTextSerializer();
      const expected = new PrometheusSerializer().serialize(resourceMetrics);
      expect(ours.serialize(resourceMetrics)).toBe(expected);
      expect(ours.serialize(resourceMetrics)).toBe(expected);
    }
  });

  it('matches the stock serializer for random names, attributes and values (property)', () => {
    const key = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 6 }), fc.constantFrom('service.name', 'le', '1', '01', 'a-b'));
    const scalar = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom(...NASTY_STRINGS), fc.double(), fc.integer(), fc.boolean());
    const value = fc.oneof(scalar, fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.double(), fc.boolean()), { maxLength: 3 }));
    const attributes = fc.dictionary(key, value, { maxKeys: 4 }) as fc.Arbitrary<Attributes>;
    const name = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_.\-/]{0,20}$/);
    const boundaries = fc.uniqueArray(fc.double({ noNaN: true }), { maxLength: 5 }).map((b) => b.sort((x, y) => x - y));
    const metric = fc.record({
      name,
      description: fc.string({ unit: 'binary', maxLength: 10 }),
      unit: fc.constantFrom('', 'ms', '{a\\b}'),
      kind: fc.constantFrom('counter', 'updown', 'gauge', 'histogram'),
      points: fc.array(fc.tuple(attributes, fc.double(), boundaries), { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(metric, { maxLength: 5 }), attributes, (specs, resourceAttributes) => {
        const scope = { name: 'prop', version: '1' };
        const metrics = specs.map((spec): MetricData => {
          const descriptor = { name: spec.name, description: spec.description, unit: spec.unit, valueType: ValueType.DOUBLE };
          const points = spec.points.map(([attrs, v, bounds]) => ({
            startTime: [0, 0] as [number, number],
            endTime: [1, 0] as [number, number],
            attributes: attrs,
            value: v,
            bounds,
          }));
          if (spec.kind === 'histogram') {
            return {
              descriptor,
              aggregationTemporality: 1,
              dataPointType: DataPointType.HISTOGRAM,
              dataPoints: points.map((p) => ({
                ...p,
                value: { buckets: { boundaries: p.bounds, counts: [...p.bounds.map(() => 1), 2] }, count: p.bounds.length + 2, sum: p.value },
              })),
            };
          }
          if (spec.kind === 'gauge') return { descriptor, aggregationTemporality: 1, dataPointType: DataPointType.GAUGE, dataPoints: points };
          return { descriptor, aggregationTemporality: 1, dataPointType: DataPointType.SUM, isMonotonic: spec.kind === 'counter', dataPoints: points };
        });
        const resourceMetrics: ResourceMetrics = {
          resource: resourceFromAttributes(resourceAttributes as Record<string, string>),
          scopeMetrics: [{ scope, metrics }],
        };
        const ours = new PrometheusTextSerializer();
        const expected = new PrometheusSerializer().serialize(resourceMetrics);
        expect(ours.serialize(resourceMetrics)).toBe(expected);
        expect(ours.serialize(resourceMetrics)).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('renderMetrics', () => {
  it('answers what the exporter request handler answers', async () => {
    const { exporter, provider } = start();
    const meter = provider.getMeter('render');
    meter.createCounter('hits').add(3, { path: '/metrics' });
    meter.createObservableGauge('level').addCallback((result) => result.observe(0.5, { tank: 'a' }));
    expect(await renderMetrics(exporter)).toBe(await stockHandlerBody(exporter));
    expect(await renderMetrics(exporter)).toBe(await stockHandlerBody(exporter));
  });

  it('rejects when the reader cannot collect (the ops server then answers 500)', async () => {
    const { exporter, provider } = start();
    await provider.shutdown();
    providers.splice(providers.indexOf(provider), 1);
    await expect(renderMetrics(exporter)).rejects.toThrow();
  });
});

describe('RunnerMetrics through PrometheusTextSerializer', () => {
  const specs = parseExchangeInfo(JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/binance/exchange-info.json'), 'utf8'))).specs;
  const btc = specs.get('BTCUSDT');

  it('renders the runner metrics for several symbols exactly as the stock serializer does', async () => {
    if (btc === undefined) throw new Error('fixture without BTCUSDT');
    const symbols = ['BTCUSDT', 'ETHUSDT', 'S2USDT'];
    const instruments = new Map<string, Instrument>(symbols.map((symbol) => [symbol, toInstrument({ ...btc, symbol })]));
    const views = symbols.map((symbol, i): MarketMakerView => {
      const mid = instruments.get(symbol)!.priceToTicks('65000.1', 'nearest') + i;
      return {
        symbol,
        midTicks: mid,
        bestBidTicks: mid - 1,
        bestAskTicks: mid + 1,
        ourBidTicks: i === 2 ? null : mid - 3,
        ourAskTicks: mid + 3,
        positionSteps: -5 * i,
        pendingBuySteps: 5,
        pendingSellSteps: 7,
        worstLongSteps: 10,
        worstShortSteps: -10,
        worstLongNotional: 100n,
        worstShortNotional: 100n,
        positionNotional: 10n,
        riskState: 1,
        riskRatio: 0.1 * i,
        frozenReason: null,
        suppressed: i === 1 ? 'stale_book' : null,
        edgeBps: i === 0 ? null : 1.5,
        realizedPnl: 12345n * BigInt(i),
        unrealizedPnl: -123n,
        fees: 2n ** 70n,
        fundingAccum: -7n,
        fundingRate: '0.0001',
        predictedFundingRate: null,
        entryPrice: '65000',
        openOrders: 2,
        inFlight: 0,
        ambiguous: 0,
        grindingCount: 0,
        reduceOnlyForceCount: 0,
        venuePositionMismatchSteps: null,
      };
    });
    const { exporter, provider } = start();
    const metrics = new RunnerMetrics(
      provider.getMeter('mm-runner', '0.1.0'),
      {
        views: () => views,
        instrument: (symbol) => instruments.get(symbol),
        venueStatus: () => ({ restReachable: true, marketConnected: true, userConnected: false, listenKeyLive: true }),
        rateLimits: () => ({ usedWeight1m: 12, orderCount1m: 40 }),
        readiness: () => ({ exchange: true, risk: false, state: true }),
        droppedOutsideSdk: () => ({ event_log: 3 }),
        eventLogFaults: () => ({ write_failed: 0, rotation_failed: 2 }),
      },
      () => ({ spans: 1, logs: 2 }),
    );
    try {
      metrics.prime(symbols);
      const publish = metrics.listener();
      const ours = new PrometheusTextSerializer();
      const stock = new PrometheusSerializer();
      const first = await scrape(exporter, ours, stock);
      expect(first.actual).toBe(first.expected);

      for (const [k, symbol] of symbols.entries()) {
        const ref = { symbol, client_id: `c${k}` };
        publish(domainEvent('order_placed', { ...ref, order_id: String(k), side: 'BUY', price: '65000.1', qty: '0.005', latency_ms: 1 }));
        publish(
          domainEvent('order_submit_result', {
            ...ref,
            side: 'BUY',
            type: 'LIMIT',
            price: '65000.1',
            qty: '0.005',
            duration_ms: 0.3 + 40 * k,
            outcome: 'accepted',
            order_id: String(k),
            error: null,
            error_code: null,
          }),
        );
        publish(
          domainEvent('order_submit_result', {
            ...ref,
            side: 'SELL',
            type: 'LIMIT',
            price: null,
            qty: '0.005',
            duration_ms: 5000,
            outcome: 'ambiguous',
            order_id: null,
            error: 'timeout',
            error_code: null,
          }),
        );
        publish(
          domainEvent('order_filled', {
            ...ref,
            order_id: String(k),
            side: 'BUY',
            price: '65000.1',
            qty: '0.005',
            commission: '0.01',
            realized_pnl: '0',
            is_maker: k % 2 === 0,
            full: true,
            via: 'user_stream',
          }),
        );
        publish(domainEvent('order_rejected', { ...ref, side: 'BUY', reason: 'worst "case" limit\n', code: null, source: 'local', backoff_ms: 0 }));
      }
      publish(domainEvent('rate_limited', { status: 429, retry_after_ms: 1000, operation: 'newOrder' }));
      publish(domainEvent('malformed_message', { source: 'user-stream', error: 'bad json', sample: '{' }));
      publish(domainEvent('ws_connected', { stream: 'market', listenKey: null, url: 'ws://x' }));
      metrics.httpDuration.record(0.0003, {
        'http.request.method': 'POST',
        'server.address': '127.0.0.1',
        'server.port': 1,
        'mm.operation': 'newOrder',
        'http.response.status_code': 200,
      });
      const second = await scrape(exporter, ours, stock);
      expect(second.actual).toBe(second.expected);
      expect(second.actual).not.toBe(first.actual);
    } finally {
      metrics.close();
    }
  });
});
