/**
 * The telemetry stack exactly as src/app.ts composes it (SDK with OTLP exporters, event log,
 * stdout logger, RunnerMetrics, OTel log bridge, the REST tracing decorator), for scenarios
 * that drive the order path without a whole runner. Keep in step with src/app.ts.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { EventBus } from '../../src/core/events.ts';
import type { Instrument } from '../../src/core/instrument.ts';
import type { MarketMakerView } from '../../src/core/market-maker.ts';
import type { RestTransport } from '../../src/exchange/rest-transport.ts';
import { SystemClock, UtcNanosFormatter } from '../../src/runner/clocks.ts';
import { AfterWire } from '../../src/telemetry/after-wire.ts';
import { EventLog } from '../../src/telemetry/event-log.ts';
import { ListenerErrors } from '../../src/telemetry/listener-errors.ts';
import { RunnerMetrics } from '../../src/telemetry/metrics.ts';
import { OrderContexts } from '../../src/telemetry/order-contexts.ts';
import { OtelEventBridge } from '../../src/telemetry/otel-events.ts';
import { tracingTransport } from '../../src/telemetry/rest-tracing.ts';
import { startTelemetry, type Telemetry } from '../../src/telemetry/sdk.ts';
import { StdoutLogger } from '../../src/telemetry/stdout-logger.ts';

const SECRETS = ['benchApiKey0123456789', 'benchSecret0123456789'];

/** A synchronous sink to /dev/null: the stdout logger pays a real write syscall per batch. */
export function devNull(): { write(chunk: string): boolean; close(): void } {
  const fd = openSync('/dev/null', 'w');
  return {
    write(chunk: string) {
      writeSync(fd, chunk);
      return true;
    },
    close: () => closeSync(fd),
  };
}

/** A Writable to /dev/null with synchronous writes (for startApp's `stdout`). */
export function devNullWritable(): Writable {
  const sink = devNull();
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      sink.write(chunk.toString());
      done();
    },
    final(done) {
      sink.close();
      done();
    },
  });
}

export interface StackOptions {
  /** OTLP base URL (OTEL_EXPORTER_OTLP_ENDPOINT); null exports nothing. */
  readonly otlpUrl: string | null;
  readonly restUrl: string;
  readonly symbols: readonly string[];
  readonly views?: () => MarketMakerView[];
  readonly instrument?: (symbol: string) => Instrument | undefined;
  /** false: the event log writes nothing ahead (the event log before write-ahead), to measure write-ahead's cost. */
  readonly writeAhead?: boolean;
}

export interface Stack {
  readonly bus: EventBus;
  readonly telemetry: Telemetry;
  readonly afterWire: AfterWire;
  readonly metrics: RunnerMetrics;
  readonly eventLog: EventLog;
  readonly stdoutLogger: StdoutLogger;
  readonly orderContexts: OrderContexts;
  readonly decorate: (inner: RestTransport) => RestTransport;
  readonly eventLogPath: string;
  /** Flushes the event log, the stdout logger and the OTLP exporters. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Builds the full telemetry stack of src/app.ts. */
export function fullStack(options: StackOptions): Stack {
  const clock = new SystemClock();
  const afterWire = new AfterWire(clock);
  const telemetry = startTelemetry({
    clock,
    afterWire,
    serviceVersion: '0.1.0',
    environment: 'bench',
    otelEnv: options.otlpUrl === null ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpUrl },
    flushTimeoutMs: 3000,
  });
  const timestamp = new UtcNanosFormatter(clock).now;
  const sink = devNull();
  const stdoutLogger = new StdoutLogger({ timestamp, clock, level: 'info', out: sink, knownSecrets: SECRETS, afterWire });
  const log = stdoutLogger.component('mm-runner');
  let counter: RunnerMetrics | null = null;
  const listenerErrors = new ListenerErrors((listener) => counter?.recordListenerError(listener), log);
  const bus = new EventBus(clock, listenerErrors.onBusError);
  const dir = mkdtempSync(join(tmpdir(), 'mm-bench-'));
  const eventLogPath = join(dir, 'runner_events.log');
  const eventLog = new EventLog({
    path: eventLogPath,
    timestamp,
    clock,
    knownSecrets: SECRETS,
    afterWire,
    ...(options.writeAhead === false ? { writeAhead: new Set<string>() } : {}),
  });
  const orderContexts = new OrderContexts();
  const metrics = new RunnerMetrics(
    telemetry.meter,
    {
      views: options.views ?? (() => []),
      instrument: options.instrument ?? (() => undefined),
      venueStatus: () => ({ restReachable: true, marketConnected: true, userConnected: true, listenKeyLive: true }),
      rateLimits: () => ({ usedWeight1m: 12, orderCount10s: 3, orderCount1m: 40 }),
      readiness: () => ({ exchange: true, risk: true, state: true }),
      droppedOutsideSdk: () => ({ event_log: eventLog.stats().linesDropped }),
      eventLogFaults: () => eventLog.stats().faults,
    },
    () => telemetry.dropped(),
  );
  counter = metrics;
  metrics.prime(options.symbols);
  bus.subscribe(eventLog.listener);
  bus.subscribe(stdoutLogger.eventListener());
  bus.subscribe(metrics.listener());
  bus.subscribe(new OtelEventBridge(orderContexts, afterWire).listener());
  const decorate = (inner: RestTransport) =>
    tracingTransport(inner, { baseUrl: options.restUrl, peerService: 'exchange-sim', duration: metrics.httpDuration, orderContexts, afterWire, clock });
  return {
    bus,
    telemetry,
    afterWire,
    metrics,
    eventLog,
    stdoutLogger,
    orderContexts,
    decorate,
    eventLogPath,
    async flush() {
      eventLog.flush();
      stdoutLogger.flush();
      await telemetry.flush();
    },
    async close() {
      eventLog.flush();
      metrics.close();
      await telemetry.shutdown();
      eventLog.close();
      stdoutLogger.flush();
      listenerErrors.close();
      afterWire.close();
      sink.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
