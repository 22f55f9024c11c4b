/**
 * The SDK's own account of what it drops, read through its public self-observability: each batch
 * processor records `otel.sdk.processor.{span,log}.processed` on the MeterProvider it is given,
 * with `error.type` set for the items it did not deliver (`queue_full` when its queue was full,
 * the error's name when the exporter failed). They record on a MeterProvider of their own, so
 * that counting drops collects only these few series; its reader also serves them on /metrics
 * (as `otel_sdk_processor_*`, a metric producer of the Prometheus exporter).
 */
import type { Resource } from '@opentelemetry/resources';
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { ATTR, SDK_METRICS } from './names.ts';

/** Spans and log records the SDK did not deliver. */
export interface SdkDrops {
  readonly spans: number;
  readonly logs: number;
}

/** A reader that only answers collect(): its data is read on demand, never pushed anywhere. */
class OnDemandReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

export class SelfObservation {
  /** Give this to the batch processors (`selfObsMeterProvider`). */
  readonly meterProvider: MeterProvider;
  /** Serves the processors' metrics (a MetricProducer). */
  readonly reader: MetricReader = new OnDemandReader();

  constructor(resource: Resource) {
    this.meterProvider = new MeterProvider({ resource, readers: [this.reader] });
  }

  /** Returns the items the processors reported as not delivered, by signal. */
  async dropped(): Promise<SdkDrops> {
    const drops = { spans: 0, logs: 0 };
    const { resourceMetrics } = await this.reader.collect();
    for (const { metrics } of resourceMetrics.scopeMetrics) {
      for (const metric of metrics) {
        const name = metric.descriptor.name;
        const signal = name === SDK_METRICS.spanProcessed ? 'spans' : name === SDK_METRICS.logProcessed ? 'logs' : null;
        if (signal === null || metric.dataPointType !== DataPointType.SUM) continue;
        for (const point of metric.dataPoints) if (point.attributes[ATTR.errorType] !== undefined) drops[signal] += point.value;
      }
    }
    return drops;
  }
}
