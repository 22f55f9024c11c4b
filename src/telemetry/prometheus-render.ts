/**
 * The /metrics body: one collection of the app's PrometheusExporter (our instruments and the
 * SDK's own), serialized by the exporter's own `PrometheusSerializer` with the exporter's
 * settings, then passed through the masker like every other sink (label values, target_info
 * included). What `getMetricsRequestHandler` writes, masked; served by our ops server.
 *
 * Without the exporter's `otel_scope_name`/`otel_scope_version` labels (`withoutScopeInfo`): one
 * scope, whose version would split every series at an upgrade, and two labels fewer to escape
 * on every line, which is most of what the exporter's serializer costs.
 */
import { diag } from '@opentelemetry/api';
import { PrometheusSerializer, type ExporterConfig } from '@opentelemetry/exporter-prometheus';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { addPrimedHistograms, type PrimedHistogram } from './histogram-priming.ts';
import type { TextMasker } from './masking.ts';
import { INSTRUMENTATION_SCOPE } from './names.ts';

/** How the app's PrometheusExporter is configured (served by our ops server, so its own server never starts). */
export const PROMETHEUS_EXPORTER_CONFIG = { preventServerStart: true, withoutScopeInfo: true } as const satisfies ExporterConfig;

/**
 * Returns the renderer of /metrics for `reader`: it collects, logs partial collection errors
 * through diag, adds the `primed` histograms' empty series, serializes and masks. A collection that fails outright rejects, so the ops
 * server answers 500 and Prometheus records the target as down instead of a successful scrape
 * with no samples.
 */
export function metricsRenderer(reader: MetricReader, mask: TextMasker, primed: readonly PrimedHistogram[] = []): () => Promise<string> {
  const serializer = new PrometheusSerializer(undefined, false, undefined, false, PROMETHEUS_EXPORTER_CONFIG.withoutScopeInfo);
  return async () => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) diag.error('PrometheusExporter: metrics collection errors', ...errors);
    addPrimedHistograms(resourceMetrics, INSTRUMENTATION_SCOPE, primed);
    // The masker never writes a quote, a backslash or a newline: the exposition stays valid.
    return mask(serializer.serialize(resourceMetrics));
  };
}
