/**
 * The /metrics body: one collection of the app's PrometheusExporter (our instruments and the
 * SDK's own), serialized by the exporter's own `PrometheusSerializer` with the exporter's
 * defaults, after every label value (data points and target_info) went through the masker.
 * What `getMetricsRequestHandler` writes, masked; served by our ops server.
 */
import { diag } from '@opentelemetry/api';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { MetricData, MetricReader, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { maskAttributes } from './masking-exporters.ts';
import type { TextMasker } from './masking.ts';

/** Returns the metric with its data points' attributes masked; the metric itself when nothing needed masking. */
function maskMetric(metric: MetricData, mask: TextMasker): MetricData {
  let points: Array<MetricData['dataPoints'][number]> | null = null;
  metric.dataPoints.forEach((point, i) => {
    const attributes = maskAttributes(point.attributes, mask);
    if (attributes !== point.attributes) (points ??= [...metric.dataPoints])[i] = { ...point, attributes };
  });
  return points === null ? metric : ({ ...metric, dataPoints: points } as unknown as MetricData);
}

/** Returns the collection with every label value masked; the same object when nothing needed masking. */
export function maskResourceMetrics(collected: ResourceMetrics, mask: TextMasker): ResourceMetrics {
  let changed = false;
  const scopeMetrics = collected.scopeMetrics.map((scope) => {
    const metrics = scope.metrics.map((metric) => maskMetric(metric, mask));
    if (metrics.every((metric, i) => metric === scope.metrics[i])) return scope;
    changed = true;
    return { ...scope, metrics };
  });
  const attributes = maskAttributes(collected.resource.attributes, mask);
  if (attributes === collected.resource.attributes && !changed) return collected;
  const resource = attributes === collected.resource.attributes ? collected.resource : resourceFromAttributes(attributes);
  return { resource, scopeMetrics };
}

/**
 * Returns the renderer of /metrics for `reader`: it collects, logs partial collection errors
 * through diag, masks label values and serializes. A collection that fails outright rejects, so
 * the ops server answers 500 and Prometheus records the target as down instead of a successful
 * scrape with no samples.
 */
export function metricsRenderer(reader: MetricReader, mask: TextMasker): () => Promise<string> {
  const serializer = new PrometheusSerializer();
  return async () => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) diag.error('PrometheusExporter: metrics collection errors', ...errors);
    return serializer.serialize(maskResourceMetrics(resourceMetrics, mask));
  };
}
