/**
 * The one place the OpenTelemetry SDK is set up, on its stock parts: resource, tracer/logger/
 * meter providers, batch processors, the OTLP/HTTP exporters for traces and logs when an
 * endpoint is configured, the Prometheus reader (served by our ops server, not its own), and a
 * bounded shutdown. Nothing from the command line goes into the resource (it would land in
 * target_info and in Loki).
 */
import { randomUUID } from 'node:crypto';
import { context, logs, metrics, trace, type Meter } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, resourceAttributesEnvDetector, resourceFromAttributes, serviceNameEnvDetector } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Clock } from '../core/clock.ts';
import type { AfterWire } from './after-wire.ts';
import { maskAttributes, maskingLogExporter, maskingSpanExporter } from './masking-exporters.ts';
import { createTextMasker, type TextMasker } from './masking.ts';
import { ATTR, INSTRUMENTATION_SCOPE, SERVICE_NAME } from './names.ts';
import { PROMETHEUS_EXPORTER_CONFIG } from './prometheus-render.ts';
import { SelfObservation, type SdkDrops } from './self-observation.ts';

export interface TelemetryOptions {
  readonly serviceVersion: string;
  readonly environment: string;
  /** OTEL_* variables (the SDK's own configuration); only these are read. */
  readonly otelEnv: Readonly<Record<string, string | undefined>>;
  /** Upper bound for flushing on shutdown. */
  readonly flushTimeoutMs: number;
  /** Times that bound. */
  readonly clock: Clock;
  /**
   * Masks secrets in every span, log record and resource attribute exported (default: a masker
   * told no secret, which still masks signatures, Binance-shaped tokens and URL credentials).
   */
  readonly mask?: TextMasker;
  /** The listeners' deferral, drained before every flush. */
  readonly afterWire?: AfterWire;
  /** Test hooks: exporters used instead of OTLP (exported synchronously, no batching). */
  readonly spanExporter?: SpanExporter;
  readonly logExporter?: LogRecordExporter;
}

export interface Telemetry {
  readonly meter: Meter;
  readonly prometheus: PrometheusExporter;
  readonly tracesEnabled: boolean;
  readonly logsEnabled: boolean;
  /** Returns the spans and log records dropped so far (failed exports, full batch queues), as the processors count them. */
  dropped(): Promise<SdkDrops>;
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

function bounded(clock: Clock, work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = clock.setTimer(resolve, ms, { background: true });
    const done = () => {
      timer.cancel();
      resolve();
    };
    work.then(done, done);
  });
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
  const ownResource = defaultResource().merge(
    resourceFromAttributes(
      maskAttributes(
        {
          [ATTR_SERVICE_NAME]: SERVICE_NAME,
          [ATTR_SERVICE_VERSION]: options.serviceVersion,
          [ATTR.serviceInstanceId]: randomUUID(),
          [ATTR.deploymentEnvironmentName]: options.environment,
          [ATTR.processRuntimeName]: 'nodejs',
          [ATTR.processRuntimeVersion]: process.versions.node,
        },
        mask,
      ),
    ),
  );
  // OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME, read by the SDK's own detectors, win over the
  // above: that is how a desk names each runner (service.instance.id) in compose and Kubernetes.
  const fromEnvironment = detectResources({ detectors: [resourceAttributesEnvDetector, serviceNameEnvDetector] });
  const resource = ownResource.merge(resourceFromAttributes(maskAttributes(fromEnvironment.attributes, mask)));
  const exportOptions = { timeoutMillis: Math.max(500, options.flushTimeoutMs), concurrencyLimit: EXPORT_CONCURRENCY };
  const selfObservation = new SelfObservation(resource);
  const selfObsMeterProvider = selfObservation.meterProvider;
  // The batch processors' own metrics (otel_sdk_processor_*) are served on /metrics too.
  const prometheus = new PrometheusExporter({ ...PROMETHEUS_EXPORTER_CONFIG, metricProducers: [selfObservation.reader] });
  const meterProvider = new MeterProvider({ resource, readers: [prometheus] });

  const tracesUrl = otlpEndpointFor('traces', options.otelEnv);
  const spanProcessors = options.spanExporter
    ? [new SimpleSpanProcessor({ exporter: maskingSpanExporter(options.spanExporter, mask), selfObsMeterProvider })]
    : tracesUrl
      ? [
          new BatchSpanProcessor({
            exporter: maskingSpanExporter(new OTLPTraceExporter({ url: tracesUrl, ...exportOptions }), mask),
            ...BATCH_LIMITS,
            selfObsMeterProvider,
          }),
        ]
      : [];
  const tracerProvider = new TracerProvider({ resource, spanProcessors });

  const logsUrl = otlpEndpointFor('logs', options.otelEnv);
  const logProcessors = options.logExporter
    ? [new SimpleLogRecordProcessor({ exporter: maskingLogExporter(options.logExporter, mask), selfObsMeterProvider })]
    : logsUrl
      ? [
          new BatchLogRecordProcessor({
            exporter: maskingLogExporter(new OTLPLogExporter({ url: logsUrl, ...exportOptions }), mask),
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
    options.afterWire?.drain();
    return bounded(
      options.clock,
      Promise.allSettled([
        tracerProvider.forceFlush({ timeoutMillis: options.flushTimeoutMs }),
        loggerProvider.forceFlush({ timeoutMillis: options.flushTimeoutMs }),
      ]),
      options.flushTimeoutMs,
    );
  };
  let shutdownPromise: Promise<void> | null = null;
  return {
    meter: meterProvider.getMeter(INSTRUMENTATION_SCOPE, options.serviceVersion),
    prometheus,
    tracesEnabled: spanProcessors.length > 0,
    logsEnabled: logProcessors.length > 0,
    dropped: () => selfObservation.dropped(),
    flush,
    shutdown() {
      shutdownPromise ??= bounded(
        options.clock,
        (async () => {
          await flush();
          await Promise.allSettled([tracerProvider.shutdown(), loggerProvider.shutdown(), meterProvider.shutdown(), selfObservation.meterProvider.shutdown()]);
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
