/**
 * The runner on an external simulator, two ways: `full` is src/app.ts's startApp (every
 * listener, the REST tracing decorator, OTLP exporters to a loopback sink, the ops server);
 * `bare` is the same runner, venue and bus with no telemetry at all (no decorator, no
 * listeners, no SDK).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runnerOptions, startApp, type App } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { EventBus } from '../../src/core/events.ts';
import { BinanceVenue } from '../../src/exchange/binance-venue.ts';
import { createClocks } from '../../src/runner/clocks.ts';
import { Runner } from '../../src/runner/runner.ts';
import { SIM_API_KEY, SIM_API_SECRET } from '../../src/sim/simulator.ts';
import { devNullWritable } from './stack.ts';

export interface RunningApp {
  readonly runner: Runner;
  readonly app: App | null;
  readonly eventLogPath: string;
  stop(): Promise<void>;
}

/** Returns a config for the runner against `restUrl`/`wsUrl`, quoting as often as the market moves. */
export function benchConfig(restUrl: string, wsUrl: string, extra: Record<string, string> = {}): Config {
  const dir = mkdtempSync(join(tmpdir(), 'mm-bench-run-'));
  const loaded = loadConfig({
    env: {
      MM_EXCHANGE: 'sim',
      MM_REST_URL: restUrl,
      MM_WS_URL: wsUrl,
      MM_SYMBOLS: 'BTCUSDT',
      MM_OBS_PORT: '0',
      MM_EVENT_LOG: join(dir, 'runner_events.log'),
      MM_SNAPSHOT_INTERVAL_S: '5',
      MM_REQUOTE_TOLERANCE_TICKS: '0',
      MM_HALF_SPREAD_BPS: '1',
      MM_LEVELS: '2',
      MM_MIN_EDGE_BPS: '-1000',
      MM_SOFT_POSITION_NOTIONAL: '1000000',
      MM_HARD_POSITION_NOTIONAL: '2000000',
      MM_MAX_WORST_CASE_NOTIONAL: '4000000',
      MM_DEADMAN_MS: '0',
      // The scenarios that compare with the "before" tree measure REST; "transports" asks for each.
      MM_ORDER_TRANSPORT: 'rest',
      ...extra,
    },
    argv: [],
  });
  if (loaded.kind !== 'config') throw new Error('unexpected help');
  return loaded.config;
}

export type RunnerVariant = 'full' | 'full-buffered' | 'bare' | 'documented';

/**
 * `full`: src/app.ts's startApp (`full-buffered`: with an event log that writes nothing ahead); `bare`: no telemetry; `documented`: the runner with the
 * documented-setup telemetry (bench/lib/documented-stack.ts) instead of ours.
 */
export async function startRunner(variant: RunnerVariant, config: Config, otlpUrl: string | null): Promise<RunningApp> {
  if (variant === 'full' || variant === 'full-buffered') {
    const app = await startApp(config, {
      otelEnv: otlpUrl === null ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl },
      stdout: devNullWritable(),
      ...(variant === 'full-buffered' ? { eventLogWriteAhead: new Set<string>() } : {}),
    });
    return { runner: app.runner, app, eventLogPath: config.eventLog.path, stop: () => app.stop('bench') };
  }
  const { clock } = createClocks(null);
  let runnerRef: Runner | null = null;
  // Loaded only for this variant: NodeSDK and its instrumentations stay out of the other processes.
  const documented =
    variant === 'documented'
      ? (await import('./documented-stack.ts')).documentedStack({
          otlpUrl: otlpUrl ?? 'http://127.0.0.1:1',
          eventLogPath: config.eventLog.path,
          symbols: config.symbols,
          source: {
            views: () => runnerRef?.views() ?? [],
            instrument: (symbol) => runnerRef?.instruments().find((i) => i.symbol === symbol),
            venueStatus: () => null,
            rateLimits: () => ({}),
            readiness: () => runnerRef?.readiness() ?? { exchange: false, risk: false, state: false },
            droppedOutsideSdk: () => ({}),
            eventLogFaults: () => ({}),
          },
        })
      : null;
  const bus = documented?.bus ?? new EventBus(clock);
  if (config.restUrl === null || config.wsUrl === null) throw new Error('bare runner needs external URLs');
  const venue = new BinanceVenue({
    restUrl: config.restUrl,
    wsUrl: config.wsUrl,
    apiKey: config.secrets.apiKey ?? SIM_API_KEY,
    apiSecret: config.secrets.apiSecret ?? SIM_API_SECRET,
    clock,
    recvWindowMs: config.recvWindowMs,
    requestTimeoutMs: config.requestTimeoutMs,
    orderTransport: config.orderTransport,
    ...(config.wsApiUrl === null ? {} : { wsApiUrl: config.wsApiUrl }),
  });
  const runner = new Runner({ venue, clock, bus }, runnerOptions(config));
  runnerRef = runner;
  await runner.start();
  return {
    runner,
    app: null,
    eventLogPath: '',
    async stop() {
      await runner.stop('bench');
      await venue.close();
      await documented?.close();
    },
  };
}
