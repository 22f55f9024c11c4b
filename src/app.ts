/**
 * The composition root: builds every concrete component from a validated Config and wires them
 * together (constructor injection, nothing global but the OTel API's providers). Used by
 * src/main.ts and, in-process, by the end-to-end tests.
 */
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { ConfigError, knownSecrets, redactedConfig, type Config } from './config/index.ts';
import type { Clock } from './core/clock.ts';
import { EventBus, type EventListener, type FieldRecord } from './core/events.ts';
import { BinanceVenue, type BinanceVenueOptions } from './exchange/binance-venue.ts';
import { createClocks, UtcNanosFormatter } from './runner/clocks.ts';
import { Runner, type RunnerOptions } from './runner/runner.ts';
import { SIM_API_KEY, SIM_API_SECRET, startSimulator, type SimulatorHandle } from './sim/simulator.ts';
import { AfterWire } from './telemetry/after-wire.ts';
import { EventLog } from './telemetry/event-log.ts';
import { eventLogProblem } from './telemetry/event-log-preflight.ts';
import { logEventLogNotice } from './telemetry/event-log-notices.ts';
import { ListenerErrors } from './telemetry/listener-errors.ts';
import { primedOrderLatency, RunnerMetrics } from './telemetry/metrics.ts';
import { createTextMasker } from './telemetry/masking.ts';
import { startOpsServer, type OpsServer } from './telemetry/ops-server.ts';
import { OrderContexts } from './telemetry/order-contexts.ts';
import { OtelEventBridge } from './telemetry/otel-events.ts';
import { metricsRenderer } from './telemetry/prometheus-render.ts';
import { tracingTransport } from './telemetry/rest-tracing.ts';
import { tracingWsApiCaller } from './telemetry/ws-api-tracing.ts';
import { startTelemetry, type LogRecordExporter, type SpanExporter, type Telemetry } from './telemetry/sdk.ts';
import { StdoutLogger } from './telemetry/stdout-logger.ts';

export interface AppDeps {
  /** OTEL_* variables for the SDK. */
  readonly otelEnv: Readonly<Record<string, string | undefined>>;
  /** Where human-facing logs go (process.stdout in production). */
  readonly stdout: Writable;
  /** Where the `[OBS]` lines about the ops server go (process.stderr in production; none when absent). */
  readonly stderr?: Writable;
  /** Test hooks: in-memory exporters instead of OTLP. */
  readonly spanExporter?: SpanExporter;
  readonly logExporter?: LogRecordExporter;
  /** Test hook: listeners subscribed to the event bus before anything is emitted. */
  readonly listeners?: readonly EventListener[];
  /** Test hook: stream liveness, reconnect back-off and listenKey keepalive timings. */
  readonly venueTuning?: VenueTuning;
  /** Test hook: the wall clock the runner and the venue adapter read (the soak steps it). */
  readonly clock?: Clock;
  /** Benchmark hook: the events the event log writes ahead (an empty set measures the log without write-ahead). */
  readonly eventLogWriteAhead?: ReadonlySet<string>;
}

/** Timings of the venue's streams that tests shorten (production uses the adapter's defaults). */
export type VenueTuning = Partial<
  Pick<
    BinanceVenueOptions,
    'keepaliveIntervalMs' | 'keepaliveRetryMs' | 'reconnect' | 'ping' | 'connectTimeoutMs' | 'wsApiRequestTimeoutMs' | 'wsApiRenewAfterMs'
  >
>;

export interface App {
  readonly config: Config;
  readonly bus: EventBus;
  readonly runner: Runner;
  readonly venue: BinanceVenue;
  readonly sim: SimulatorHandle | null;
  readonly ops: OpsServer | null;
  readonly telemetry: Telemetry;
  readonly eventLog: EventLog;
  /** Stops trading (cancel everything), then flushes telemetry and closes servers; bounded. */
  stop(reason: string): Promise<void>;
  /** Resolves once the app has fully stopped (signal, iteration bound or failure). */
  readonly done: Promise<void>;
}

/** Returns the service version from package.json. */
export function serviceVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/**
 * How long a scrape may wait for a moment with no order in flight. Rendering /metrics blocks the
 * event loop for a few milliseconds; doing it between order round trips keeps it off their path,
 * and Prometheus does not mind a scrape answered 100 ms later.
 */
const METRICS_RENDER_MAX_WAIT_MS = 100;

/** Resolves once no order command awaits the venue, or after `maxWaitMs` on the clock. */
function whenNoOrderInFlight(runner: Runner, clock: Clock, maxWaitMs: number): Promise<void> {
  const deadline = clock.monoNs() + BigInt(maxWaitMs) * 1_000_000n;
  return new Promise((resolve) => {
    const check = (): void => {
      if (runner.commandsInFlight() === 0 || clock.monoNs() >= deadline) resolve();
      else clock.setTimer(check, 1);
    };
    check();
  });
}

/** Returns the runner's options from the configuration. */
export function runnerOptions(config: Config): RunnerOptions {
  return {
    symbols: config.symbols,
    params: config.strategy,
    shadow: config.shadow,
    clientIdPrefix: config.clientIdPrefix,
    leverage: config.leverage,
    marginType: config.marginType,
    snapshotIntervalMs: config.snapshotIntervalS * 1000,
    iterations: config.iterations,
    deadmanMs: config.deadmanMs,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    settleIntervalMs: 1000,
    // A timed-out order can still reach the venue until its timestamp leaves recvWindow.
    notFoundAfterMs: config.recvWindowMs + 1000,
  };
}

/** Returns the simulator's credentials when MM_SIM_API_KEY/MM_SIM_API_SECRET are set (otherwise it uses Binance's documented example pair). */
export function simCredentials(config: Config): { apiKey?: string; apiSecret?: string } {
  const { simApiKey, simApiSecret } = config.secrets;
  return simApiKey !== null && simApiSecret !== null ? { apiKey: simApiKey, apiSecret: simApiSecret } : {};
}

/** Returns the simulator's inherited position (MM_SIM_START_POSITION, first symbol), if any. */
export function simStartingPositions(config: Config): Record<string, string> {
  const first = config.symbols[0];
  return first !== undefined && /[1-9]/.test(config.sim.startPosition) ? { [first]: config.sim.startPosition } : {};
}

/** Builds and starts everything; rejects (after cleaning up) when start-up fails. */
export async function startApp(config: Config, deps: AppDeps): Promise<App> {
  // Before anything starts: a log that cannot be opened now is a mistyped path (exit 2), not a disk fault.
  const logProblem = eventLogProblem(config.eventLog.path);
  if (logProblem !== null) throw new ConfigError([{ field: 'MM_EVENT_LOG (--event-log)', message: `cannot open ${config.eventLog.path}: ${logProblem}` }]);
  const clocks = createClocks(config.freezeAtMs);
  const clock = deps.clock ?? clocks.clock;
  const logClock = clocks.logClock;
  const version = serviceVersion();
  const secrets = knownSecrets(config);
  const mask = createTextMasker(secrets);
  // The one deferral: listener work runs once the order requests of the moment are on the wire.
  const afterWire = new AfterWire(clock);
  const telemetry = startTelemetry({
    clock,
    serviceVersion: version,
    environment: config.environment,
    otelEnv: deps.otelEnv,
    flushTimeoutMs: config.telemetryFlushTimeoutMs,
    mask,
    afterWire,
    ...(deps.spanExporter ? { spanExporter: deps.spanExporter } : {}),
    ...(deps.logExporter ? { logExporter: deps.logExporter } : {}),
  });
  const timestamp = new UtcNanosFormatter(logClock).now;
  const stdoutLogger = new StdoutLogger({ timestamp, clock, level: config.logLevel, out: deps.stdout, knownSecrets: secrets, afterWire });
  const log = stdoutLogger.component('mm.telemetry');
  let metrics: RunnerMetrics | null = null;
  const listenerErrors = new ListenerErrors((listener) => metrics?.recordListenerError(listener), log);
  const bus = new EventBus(clock, listenerErrors.onBusError);
  // Disk policy: while the event log cannot be written the runner quotes nothing (no new risk
  // without an audit trail), cancels its resting quotes and fails /ready; stdout and OTLP logs
  // say why. It resumes when a write succeeds again (RELIABILITY.md "Disk").
  let eventLogOk = true;
  let onEventLogHealth: (healthy: boolean) => void = () => {};
  const eventLog = new EventLog({
    path: config.eventLog.path,
    maxBytes: config.eventLog.maxBytes,
    keep: config.eventLog.keep,
    timestamp,
    clock,
    knownSecrets: secrets,
    afterWire,
    ...(deps.eventLogWriteAhead === undefined ? {} : { writeAhead: deps.eventLogWriteAhead }),
    onWriteError: (error) => {
      eventLogOk = false;
      log.error('event_log_write_failed', {
        path: error.path,
        operation: error.operation,
        system_code: error.systemCode,
        error: error.message,
        policy: 'quoting suppressed until the event log is writable',
      });
      onEventLogHealth(false);
    },
    onRecovered: () => {
      eventLogOk = true;
      log.warn('event_log_recovered', { path: config.eventLog.path });
      onEventLogHealth(true);
    },
    onNotice: (notice) => logEventLogNotice(log, notice),
  });
  for (const listener of deps.listeners ?? []) bus.subscribe(listener);

  // Everything started from here on is closed again if start-up fails, so that a failed start
  // (a port in use, an unreachable venue) ends the process instead of leaving it running idle.
  let sim: SimulatorHandle | null = null;
  let venue: BinanceVenue | null = null;
  let ops: OpsServer | null = null;
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      eventLog.flush();
      metrics?.close();
      await venue?.close().catch(() => undefined);
      await telemetry.shutdown();
      if (ops !== null) {
        await ops.close();
        deps.stderr?.write('[OBS] Server stopped\n');
      }
      await sim?.close();
      eventLog.close();
      listenerErrors.close();
      afterWire.close();
      stdoutLogger.flush();
    })();
    return closing;
  };
  try {
    let restUrl = config.restUrl;
    let wsUrl = config.wsUrl;
    let wsApiUrl = config.wsApiUrl;
    let apiKey = config.secrets.apiKey;
    let apiSecret = config.secrets.apiSecret;
    if (config.exchange === 'sim' && (restUrl === null || wsUrl === null)) {
      sim = await startSimulator({
        host: '127.0.0.1',
        port: 0,
        seed: config.sim.seed,
        fundingIntervalMs: config.sim.fundingIntervalS * 1000,
        symbols: config.symbols,
        startingPositions: simStartingPositions(config),
        ...simCredentials(config),
      });
      restUrl = sim.restUrl;
      wsUrl = sim.wsUrl;
      wsApiUrl = sim.wsApiUrl;
      apiKey = sim.apiKey;
      apiSecret = sim.apiSecret;
    }
    if (config.exchange === 'sim') {
      // An external simulator (`mm-runner sim`, its own container) takes MM_SIM_API_KEY/SECRET, else its documented default credentials.
      apiKey ??= config.secrets.simApiKey ?? SIM_API_KEY;
      apiSecret ??= config.secrets.simApiSecret ?? SIM_API_SECRET;
    }
    if (restUrl === null || wsUrl === null || apiKey === null || apiSecret === null) {
      throw new Error('venue URLs and API credentials are required outside the embedded simulator');
    }

    const orderContexts = new OrderContexts();
    let runnerRef: Runner | null = null;
    const venueRef: { current: BinanceVenue | null } = { current: null };
    const runnerMetrics = new RunnerMetrics(
      telemetry.meter,
      {
        views: () => runnerRef?.views() ?? [],
        instrument: (symbol) => runnerRef?.instruments().find((i) => i.symbol === symbol),
        venueStatus: () => venueRef.current?.status() ?? null,
        rateLimits: () => venueRef.current?.rateLimits() ?? {},
        readiness: () => runnerRef?.readiness() ?? { exchange: false, risk: false, state: false },
        droppedOutsideSdk: () => ({ event_log: eventLog.stats().linesDropped }),
        eventLogFaults: () => eventLog.stats().faults,
      },
      () => telemetry.dropped(),
    );
    metrics = runnerMetrics;
    runnerMetrics.prime(config.symbols);
    const peerService = config.exchange === 'sim' ? 'exchange-sim' : config.exchange === 'binance' ? 'binance-fapi' : 'binance-fapi-testnet';
    const binance = new BinanceVenue({
      restUrl,
      wsUrl,
      apiKey,
      apiSecret,
      clock,
      recvWindowMs: config.recvWindowMs,
      requestTimeoutMs: config.requestTimeoutMs,
      orderTransport: config.orderTransport,
      ...(wsApiUrl === null ? {} : { wsApiUrl }),
      transport: (inner) => tracingTransport(inner, { baseUrl: restUrl, peerService, duration: runnerMetrics.httpDuration, orderContexts, afterWire, clock }),
      ...(wsApiUrl === null
        ? {}
        : {
            wsApiCaller: (inner) =>
              tracingWsApiCaller(inner, { url: wsApiUrl, peerService, duration: runnerMetrics.rpcDuration, orderContexts, afterWire, clock }),
          }),
      onMalformed: (source, error, sample) => bus.emit('malformed_message', { source, error, sample }),
      ...deps.venueTuning,
    });
    venue = binance;
    venueRef.current = binance;

    bus.subscribe(eventLog.listener);
    bus.subscribe(stdoutLogger.eventListener());
    bus.subscribe(runnerMetrics.listener());
    bus.subscribe(new OtelEventBridge(orderContexts, afterWire).listener());

    const runner = new Runner({ venue: binance, clock, bus }, runnerOptions(config));
    runnerRef = runner;
    onEventLogHealth = (healthy) => runner.setEventLogHealthy(healthy);

    // The configured transport's series from the start; REST's, on the WebSocket API, from its first fallback
    // (an empty series' quantile is NaN: one per idle transport would only add noise to every query).
    const renderMetrics = metricsRenderer(telemetry.prometheus, mask, [primedOrderLatency(config.symbols, [config.orderTransport])]);
    ops = config.obs.enabled
      ? await startOpsServer({
          host: config.obs.host,
          port: config.obs.port,
          renderMetrics: () => whenNoOrderInFlight(runner, clock, METRICS_RENDER_MAX_WAIT_MS).then(renderMetrics),
          readiness: () => runner.readiness(),
        })
      : null;
    if (ops !== null) deps.stderr?.write(`[OBS] Server started: ${ops.url}\n[OBS] Endpoints: /health /ready /metrics\n`);

    const redacted = redactedConfig(config);
    bus.emit('runner_start', {
      symbol: config.symbols.join(','),
      marginType: config.marginType,
      // The port the ops server really took (MM_OBS_PORT=0 picks a free one).
      config: ops === null ? redacted : { ...redacted, obs: { ...(redacted.obs as FieldRecord), port: ops.port } },
      exchange: config.exchange,
      shadow: config.shadow,
    });

    // Find out now, not after the first quotes, whether the event log can be written.
    eventLog.flush();
    runner.setEventLogHealthy(eventLogOk);
    try {
      await runner.start();
    } catch (error) {
      bus.emit('exchange_error', { operation: 'start', error: error instanceof Error ? error.message : String(error), code: null, http_status: null });
      throw error;
    }

    const done = runner.stopped().then(close);
    return {
      config,
      bus,
      runner,
      venue: binance,
      sim,
      ops,
      telemetry,
      eventLog,
      async stop(reason: string) {
        bus.emit('runner_stop_signal', { symbol: config.symbols.join(','), marginType: config.marginType, config: redacted, signal: reason });
        await runner.stop(reason);
        await done;
      },
      done,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
