import { trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { startTelemetry } from '../../../src/telemetry/sdk.ts';
import { OtlpReceiver } from '../../support/otlp-receiver.ts';

const receiver = new OtlpReceiver();
afterAll(async () => {
  await receiver.stop();
});

describe('telemetry drops', () => {
  it('counts spans the batch processor drops because its queue is full, and shuts down within the bound', async () => {
    receiver.mode = 'hang';
    const url = await receiver.start();
    const telemetry = startTelemetry({ serviceVersion: 't', environment: 't', otelEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: url }, flushTimeoutMs: 500 });
    const tracer = trace.getTracer('drops');
    for (let i = 0; i < 6000; i++) tracer.startSpan(`s${i}`).end();
    expect(telemetry.dropped.spans).toBeGreaterThan(0);
    const body = await new Promise<string>((resolve) => {
      const res = { writeHead: () => res, setHeader: () => undefined, end: (text: string) => resolve(text), statusCode: 200 };
      telemetry.prometheus.getMetricsRequestHandler({} as never, res as never);
    });
    expect(body).toMatch(/otel_sdk_processor_span_processed_total\{[^}]*error_type="queue_full"[^}]*\} [1-9]/);
    const started = performance.now();
    await telemetry.shutdown();
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
