/**
 * Issue 12 item 15: MM_FREEZE_UTC_ISO freezes only what logs show. The runner trades on the
 * simulator through a recording proxy, twice in a row with the same frozen instant: every
 * event-log `ts` and stdout `ts_utc` is the frozen instant, while the signed requests carry the
 * real, advancing time and the second run's client order ids are not the first run's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { startSimulator, type SimulatorHandle } from '../../src/sim/index.ts';
import { RestProxy, type ProxiedRequest } from '../support/rest-proxy.ts';
import { readEvents } from '../support/runner-process.ts';
import { until } from './harness.ts';

const FROZEN = '2026-01-02T03:04:05Z';
const FROZEN_TS = '2026-01-02T03:04:05.000000000Z';

interface Run {
  readonly signed: ProxiedRequest[];
  readonly clientIds: Set<string>;
  readonly logTimestamps: Set<string>;
  readonly stdoutTimestamps: Set<string>;
  readonly lines: number;
  /** Epoch ms of the OTLP log records (OTLP keeps the real clock). */
  readonly otlpTimesMs: number[];
  /** Date.now() when the run stopped. */
  readonly stoppedAtMs: number;
}

let sim: SimulatorHandle;
let proxy: RestProxy;
let restUrl: string;
let dir: string;
const runs: Run[] = [];

async function tradeOnce(name: string): Promise<Run> {
  const from = proxy.requests.length;
  const signed = (): ProxiedRequest[] => proxy.requests.slice(from).filter((r) => r.params.has('timestamp'));
  const eventLog = join(dir, `${name}.log`);
  const loaded = loadConfig({
    env: {
      MM_EXCHANGE: 'sim',
      MM_REST_URL: restUrl,
      MM_WS_URL: sim.wsUrl,
      // Signed order requests through the recording REST proxy.
      MM_ORDER_TRANSPORT: 'rest',
      MM_FREEZE_UTC_ISO: FROZEN,
      MM_OBS: 'false',
      MM_EVENT_LOG: eventLog,
      MM_LOG_LEVEL: 'info',
      MM_HALF_SPREAD_BPS: '0.5',
      MM_REQUOTE_TOLERANCE_TICKS: '0',
      MM_MIN_EDGE_BPS: '-10000',
    },
    argv: [],
  });
  if (loaded.kind !== 'config') throw new Error('unexpected help');
  let stdout = '';
  const otlpTimesMs: number[] = [];
  const otlpLogs: LogRecordExporter = {
    export(records, done) {
      for (const record of records) otlpTimesMs.push(record.hrTime[0] * 1000 + record.hrTime[1] / 1e6);
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
  const app = await startApp(loaded.config, {
    otelEnv: {},
    logExporter: otlpLogs,
    stdout: new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        stdout += chunk.toString();
        done();
      },
    }),
  });
  try {
    // Long enough for a frozen signing clock to show: its timestamps would not move at all.
    await until(
      'order requests signed over 3 s',
      () => {
        const list = signed().filter((r) => r.path === '/fapi/v1/order' && r.method === 'POST');
        return list.length >= 10 && (list.at(-1)?.atMs ?? 0) - (list[0]?.atMs ?? 0) >= 3000;
      },
      60_000,
    );
  } finally {
    await app.stop('test_end');
  }
  const stoppedAtMs = Date.now();
  const lines = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { ts_utc?: string });
  const events = readEvents(eventLog);
  return {
    signed: signed(),
    clientIds: new Set(
      signed()
        .map((r) => r.params.get('newClientOrderId'))
        .filter((id): id is string => id !== null),
    ),
    logTimestamps: new Set(events.map((e) => e.ts)),
    stdoutTimestamps: new Set(lines.map((line) => String(line.ts_utc))),
    lines: events.length + lines.length,
    otlpTimesMs,
    stoppedAtMs,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mm-freeze-'));
  sim = await startSimulator({ symbols: ['BTCUSDT'], seed: 5 });
  proxy = new RestProxy();
  restUrl = await proxy.start(sim.restUrl);
  runs.push(await tradeOnce('first'));
  runs.push(await tradeOnce('second'));
}, 150_000);

afterAll(async () => {
  await proxy?.stop();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('MM_FREEZE_UTC_ISO with a venue', () => {
  it('keeps every event-log ts and stdout ts_utc at the frozen instant', () => {
    for (const run of runs) {
      expect(run.lines).toBeGreaterThan(20);
      expect([...run.logTimestamps]).toEqual([FROZEN_TS]);
      expect([...run.stdoutTimestamps]).toEqual([FROZEN_TS]);
    }
  });

  it('stamps OTLP log records with the real time', () => {
    for (const run of runs) {
      expect(run.otlpTimesMs.length).toBeGreaterThan(20);
      for (const ms of run.otlpTimesMs) expect(Math.abs(ms - run.stoppedAtMs)).toBeLessThan(120_000);
    }
  });

  it('signs requests with the real, advancing time', () => {
    for (const run of runs) {
      const stamps = run.signed.map((r) => Number(r.params.get('timestamp')));
      const distinct = new Set(stamps);
      expect(distinct.size, `${distinct.size} distinct timestamps in ${stamps.length} signed requests`).toBeGreaterThanOrEqual(10);
      expect(Math.max(...stamps) - Math.min(...stamps)).toBeGreaterThanOrEqual(2000);
      // The venue is the simulator on this machine's clock: a signed timestamp is close to when it arrived.
      const lastStamp = stamps.at(-1) ?? 0;
      expect(Math.abs(lastStamp - (run.signed.at(-1)?.atMs ?? 0))).toBeLessThan(5000);
    }
  });

  it('gives a restarted runner client order ids of its own', () => {
    const [first, second] = runs;
    expect(first?.clientIds.size).toBeGreaterThan(5);
    expect(second?.clientIds.size).toBeGreaterThan(5);
    const reused = [...(second?.clientIds ?? [])].filter((id) => first?.clientIds.has(id));
    expect(reused).toEqual([]);
  });
});
