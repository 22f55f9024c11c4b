/** The real telemetry SDK for one test file: spans exported synchronously to an in-memory exporter. */
import type { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll } from 'vitest';
import { SystemClock } from '../../src/runner/clocks.ts';
import { startTelemetry, type Telemetry } from '../../src/telemetry/sdk.ts';

/** Starts the telemetry before the file's tests and shuts it down after them; returns its getter. */
export function useTelemetry(spans: InMemorySpanExporter): () => Telemetry {
  let telemetry: Telemetry | null = null;
  beforeAll(() => {
    telemetry = startTelemetry({
      serviceVersion: 'test',
      environment: 'test',
      otelEnv: {},
      flushTimeoutMs: 500,
      clock: new SystemClock(),
      spanExporter: spans,
    });
  });
  afterAll(async () => {
    await telemetry?.shutdown();
  });
  return () => {
    if (telemetry === null) throw new Error('the telemetry starts in beforeAll');
    return telemetry;
  };
}
