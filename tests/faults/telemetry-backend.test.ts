/**
 * Telemetry back-end faults: the OTLP collector answers 503, hangs, or is not there at all.
 * Three runners (child processes, distinct client-id prefixes) trade at once on one simulator,
 * each against one broken back end. Trading must go on, drops must be counted on /metrics,
 * memory must stay bounded, and SIGTERM must still exit 0 within its bound.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../src/sim/index.ts';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { freePort } from '../support/prometheus.ts';
import { readEvents, RunnerProcess } from '../support/runner-process.ts';
import { sample, sleep } from './harness.ts';

const RUN_MS = 25_000;
const FLUSH_TIMEOUT_MS = 2_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;

interface Case {
  readonly name: string;
  readonly prefix: string;
  endpoint: string;
  runner: RunnerProcess | null;
  port: number;
  log: string;
  rssKb: number[];
  metrics: string;
  exitCode: number | null | undefined;
}

let sim: SimulatorHandle;
let dir: string;
const receivers: OtlpReceiver[] = [];
const cases: Case[] = [
  { name: 'collector answering 503', prefix: 'te', endpoint: '', runner: null, port: 0, log: '', rssKb: [], metrics: '', exitCode: undefined },
  { name: 'collector hanging', prefix: 'th', endpoint: '', runner: null, port: 0, log: '', rssKb: [], metrics: '', exitCode: undefined },
  { name: 'collector unreachable', prefix: 'tu', endpoint: '', runner: null, port: 0, log: '', rssKb: [], metrics: '', exitCode: undefined },
];

function rssKb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mm-otel-faults-'));
  sim = await startSimulator({ symbols: ['BTCUSDT'], seed: 9 });
  const failing = new OtlpReceiver();
  failing.mode = 'error';
  const hanging = new OtlpReceiver();
  hanging.mode = 'hang';
  receivers.push(failing, hanging);
  const [errorCase, hangCase, downCase] = cases as [Case, Case, Case];
  errorCase.endpoint = await failing.start();
  hangCase.endpoint = await hanging.start();
  downCase.endpoint = `http://127.0.0.1:${await freePort()}`;
  for (const c of cases) {
    c.port = await freePort();
    c.log = join(dir, `${c.prefix}.log`);
    c.runner = new RunnerProcess({
      MM_EXCHANGE: 'sim',
      MM_REST_URL: sim.restUrl,
      MM_WS_URL: sim.wsUrl,
      MM_EVENT_LOG: c.log,
      MM_OBS_PORT: String(c.port),
      MM_CLIENT_ID_PREFIX: c.prefix,
      MM_HALF_SPREAD_BPS: '1',
      MM_MIN_EDGE_BPS: '-10000',
      MM_TELEMETRY_FLUSH_TIMEOUT_MS: String(FLUSH_TIMEOUT_MS),
      MM_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      OTEL_EXPORTER_OTLP_ENDPOINT: c.endpoint,
      // Export often, so minutes of an outage fit in the run.
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BLRP_SCHEDULE_DELAY: '200',
    });
  }
  const end = Date.now() + RUN_MS;
  while (Date.now() < end) {
    for (const c of cases) {
      const rss = rssKb(c.runner?.child.pid);
      if (rss !== null) c.rssKb.push(rss);
    }
    await sleep(1_000);
  }
  for (const c of cases) {
    try {
      c.metrics = await (await fetch(`http://127.0.0.1:${c.port}/metrics`)).text();
    } catch {
      c.metrics = '';
    }
  }
  // SIGTERM to all three at once; a runner still running after the bound is killed (exit null).
  const bound = SHUTDOWN_TIMEOUT_MS + 2 * FLUSH_TIMEOUT_MS + 5_000;
  await Promise.all(cases.map(async (c) => (c.exitCode = await c.runner?.stop('SIGTERM', bound))));
}, 120_000);

afterAll(async () => {
  for (const c of cases) c.runner?.child.kill('SIGKILL');
  for (const r of receivers) await r.stop();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(cases.map((c) => [c.name, c] as const))('telemetry back end: %s', (_name, c) => {
  it('keeps trading through the outage', () => {
    const events = readEvents(c.log);
    const placed = events.filter((e) => e.event === 'order_placed');
    expect(placed.length, c.runner?.stderr.slice(-1000)).toBeGreaterThan(5);
    // Orders kept being placed in the last third of the trading window (start-up done to SIGTERM),
    // not only before exports piled up. The window is the runner's own: a start-up slowed by a
    // loaded machine must not count as a stall.
    const at = (name: string) => Date.parse(String(events.find((e) => e.event === name)?.ts));
    const [from, to] = [at('reconcile_done'), at('runner_stop_signal')];
    expect(to - from, 'trading window (ms)').toBeGreaterThan(RUN_MS / 3);
    const lastThird = placed.filter((e) => Date.parse(String(e.ts)) > from + ((to - from) * 2) / 3);
    const stops = events.filter((e) => /freeze|suppress|risk_state/.test(e.event)).map((e) => `${e.event} ${String(e.reason ?? e.to ?? '')}`);
    expect(lastThird.length, `placed in the last third of ${to - from} ms; ${stops.slice(-5).join(', ')}`).toBeGreaterThan(0);
  });

  it('counts what it drops on /metrics', () => {
    const dropped =
      (sample(c.metrics, 'mm_telemetry_dropped_total', { signal: 'spans' }) ?? 0) + (sample(c.metrics, 'mm_telemetry_dropped_total', { signal: 'logs' }) ?? 0);
    expect(
      dropped,
      c.metrics
        .split('\n')
        .filter((l) => l.startsWith('mm_telemetry_dropped'))
        .join('\n'),
    ).toBeGreaterThan(0);
  });

  it('keeps memory bounded', () => {
    expect(c.rssKb.length).toBeGreaterThan(10);
    const warm = c.rssKb.slice(5);
    const max = Math.max(...warm);
    const min = Math.min(...warm);
    // Bounded queues: no growth proportional to the outage (a leak would add MBs per second here).
    expect(max).toBeLessThan(400 * 1024);
    expect(max - min).toBeLessThan(100 * 1024);
  });

  it('exits 0 on SIGTERM within the shutdown and flush bounds', () => {
    expect(c.exitCode, c.runner?.stderr.slice(-2000)).toBe(0);
    const stopped = readEvents(c.log).find((e) => e.event === 'runner_stopped');
    expect(stopped?.open_orders_left).toBe(0);
  });
});

it('the alert rule on drops matches what the runner exports', () => {
  const rules = readFileSync(join(import.meta.dirname, '../../monitoring/prometheus/rules/mm-runner.yml'), 'utf8');
  expect(rules).toContain('increase(mm_telemetry_dropped_total[5m])');
  expect(cases[0]?.metrics).toMatch(/^mm_telemetry_dropped_total\{/m);
});
