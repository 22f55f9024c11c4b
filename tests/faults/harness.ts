/**
 * The fault suite's harness: the runner in-process (startApp, the composition root users run)
 * against a simulator started by the test, so each test can inject faults through the
 * simulator's fault controller and check the simulator's own state, the event log (file and
 * bus), /metrics and /ready.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startApp, type App, type VenueTuning } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { Clock } from '../../src/core/clock.ts';
import type { DomainEvent } from '../../src/core/events.ts';
import { parseScaled } from '../../src/core/decimal.ts';
import { formatMoney } from '../../src/core/money.ts';
import type { ObservedRequest } from '../../src/sim/faults.ts';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../src/sim/index.ts';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Short stream timings so that silent sockets and keepalives show within seconds. */
export const FAST_STREAMS: VenueTuning = {
  ping: { pingIntervalMs: 500, deadAfterMs: 2_000 },
  reconnect: { initialMs: 200, maxMs: 1_000, multiplier: 2, jitter: 0.2 },
  keepaliveIntervalMs: 1_000,
  keepaliveRetryMs: 500,
  connectTimeoutMs: 10_000,
};

export interface Books {
  readonly position: string;
  readonly fees: string;
  readonly realizedPnl: string;
  readonly funding: string;
  readonly openOrders: number;
}

export interface SessionOptions {
  readonly sim?: SimulatorOptions;
  /** MM_* variables on top of the session's defaults. */
  readonly env?: Readonly<Record<string, string>>;
  readonly tuning?: VenueTuning;
  /** The runner's wall clock (the soak steps it); the system clock when absent. */
  readonly clock?: Clock;
  readonly otelEnv?: Readonly<Record<string, string | undefined>>;
  /** Keep only these events in `Session.events` (a long soak would otherwise hold millions). */
  readonly keepEvents?: ReadonlySet<string>;
}

export class Session {
  readonly sim: SimulatorHandle;
  readonly app: App;
  readonly dir: string;
  readonly eventLogPath: string;
  /** Every domain event, in order, straight from the bus (also while the event log fails). */
  readonly events: DomainEvent[];
  readonly stdout: { text: string };
  /** Every REST request that reached the simulator. */
  readonly requests: ObservedRequest[] = [];
  private stopObserving: () => void;
  private stepper: NodeJS.Timeout | null = null;

  constructor(sim: SimulatorHandle, app: App, dir: string, eventLogPath: string, events: DomainEvent[], stdout: { text: string }) {
    this.sim = sim;
    this.app = app;
    this.dir = dir;
    this.eventLogPath = eventLogPath;
    this.events = events;
    this.stdout = stdout;
    this.stopObserving = sim.faults.observeRequests((r) => this.requests.push(r));
    this.resumeMarket();
  }

  /** Stops the market (no trades, fills or funding happen until resumed). */
  pauseMarket(): void {
    if (this.stepper !== null) clearInterval(this.stepper);
    this.stepper = null;
  }

  /** Steps the market every 100 ms (the simulator's default pace). */
  resumeMarket(): void {
    this.stepper ??= setInterval(() => this.sim.step(), 100);
  }

  /**
   * Pauses the market and waits until nothing is in flight or ambiguous and the runner's open
   * orders are the simulator's; returns both sides of the books to compare.
   */
  async quiesce(symbol = 'BTCUSDT'): Promise<{ runner: Books; sim: Books }> {
    this.pauseMarket();
    await until(
      'runner and simulator to settle',
      () => {
        const v = this.view(symbol);
        return v.inFlight === 0 && v.ambiguous === 0 && v.openOrders === this.sim.state().openOrders.length;
      },
      20_000,
    );
    await sleep(300);
    return this.books(symbol);
  }

  /** Returns position, fees, realized PnL, funding and open orders as the runner and the simulator see them. */
  books(symbol = 'BTCUSDT'): { runner: Books; sim: Books } {
    const v = this.view(symbol);
    const instrument = this.app.runner.instruments().find((i) => i.symbol === symbol);
    if (instrument === undefined) throw new Error(`no instrument ${symbol}`);
    const state = this.sim.state();
    const position = state.positions.find((p) => p.symbol === symbol);
    return {
      runner: {
        position: scaled(instrument.formatQty(v.positionSteps), 8).toString(),
        fees: formatMoney(v.fees),
        realizedPnl: formatMoney(v.realizedPnl),
        funding: formatMoney(v.fundingAccum),
        openOrders: v.openOrders + v.inFlight + v.ambiguous,
      },
      sim: {
        position: scaled(position?.positionAmt ?? '0', 8).toString(),
        fees: formatMoney(money8(state.totals.fees)),
        realizedPnl: formatMoney(money8(state.totals.realizedPnl)),
        funding: formatMoney(money8(state.totals.funding)),
        openOrders: state.openOrders.length,
      },
    };
  }

  /** Returns the events named `name` (optionally only those after index `from`). */
  named(name: string, from = 0): Array<DomainEvent & { fields: Record<string, unknown> }> {
    return this.events.slice(from).filter((e) => e.event === name) as Array<DomainEvent & { fields: Record<string, unknown> }>;
  }

  /** Returns the /metrics text. */
  async metrics(): Promise<string> {
    if (this.app.ops === null) throw new Error('ops server disabled');
    return (await fetch(`${this.app.ops.url}/metrics`)).text();
  }

  /** Returns /ready's status code. */
  async readyStatus(): Promise<number> {
    if (this.app.ops === null) throw new Error('ops server disabled');
    return (await fetch(`${this.app.ops.url}/ready`)).status;
  }

  /** Returns /ready's JSON body. */
  async readyBody(): Promise<Record<string, unknown>> {
    if (this.app.ops === null) throw new Error('ops server disabled');
    return (await (await fetch(`${this.app.ops.url}/ready`)).json()) as Record<string, unknown>;
  }

  /** Returns the symbol's core view. */
  view(symbol = 'BTCUSDT') {
    const view = this.app.runner.views().find((v) => v.symbol === symbol);
    if (view === undefined) throw new Error(`no view for ${symbol}`);
    return view;
  }

  /** Returns how many of our orders rest at the simulator, per side. */
  openAtSim(): { BUY: number; SELL: number; total: number } {
    const open = this.sim.state().openOrders;
    const buy = open.filter((o) => o.side === 'BUY').length;
    return { BUY: buy, SELL: open.length - buy, total: open.length };
  }

  /** Stops the runner (SIGTERM path) and the simulator; removes the temp dir. */
  async close(): Promise<void> {
    this.stopObserving();
    this.resumeMarket();
    await this.app.stop('test_end').catch(() => undefined);
    this.pauseMarket();
    await this.sim.close();
    // MM_FAULTS_KEEP=1 keeps the event log for a post-mortem.
    if (process.env.MM_FAULTS_KEEP === '1') process.stderr.write(`fault session kept in ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts a simulator and the runner against it (wired like `npm start` with an external simulator). */
export async function startSession(options: SessionOptions = {}): Promise<Session> {
  const dir = mkdtempSync(join(tmpdir(), 'mm-faults-'));
  const eventLogPath = join(dir, 'events.log');
  // The session steps the market itself, so that a test can pause it before comparing books.
  const sim = await startSimulator({ symbols: ['BTCUSDT'], seed: 11, fundingIntervalMs: 5_000, ...options.sim, autoStep: false });
  const events: DomainEvent[] = [];
  const stdout = { text: '' };
  const env: Record<string, string> = {
    MM_EXCHANGE: 'sim',
    MM_REST_URL: sim.restUrl,
    MM_WS_URL: sim.wsUrl,
    MM_OBS_PORT: '0',
    MM_EVENT_LOG: eventLogPath,
    MM_SNAPSHOT_INTERVAL_S: '1',
    MM_LOG_LEVEL: 'info',
    MM_REQUEST_TIMEOUT_MS: '2000',
    MM_DEADMAN_MS: '10000',
    MM_SHUTDOWN_TIMEOUT_MS: '8000',
    MM_TELEMETRY_FLUSH_TIMEOUT_MS: '1000',
    // Quote close to the touch so that fills keep coming, and never freeze on edge.
    MM_HALF_SPREAD_BPS: '0.5',
    MM_MIN_EDGE_BPS: '-10000',
    ...options.env,
  };
  const loaded = loadConfig({ env, argv: [] });
  if (loaded.kind !== 'config') throw new Error('unexpected help');
  try {
    const app = await startApp(loaded.config, {
      otelEnv: options.otelEnv ?? {},
      stdout: new Writable({
        write: (chunk: Buffer, _enc, done) => {
          stdout.text = (stdout.text + chunk.toString()).slice(-2_000_000);
          done();
        },
      }),
      listeners: [(event) => (options.keepEvents === undefined || options.keepEvents.has(event.event) ? events.push(event) : 0)],
      ...(options.tuning ? { venueTuning: options.tuning } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    return new Session(sim, app, dir, eventLogPath, events, stdout);
  } catch (error) {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Returns the books without realized PnL: what must match the simulator exactly. */
export function exact(books: Books): Omit<Books, 'realizedPnl'> {
  const { realizedPnl: _realized, ...rest } = books;
  return rest;
}

/**
 * Returns |runner - simulator| realized PnL in 1e-8 units. The runner keeps its cost basis exactly
 * in ticks x steps (0.0001 USDT for BTCUSDT) and rounds the cost removed by each closing fill to
 * that grid; the simulator keeps 1e-8. So they may differ by at most half a unit per fill.
 */
export function realizedGap(books: { runner: Books; sim: Books }): bigint {
  const diff = money8(books.runner.realizedPnl) - money8(books.sim.realizedPnl);
  return diff < 0n ? -diff : diff;
}

/** Half a tick x step of BTCUSDT (0.1 x 0.001 / 2 = 0.00005 USDT) in 1e-8 units: the rounding bound per closing fill. */
export const REALIZED_ROUNDING_PER_FILL = 5_000n;

/** Polls until `check` returns a truthy value; throws `what` on timeout. */
export async function until<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15_000, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Returns a decimal string as an exact bigint at 8 decimals (money in the simulator's state). */
export function money8(text: string): bigint {
  return parseScaled(text, 8);
}

/** Returns a decimal quantity string scaled to `decimals` (exact). */
export function scaled(text: string, decimals: number): bigint {
  return parseScaled(text, decimals);
}

/**
 * Samples the simulator's open orders every `intervalMs` and records the most orders ever
 * resting at once for one side and purpose (the client id's tag: q quote, g grind, r force).
 * More than `levels` quotes, or more than one grind or force clip, would mean a doubled order.
 */
export function watchOpenOrders(
  session: Session,
  intervalMs = 20,
): { max: () => number; worst: () => string; perKey: () => Map<string, number>; stop: () => void } {
  let max = 0;
  let worst = '';
  const perKey = new Map<string, number>();
  const timer = setInterval(() => {
    const counts = new Map<string, string[]>();
    for (const o of session.sim.state().openOrders) {
      const id = String(o.clientOrderId);
      const key = `${String(o.side)}:${id.split('-')[2]?.charAt(0) ?? '?'}`;
      counts.set(key, [...(counts.get(key) ?? []), id]);
    }
    for (const [key, ids] of counts) {
      perKey.set(key, Math.max(perKey.get(key) ?? 0, ids.length));
      if (ids.length > max) {
        max = ids.length;
        worst = `${key} ${ids.join(',')}`;
      }
    }
  }, intervalMs);
  return { max: () => max, worst: () => worst, perKey: () => perKey, stop: () => clearInterval(timer) };
}

/** Returns the value of one Prometheus sample line (`name{labels} value`) matching all label pairs, or null. */
export function sample(metrics: string, name: string, labels: Readonly<Record<string, string>> = {}): number | null {
  let total: number | null = null;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    total = (total ?? 0) + value;
  }
  return total;
}
