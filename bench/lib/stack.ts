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
  /**
   * Returns a bus with the same listeners but an event log of its own that writes nothing ahead
   * (the event log before write-ahead), to measure write-ahead's cost in the same run.
   */
  bufferedBus(): EventBus;
  /** Flushes the event log, the stdout logger and the OTLP exporters. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Builds the full telemetry stack of src/app.ts. */
export function fullStack(options: StackOptions): Stack {
  const clock = new SystemClock();
  const afterWire = new AfterWire();
  const telemetry = startTelemetry({
    afterWire,
    serviceVersion: '0.1.0',
    environment: 'bench',
    otelEnv: options.otlpUrl === null ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpUrl },
    flushTimeoutMs: 3000,
  });
  const timestamp = new UtcNanosFormatter(clock).now;
  const sink = devNull();
  const stdoutLogger = new StdoutLogger({ timestamp, level: 'info', out: sink, knownSecrets: SECRETS, afterWire });
  const log = stdoutLogger.component('mm-runner');
  const onListenerError = (error: unknown, event: { event: string }) =>
    log.error('event_listener_failed', { event: event.event, error: error instanceof Error ? error.message : String(error) });
  const bus = new EventBus(onListenerError);
  const dir = mkdtempSync(join(tmpdir(), 'mm-bench-'));
  const eventLogPath = join(dir, 'runner_events.log');
  const eventLog = new EventLog({ path: eventLogPath, timestamp, knownSecrets: SECRETS, afterWire });
  const extraLogs: EventLog[] = [];
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
  metrics.prime(options.symbols);
  const subscribeAll = (target: EventBus, log: EventLog): EventBus => {
    target.subscribe(log.listener);
    target.subscribe(stdoutLogger.eventListener());
    target.subscribe(metrics.listener());
    target.subscribe(new OtelEventBridge(orderContexts, () => clock.nowMs(), afterWire).listener());
    return target;
  };
  subscribeAll(bus, eventLog);
  const decorate = (inner: RestTransport) =>
    tracingTransport(inner, { baseUrl: options.restUrl, peerService: 'exchange-sim', duration: metrics.httpDuration, orderContexts, afterWire });
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
    bufferedBus() {
      const log = new EventLog({ path: join(dir, `buffered-${extraLogs.length}.log`), timestamp, knownSecrets: SECRETS, writeAhead: new Set(), afterWire });
      extraLogs.push(log);
      return subscribeAll(new EventBus(onListenerError), log);
    },
    async flush() {
      eventLog.flush();
      for (const log of extraLogs) log.flush();
      stdoutLogger.flush();
      await telemetry.flush();
    },
    async close() {
      eventLog.flush();
      metrics.close();
      await telemetry.shutdown();
      eventLog.close();
      for (const log of extraLogs) log.close();
      stdoutLogger.flush();
      afterWire.close();
      sink.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
