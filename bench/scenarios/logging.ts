/**
 * Scenario 5: logging. Cost per record, alternating variants in rounds of N records each,
 * writes included (every variant ends its round with the writes it buffered):
 *   event log (EventLog.write + its batched synchronous writes),
 *   JSON.stringify + fs.writeSync of the same object, one write per record,
 *   pino writing it (pino.destination, sync and async),
 *   stdout logger, and the OTel log bridge (sync emit; and CPU with the OTLP export).
 * Then the SIGTERM check: the real runner (src/main.ts, embedded simulator) trades, gets
 * SIGTERM, and its event log must hold every line (each order_submit answered, runner_stopped last).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Price, Quantity } from '../../src/core/event-values.ts';
import { domainEvent, type DomainEvent } from '../../src/core/events.ts';
import { asSteps, asTicks } from '../../src/core/instrument.ts';
import { SystemClock, UtcNanosFormatter } from '../../src/runner/clocks.ts';
import { AfterWire } from '../../src/telemetry/after-wire.ts';
import { EventLog } from '../../src/telemetry/event-log.ts';
import { OrderContexts } from '../../src/telemetry/order-contexts.ts';
import { OtelEventBridge } from '../../src/telemetry/otel-events.ts';
import { startTelemetry } from '../../src/telemetry/sdk.ts';
import { StdoutLogger } from '../../src/telemetry/stdout-logger.ts';
import { Child, flag, REPO_ROOT, sleep, tell } from '../lib/proc.ts';
import { fixtureInstrument } from '../lib/instruments.ts';
import { devNull } from '../lib/stack.ts';
import { cpuMicros, median, p99, pairedRatio, round } from '../lib/stats.ts';

const quick = flag('quick');
const ROUNDS = quick ? 10 : 40;
const N = quick ? 2000 : 5000;
const dir = mkdtempSync(join(tmpdir(), 'mm-bench-log-'));
const sink = new Child('servers/otlp-sink.ts');
const otlp = String((await sink.expect('ready')).url);
const clock = new SystemClock();
const afterWire = new AfterWire(clock);
const telemetry = startTelemetry({
  clock,
  afterWire,
  serviceVersion: '0.1.0',
  environment: 'bench',
  otelEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp },
  flushTimeoutMs: 3000,
});
const timestamp = new UtcNanosFormatter(clock).now;
const eventLog = new EventLog({ path: join(dir, 'events.log'), timestamp, clock, knownSecrets: ['benchApiKey0123456789'] });
const stdoutLogger = new StdoutLogger({ timestamp, clock, out: devNull(), knownSecrets: ['benchApiKey0123456789'], afterWire });
const stdoutListener = stdoutLogger.eventListener();
const bridge = new OtelEventBridge(new OrderContexts(), afterWire).listener();
const jsonFd = openSync(join(dir, 'json.log'), 'a');
const pinoSync = pino({ base: null }, pino.destination({ dest: join(dir, 'pino-sync.log'), sync: true }));
const pinoAsyncDest = pino.destination({ dest: join(dir, 'pino-async.log'), sync: false, minLength: 4096 });
const pinoAsync = pino({ base: null }, pinoAsyncDest);
await new Promise((resolve) => pinoAsyncDest.once('ready', resolve));

let seq = 0;
const btc = fixtureInstrument('BTCUSDT');

function event(): DomainEvent {
  seq++;
  const draft = domainEvent(
    'order_submit_result',
    {
      symbol: 'BTCUSDT',
      client_id: `mm-x-${seq}`,
      side: 'BUY',
      type: 'LIMIT',
      price: new Price(btc, asTicks(650_001)),
      qty: new Quantity(btc, asSteps(5)),
      duration_ms: 0.231,
      outcome: 'accepted',
      order_id: String(8_000_000 + seq),
      error: null,
      error_code: null,
      transport: 'ws',
    },
    `mm-x-${seq}`,
  );
  return { ...draft, atMs: clock.nowMs() };
}

type Variant = 'eventLog' | 'jsonWriteSync' | 'pinoSync' | 'pinoAsync' | 'stdoutLogger' | 'otelEmit' | 'otelWithExport';
const variants: Variant[] = ['eventLog', 'jsonWriteSync', 'pinoSync', 'pinoAsync', 'stdoutLogger', 'otelEmit', 'otelWithExport'];
const perRecord: Record<Variant, number[]> = {
  eventLog: [],
  jsonWriteSync: [],
  pinoSync: [],
  pinoAsync: [],
  stdoutLogger: [],
  otelEmit: [],
  otelWithExport: [],
};
const events = Array.from({ length: N }, () => event());

async function run(v: Variant): Promise<number> {
  const t0 = performance.now();
  const c0 = cpuMicros();
  switch (v) {
    case 'eventLog':
      for (const e of events) eventLog.write(e);
      eventLog.flush();
      break;
    case 'jsonWriteSync':
      for (const e of events) writeSync(jsonFd, `${JSON.stringify({ event: e.event, ts: timestamp(), ...e.fields })}\n`);
      break;
    case 'pinoSync':
      for (const e of events) pinoSync.info({ event: e.event, ...e.fields });
      break;
    case 'pinoAsync':
      for (const e of events) pinoAsync.info({ event: e.event, ...e.fields });
      pinoAsyncDest.flushSync();
      break;
    case 'stdoutLogger':
      for (const e of events) stdoutListener(e);
      stdoutLogger.flush();
      break;
    case 'otelEmit':
      for (const e of events) bridge(e);
      break;
    case 'otelWithExport':
      for (const e of events) bridge(e);
      await telemetry.flush();
      return (cpuMicros() - c0) / N;
  }
  const us = ((performance.now() - t0) * 1000) / N;
  if (v === 'otelEmit') await telemetry.flush();
  return us;
}

for (let r = 0; r < ROUNDS + 2; r++) {
  const order = r % 2 === 0 ? variants : [...variants].reverse();
  for (const v of order) {
    const us = await run(v);
    if (r >= 2) perRecord[v].push(us);
  }
}

// The floor of write-ahead on this machine: one synchronous write of an intent-sized line (and,
// alone, the serialization of one) after the event loop was idle 40 ms, as a tick's order is;
// and the same write to /dev/null, which no disk or file system is behind.
const floorFd = openSync(join(dir, 'floor.log'), 'a');
const nullFd = openSync('/dev/null', 'a');
const intentLine = `${JSON.stringify({ event: 'order_submit', ts: timestamp(), ...events[0]?.fields })}\n`;
const idleWriteUs: number[] = [];
const hotWriteUs: number[] = [];
const idleNullWriteUs: number[] = [];
for (let i = 0; i < (quick ? 50 : 200); i++) {
  const fd = i % 2 === 0 ? floorFd : nullFd;
  await sleep(40);
  let t0 = performance.now();
  writeSync(fd, intentLine);
  (fd === floorFd ? idleWriteUs : idleNullWriteUs).push((performance.now() - t0) * 1000);
  t0 = performance.now();
  writeSync(fd, intentLine);
  if (fd === floorFd) hotWriteUs.push((performance.now() - t0) * 1000);
}
closeSync(floorFd);
closeSync(nullFd);

// SIGTERM: the real runner, killed while trading.
const runDir = mkdtempSync(join(tmpdir(), 'mm-bench-sigterm-'));
const logPath = join(runDir, 'events.log');
const child = spawn(process.execPath, ['src/main.ts'], {
  cwd: REPO_ROOT,
  env: {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    MM_EVENT_LOG: logPath,
    MM_OBS_PORT: '0',
    MM_SIM_PORT: '0',
    MM_LOG_LEVEL: 'warn',
    MM_REQUOTE_TOLERANCE_TICKS: '0',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
  },
  stdio: ['ignore', 'ignore', 'pipe'],
});
let stderr = '';
child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
await sleep(quick ? 5000 : 10_000);
child.kill('SIGTERM');
const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
const lines = readFileSync(logPath, 'utf8')
  .split('\n')
  .filter((l) => l.length > 0);
let parsed = 0;
const submits = new Set<string>();
const results = new Set<string>();
let last = '';
for (const line of lines) {
  const e = JSON.parse(line) as { event: string; client_id?: string };
  parsed++;
  last = e.event;
  if (e.event === 'order_submit' && e.client_id) submits.add(e.client_id);
  if (e.event === 'order_submit_result' && e.client_id) results.add(e.client_id);
}
const unanswered = [...submits].filter((id) => !results.has(id)).length;
const sigterm = {
  exitCode: code,
  lines: lines.length,
  parsed,
  orderSubmits: submits.size,
  unansweredSubmits: unanswered,
  lastEvent: last,
  lossless: code === 0 && parsed === lines.length && unanswered === 0 && last === 'runner_stopped' && submits.size > 0,
  stderr: stderr.slice(-500),
};

eventLog.close();
afterWire.close();
stdoutLogger.flush();
closeSync(jsonFd);
await telemetry.shutdown();
await sink.stop();
rmSync(dir, { recursive: true, force: true });
rmSync(runDir, { recursive: true, force: true });

const m = (v: Variant) => round(median(perRecord[v]), 3);
const ratio = round(pairedRatio(perRecord.eventLog, perRecord.jsonWriteSync));
tell({
  type: 'result',
  result: {
    scenario: 'logging',
    rounds: ROUNDS,
    recordsPerRound: N,
    intentWriteFloorUs: {
      afterIdle: { p50: round(median(idleWriteUs), 2), p99: round(p99(idleWriteUs), 2) },
      rightAfter: round(median(hotWriteUs), 2),
      toDevNullAfterIdle: { p50: round(median(idleNullWriteUs), 2), p99: round(p99(idleNullWriteUs), 2) },
    },
    perRecordUs: {
      eventLog: m('eventLog'),
      jsonStringifyWriteSync: m('jsonWriteSync'),
      pinoSync: m('pinoSync'),
      pinoAsync: m('pinoAsync'),
      stdoutLogger: m('stdoutLogger'),
      otelLogEmit: m('otelEmit'),
      otelLogCpuWithExport: m('otelWithExport'),
    },
    ratios: {
      eventLogOverJsonWriteSync: ratio,
      eventLogOverPinoSync: round(pairedRatio(perRecord.eventLog, perRecord.pinoSync)),
      eventLogOverPinoAsync: round(pairedRatio(perRecord.eventLog, perRecord.pinoAsync)),
      otelEmitOverJsonWriteSync: round(pairedRatio(perRecord.otelEmit, perRecord.jsonWriteSync)),
    },
    sigterm,
    headline: { eventLogUs: m('eventLog'), jsonUs: m('jsonWriteSync'), sigtermLossless: sigterm.lossless },
    targets: [
      { name: 'event-log record / (JSON.stringify + writeSync)', value: ratio, limit: 1 },
      { name: 'event log loses no line on SIGTERM (1 = lossless)', value: sigterm.lossless ? 1 : 0, limit: 1, kind: 'min' },
    ],
  },
});
