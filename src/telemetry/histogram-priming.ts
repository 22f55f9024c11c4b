/**
 * Histogram series present before their first measurement. A counter is primed by adding 0; a
 * histogram cannot be (a recorded 0 is an observation), so the SDK exports nothing for it until
 * the first order and `mm_order_latency_ms_bucket` is absent from /metrics: specification 002's
 * `grep latency_ms_bucket` and the dashboards show nothing for a shadow run. This adds, to a
 * collection, the series of each primed attribute set that has no data point yet, with every
 * bucket, the sum and the count at 0: exactly what the histogram holds, nothing invented.
 */
import type { Attributes } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type HistogramMetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { ValueType } from '@opentelemetry/api';

export interface PrimedHistogram {
  /** The instrument's name, as created on the meter. */
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly boundaries: readonly number[];
  /** The attribute sets whose series exist from the start. */
  readonly attributeSets: readonly Attributes[];
}

/** Returns a key for an attribute set, independent of key order. */
function keyOf(attributes: Attributes): string {
  return JSON.stringify(
    Object.keys(attributes)
      .sort()
      .map((k) => [k, attributes[k]]),
  );
}

/**
 * Adds the missing primed series to `collected` (in place), in the scope named `scopeName`; the
 * empty points are stamped with the collection's time span.
 */
export function addPrimedHistograms(collected: ResourceMetrics, scopeName: string, primed: readonly PrimedHistogram[]): void {
  const scope = collected.scopeMetrics.find((s) => s.scope.name === scopeName);
  if (scope === undefined) return;
  const anyPoint = scope.metrics.find((m) => m.dataPoints.length > 0)?.dataPoints[0];
  if (anyPoint === undefined) return;
  for (const histogram of primed) {
    let metric = scope.metrics.find((m): m is HistogramMetricData => m.descriptor.name === histogram.name && m.dataPointType === DataPointType.HISTOGRAM);
    if (metric === undefined) {
      metric = {
        descriptor: { name: histogram.name, description: histogram.description, unit: histogram.unit, valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: [],
      };
      scope.metrics.push(metric);
    }
    const present = new Set(metric.dataPoints.map((p) => keyOf(p.attributes)));
    for (const attributes of histogram.attributeSets) {
      if (present.has(keyOf(attributes))) continue;
      metric.dataPoints.push({
        startTime: anyPoint.startTime,
        endTime: anyPoint.endTime,
        attributes,
        value: { buckets: { boundaries: [...histogram.boundaries], counts: new Array<number>(histogram.boundaries.length + 1).fill(0) }, sum: 0, count: 0 },
      });
    }
  }
}
