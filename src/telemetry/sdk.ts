/**
 * The one place the OpenTelemetry SDK is set up: resource, tracer/logger/meter providers,
 * the Prometheus reader (served by our ops server, not its own), OTLP/HTTP exporters for traces
 * and logs when an endpoint is configured, and a bounded shutdown. Nothing from the command line
 * goes into the resource (it would land in target_info and in Loki).
 */
import { randomUUID } from 'node:crypto';
import { context, logs, metrics, trace, type Counter, type Meter, type MeterProvider as ApiMeterProvider, type MetricOptions } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter, type ReadableLogRecord, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, type ReadableSpan, SimpleSpanProcessor, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import type { DecisionTracing } from '../runner/decision-tracing.ts';
import { drainDeferred } from './after-wire.ts';
import { deferredDecisionSpans, PresetIdGenerator } from './deferred-spans.ts';
import { maskAttributes, maskingLogExporter, maskingSpanExporter } from './masking-exporters.ts';
import { createTextMasker, type TextMasker } from './masking.ts';
import { INSTRUMENTATION_SCOPE, SERVICE_NAME } from './names.ts';
import { createOtlpLogExporter, createOtlpTraceExporter } from './otlp-exporters.ts';

export interface TelemetryOptions {
  readonly serviceVersion: string;
  readonly environment: string;
  /** OTEL_* variables (the SDK's own configuration); only these are read. */
  readonly otelEnv: Readonly<Record<string, string | undefined>>;
  /** Upper bound for flushing on shutdown. */
  readonly flushTimeoutMs: number;
  /**
   * Masks secrets in every span, log record and resource attribute exported (default: a masker
   * told no secret, which still masks signatures, Binance-shaped tokens and URL credentials).
   */
  readonly mask?: TextMasker;
  /** Test hooks: exporters used instead of OTLP (exported synchronously, no batching). */
  readonly spanExporter?: SpanExporter;
  readonly logExporter?: LogRecordExporter;
}

export interface Telemetry {
  readonly meter: Meter;
  readonly prometheus: PrometheusExporter;
  readonly tracesEnabled: boolean;
  readonly logsEnabled: boolean;
  /** Decision spans built off the order's path (only their ids when traces are off). */
  readonly decisions: DecisionTracing;
  /** Items that could not be exported, by signal (spans, logs). */
  readonly dropped: { spans: number; logs: number };
  /** Exports what is buffered, bounded by flushTimeoutMs; never rejects. */
  flush(): Promise<void>;
  /** Flushes and shuts down every provider, bounded by flushTimeoutMs; never rejects. */
  shutdown(): Promise<void>;
}

export type { LogRecordExporter } from '@opentelemetry/sdk-logs';
export type { SpanExporter } from '@opentelemetry/sdk-trace';

/** Returns the process's OTEL_* variables: the only environment the telemetry reads. */
export function otelEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) if (key.startsWith('OTEL_')) out[key] = value;
  return out;
}

/** Returns the OTLP endpoint for a signal when one is configured and the signal is not "none". */
export function otlpEndpointFor(signal: 'traces' | 'logs', env: Readonly<Record<string, string | undefined>>): string | null {
  const exporterVar = signal === 'traces' ? 'OTEL_TRACES_EXPORTER' : 'OTEL_LOGS_EXPORTER';
  if ((env[exporterVar] ?? '').trim() === 'none' || (env.OTEL_SDK_DISABLED ?? '').trim() === 'true') return null;
  const specific = env[`OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_ENDPOINT`]?.trim();
  if (specific) return specific;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!base) return null;
  return `${base.replace(/\/+$/, '')}/v1/${signal}`;
}

/** Wraps an exporter so items it fails to deliver are counted rather than lost silently. */
function countingSpanExporter(inner: SpanExporter, dropped: { spans: number }): SpanExporter {
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      inner.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) dropped.spans += spans.length;
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

function countingLogExporter(inner: LogRecordExporter, dropped: { logs: number }): LogRecordExporter {
  return {
    export(records: ReadableLogRecord[], done: (result: ExportResult) => void) {
      inner.export(records, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) dropped.logs += records.length;
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

/**
 * Returns a MeterProvider for the SDK's own processor metrics that also counts the items the
 * batch processors drop because their queue is full (`error.type=queue_full`), which no exporter
 * ever sees. The SDK's metrics still reach /metrics as `otel_sdk_processor_*`.
 */
function dropCountingMeterProvider(inner: MeterProvider, dropped: { spans: number; logs: number }): ApiMeterProvider {
  return {
    getMeter(name, version, meterOptions) {
      const meter = inner.getMeter(name, version, meterOptions);
      return new Proxy(meter, {
        get(target, property, receiver) {
          if (property !== 'createCounter') return Reflect.get(target, property, receiver) as unknown;
          return (counterName: string, counterOptions?: MetricOptions): Counter => {
            const counter = target.createCounter(counterName, counterOptions);
            const signal = counterName.includes('.span.') ? 'spans' : counterName.includes('.log.') ? 'logs' : null;
            if (signal === null) return counter;
            return {
              add(value, attributes, ctx) {
                if (attributes?.['error.type'] === 'queue_full') dropped[signal] += value;
                counter.add(value, attributes, ctx);
              },
            };
          };
        },
      });
    },
  };
}

/**
 * What the telemetry may hold while the collector is down or black-holing: each batch processor
 * keeps at most maxQueueSize items, and each exporter at most EXPORT_CONCURRENCY batches in
 * flight (the SDK's default is 30, each held until its timeout, which let the heap grow by half
 * under a black hole). A flush exports the whole queue at once, so the limit leaves room for a
 * full queue plus the batch already on its way. Past these bounds items are dropped and counted
 * in mm_telemetry_dropped.
 */
const BATCH_LIMITS = { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 1000 } as const;
const EXPORT_CONCURRENCY = BATCH_LIMITS.maxQueueSize / BATCH_LIMITS.maxExportBatchSize + 1;

/** Sets up the SDK and registers it globally; returns handles for metrics and shutdown. */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const mask = options.mask ?? createTextMasker([]);
  const resource = defaultResource().merge(
    resourceFromAttributes(
      maskAttributes(
        {
          'service.name': SERVICE_NAME,
          'service.version': options.serviceVersion,
          'service.instance.id': randomUUID(),
          'deployment.environment.name': options.environment,
          'process.runtime.name': 'nodejs',
          'process.runtime.version': process.versions.node,
        },
        mask,
      ),
    ),
  );
  const dropped = { spans: 0, logs: 0 };
  const exportTimeoutMillis = Math.max(500, options.flushTimeoutMs);

  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ resource, readers: [prometheus] });

  const selfObsMeterProvider = dropCountingMeterProvider(meterProvider, dropped);
  const tracesUrl = otlpEndpointFor('traces', options.otelEnv);
  const spanProcessors = options.spanExporter
    ? [new SimpleSpanProcessor({ exporter: maskingSpanExporter(countingSpanExporter(options.spanExporter, dropped), mask) })]
    : tracesUrl
      ? [
          new BatchSpanProcessor({
            exporter: maskingSpanExporter(
              countingSpanExporter(
                createOtlpTraceExporter({ url: tracesUrl, timeoutMillis: exportTimeoutMillis, concurrencyLimit: EXPORT_CONCURRENCY }),
                dropped,
              ),
              mask,
            ),
            ...BATCH_LIMITS,
            selfObsMeterProvider,
          }),
        ]
      : [];
  const ids = new PresetIdGenerator();
  const tracerProvider = new TracerProvider({ resource, spanProcessors, idGenerator: ids });

  const logsUrl = otlpEndpointFor('logs', options.otelEnv);
  const logProcessors = options.logExporter
    ? [new SimpleLogRecordProcessor({ exporter: maskingLogExporter(countingLogExporter(options.logExporter, dropped), mask) })]
    : logsUrl
      ? [
          new BatchLogRecordProcessor({
            exporter: maskingLogExporter(
              countingLogExporter(createOtlpLogExporter({ url: logsUrl, timeoutMillis: exportTimeoutMillis, concurrencyLimit: EXPORT_CONCURRENCY }), dropped),
              mask,
            ),
            ...BATCH_LIMITS,
            selfObsMeterProvider,
          }),
        ]
      : [];
  const loggerProvider = new LoggerProvider({ resource, processors: logProcessors });

  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(tracerProvider);
  logs.setGlobalLoggerProvider(loggerProvider);
  metrics.setGlobalMeterProvider(meterProvider);

  const flush = () => {
    drainDeferred();
    return flushProviders();
  };
  const flushProviders = () =>
    bounded(
      Promise.allSettled([
        tracerProvider.forceFlush({ timeoutMillis: options.flushTimeoutMs }),
        loggerProvider.forceFlush({ timeoutMillis: options.flushTimeoutMs }),
      ]),
      options.flushTimeoutMs,
    );
  let shutdownPromise: Promise<void> | null = null;
  return {
    meter: meterProvider.getMeter(INSTRUMENTATION_SCOPE, options.serviceVersion),
    prometheus,
    tracesEnabled: spanProcessors.length > 0,
    decisions: deferredDecisionSpans(ids, spanProcessors.length > 0 ? tracerProvider.getTracer(INSTRUMENTATION_SCOPE) : null),
    logsEnabled: logProcessors.length > 0,
    dropped,
    flush,
    shutdown() {
      shutdownPromise ??= bounded(
        (async () => {
          await flush();
          await Promise.allSettled([tracerProvider.shutdown(), loggerProvider.shutdown(), meterProvider.shutdown()]);
        })(),
        options.flushTimeoutMs,
      ).then(() => {
        trace.disable();
        logs.disable();
        metrics.disable();
        context.disable();
      });
      return shutdownPromise;
    },
  };
}
