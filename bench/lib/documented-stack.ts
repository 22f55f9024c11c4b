/**
 * The "documented setup" variant (issue 13, scope 8): the order path instrumented the way
 * OpenTelemetry's documentation suggests, by a TypeScript team without our telemetry. NodeSDK
 * with @opentelemetry/instrumentation-undici (a CLIENT span and http.client.request.duration per
 * request; the order's attributes added by its documented hooks) and
 * @opentelemetry/instrumentation-pino (every pino line also sent as an OpenTelemetry log record
 * in the active span's context), the stock batch processors and OTLP/HTTP exporters, the
 * Prometheus exporter, and pino (its default asynchronous destination) for the JSON event log
 * and the console. The same signals as ours: the decision span (the runner's, through the
 * global tracer), a CLIENT span per REST call, a log record per event, the event log and console
 * lines, the runner's metrics. Not done here, as a team would not without our code: masking,
 * and writing an order's intent line to disk before its request.
 */
import { createRequire } from 'node:module';
import { metrics } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation, type UndiciRequest } from '@opentelemetry/instrumentation-undici';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import type pinoModule from 'pino';
import { eventSeverity, EventBus, type DomainEvent } from '../../src/core/events.ts';
import { SystemClock } from '../../src/runner/clocks.ts';
import { RunnerMetrics, type MetricsSource } from '../../src/telemetry/metrics.ts';

export interface DocumentedStack {
  readonly bus: EventBus;
  readonly metrics: RunnerMetrics;
  readonly prometheus: PrometheusExporter;
  flush(): Promise<void>;
  close(): Promise<void>;
}

const CLIENT_ID = /(?:newClientOrderId|origClientOrderId)=([^&]+)/;
const SYMBOL = /[?&]symbol=([^&]+)/;
const SIDE = /[?&]side=([^&]+)/;

/** The order's identity from the request's query string (undici's startSpanHook). */
function orderAttributes(request: UndiciRequest): Record<string, string> {
  const id = CLIENT_ID.exec(request.path)?.[1];
  if (id === undefined) return { 'peer.service': 'exchange-sim' };
  return {
    'peer.service': 'exchange-sim',
    'mm.order.client_id': decodeURIComponent(id),
    'mm.symbol': SYMBOL.exec(request.path)?.[1] ?? '',
    'mm.order.side': SIDE.exec(request.path)?.[1] ?? '',
  };
}

/** Returns a header's value from undici's raw response headers. */
function header(raw: Buffer[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) if (raw[i]?.toString().toLowerCase() === name) return raw[i + 1]?.toString();
  return undefined;
}

/** Starts the SDK and builds the listeners; `source` feeds the runner's gauges. */
export function documentedStack(options: { otlpUrl: string; eventLogPath: string; symbols: readonly string[]; source: MetricsSource }): DocumentedStack {
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const spans = new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${options.otlpUrl}/v1/traces` }) });
  const records = new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${options.otlpUrl}/v1/logs` }) });
  const sdk = new NodeSDK({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': 'mm-runner', 'deployment.environment.name': 'bench' })),
    spanProcessors: [spans],
    logRecordProcessors: [records],
    metricReaders: [prometheus],
    instrumentations: [
      new UndiciInstrumentation({
        startSpanHook: orderAttributes,
        responseHook(span, { response }) {
          span.setAttribute('mm.order.outcome', response.statusCode < 300 ? 'accepted' : response.statusCode >= 500 ? 'ambiguous' : 'rejected');
          const weight = header(response.headers, 'x-mbx-used-weight-1m');
          if (weight !== undefined) span.setAttribute('binance.rate_limit.used_weight_1m', Number(weight));
        },
      }),
      new PinoInstrumentation(),
    ],
  });
  sdk.start();
  // pino is loaded through require after the SDK started, so that its instrumentation hooks it.
  const pino = createRequire(import.meta.url)('pino') as typeof pinoModule;
  const eventLog = pino.destination(options.eventLogPath);
  const console = pino.destination('/dev/null');
  const logger = pino.pino(
    { base: null, timestamp: pino.stdTimeFunctions.isoTime, level: 'debug' },
    pino.multistream([
      { stream: eventLog, level: 'debug' },
      { stream: console, level: 'info' },
    ]),
  );
  const runnerMetrics = new RunnerMetrics(metrics.getMeter('mm-runner'), options.source, () => Promise.resolve({ spans: 0, logs: 0 }));
  runnerMetrics.prime(options.symbols);
  const bus = new EventBus(new SystemClock());
  const pinoLevel = { debug: 'debug', info: 'info', warn: 'warn', error: 'error', critical: 'fatal' } as const;
  bus.subscribe((event: DomainEvent) => logger[pinoLevel[eventSeverity(event)]]({ event: event.event, ...event.fields }));
  bus.subscribe(runnerMetrics.listener());
  return {
    bus,
    metrics: runnerMetrics,
    prometheus,
    async flush() {
      eventLog.flushSync();
      console.flushSync();
      await Promise.all([spans.forceFlush(), records.forceFlush()]);
    },
    async close() {
      runnerMetrics.close();
      eventLog.flushSync();
      await sdk.shutdown().catch(() => undefined);
    },
  };
}
