import { trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { metricsRenderer } from '../../../src/telemetry/prometheus-render.ts';
import { RunnerMetrics } from '../../../src/telemetry/metrics.ts';
import { SystemClock } from '../../../src/runner/clocks.ts';
import { startTelemetry } from '../../../src/telemetry/sdk.ts';
import { createTextMasker } from '../../../src/telemetry/masking.ts';
import { OtlpReceiver } from '../../support/otlp-receiver.ts';

const receiver = new OtlpReceiver();
afterAll(async () => {
  await receiver.stop();
});

function sample(text: string, line: RegExp): number {
  const match = line.exec(text);
  return match === null ? Number.NaN : Number(match[1]);
}

describe('telemetry drops', () => {
  it('counts, from the batch processor itself, spans dropped on a full queue and exports that fail; shuts down within the bound', async () => {
    receiver.mode = 'hang';
    const url = await receiver.start();
    const telemetry = startTelemetry({
      serviceVersion: 't',
      environment: 't',
      otelEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: url },
      flushTimeoutMs: 500,
      clock: new SystemClock(),
    });
    const source = {
      views: () => [],
      instrument: () => undefined,
      venueStatus: () => null,
      rateLimits: () => ({}),
      readiness: () => ({ exchange: true, risk: true, state: true }),
      droppedOutsideSdk: () => ({ event_log: 0 }),
      eventLogFaults: () => ({}),
    };
    const metrics = new RunnerMetrics(telemetry.meter, source, () => telemetry.dropped());
    const tracer = trace.getTracer('drops');
    for (let i = 0; i < 6000; i++) tracer.startSpan(`s${i}`).end();
    const dropped = await telemetry.dropped();
    expect(dropped.spans).toBeGreaterThan(0);
    expect(dropped.logs).toBe(0);
    const text = await metricsRenderer(telemetry.prometheus, createTextMasker([]))();
    expect(text).toMatch(/otel_sdk_processor_span_processed_total\{[^}]*error_type="queue_full"[^}]*\} [1-9]/);
    expect(sample(text, /^mm_telemetry_dropped_total\{signal="spans"[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(dropped.spans);
    expect(sample(text, /^mm_telemetry_dropped_total\{signal="logs"[^}]*\} (\d+)/m)).toBe(0);
    metrics.close();
    const started = performance.now();
    await telemetry.shutdown();
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
