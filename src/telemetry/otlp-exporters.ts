/**
 * OTLP/HTTP JSON exporters for spans and log records, built exactly like the stock
 * `OTLPTraceExporter` / `OTLPLogExporter` (0.301: same transport, retries, timeout, concurrency
 * limit and self-observability metrics) but with the direct-writing serializers of otlp-json.ts.
 */
import type { MeterProvider } from '@opentelemetry/api';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate, type OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base/node-http';
import { LogsExporterMetricsHelper, TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { fastJsonLogsSerializer, fastJsonTraceSerializer } from './otlp-json.ts';

// The `otel.component.type` values the stock exporters report (semconv incubating, copied there too).
const COMPONENT_TYPE_OTLP_HTTP_SPAN_EXPORTER = 'otlp_http_span_exporter';
const COMPONENT_TYPE_OTLP_HTTP_LOG_EXPORTER = 'otlp_http_log_exporter';

const JSON_CONTENT_TYPE = { 'Content-Type': 'application/json' };

export interface OtlpHttpExporterConfig {
  /** The full endpoint URL, used as is (`…/v1/traces`, `…/v1/logs`). */
  readonly url: string;
  /** Upper bound for one export, retries included. */
  readonly timeoutMillis: number;
  /** Exports in flight at once before further ones fail fast (stock default 30). */
  readonly concurrencyLimit?: number | undefined;
  /** Receives the exporter's own metrics (`otel.sdk.exporter.*`). */
  readonly selfObsMeterProvider?: MeterProvider | undefined;
}

function nodeConfig(config: OtlpHttpExporterConfig): OTLPExporterNodeConfigBase {
  const out: OTLPExporterNodeConfigBase = { url: config.url, timeoutMillis: config.timeoutMillis };
  if (config.concurrencyLimit !== undefined) out.concurrencyLimit = config.concurrencyLimit;
  if (config.selfObsMeterProvider !== undefined) out.selfObsMeterProvider = config.selfObsMeterProvider;
  return out;
}

/** Returns an OTLP/HTTP JSON span exporter (a SpanExporter) that serializes with otlp-json.ts. */
export function createOtlpTraceExporter(config: OtlpHttpExporterConfig): OTLPExporterBase<ReadableSpan[]> {
  const options = convertLegacyHttpOptions(nodeConfig(config), 'TRACES', 'v1/traces', JSON_CONTENT_TYPE);
  return new OTLPExporterBase(
    createOtlpHttpExportDelegate(
      options,
      fastJsonTraceSerializer,
      COMPONENT_TYPE_OTLP_HTTP_SPAN_EXPORTER,
      TraceExporterMetricsHelper,
      config.selfObsMeterProvider,
    ),
  );
}

/** Returns an OTLP/HTTP JSON log record exporter (a LogRecordExporter) that serializes with otlp-json.ts. */
export function createOtlpLogExporter(config: OtlpHttpExporterConfig): OTLPExporterBase<ReadableLogRecord[]> {
  const options = convertLegacyHttpOptions(nodeConfig(config), 'LOGS', 'v1/logs', JSON_CONTENT_TYPE);
  return new OTLPExporterBase(
    createOtlpHttpExportDelegate(
      options,
      fastJsonLogsSerializer,
      COMPONENT_TYPE_OTLP_HTTP_LOG_EXPORTER,
      LogsExporterMetricsHelper,
      config.selfObsMeterProvider,
    ),
  );
}
