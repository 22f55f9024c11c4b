/**
 * `node bench/ws-presend-profile.ts [full|bare|full-buffered] [seconds]`: where the runner's CPU
 * goes between a bookTicker frame and its first WebSocket API frame (the work the "transports"
 * scenario's tick to order times over its floor). Runs the scenario's runner child over the
 * WebSocket API under V8's sampling profiler (every 50 us) and keeps the samples taken inside the
 * market-data frame's handler before the first frame reaches ws's sender. A diagnostic for
 * BENCHMARKS.md §7, not a benchmark: the profiler slows what it samples, so read shares, not times.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child, venueArgs } from './lib/proc.ts';
import { median } from './lib/stats.ts';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const WRITE_AHEAD = 'write-ahead: intent lines serialized and written before the frame';
const OTHER = 'everything else';
/** Named stages, first match wins (a sample's stack is searched for each in this order). */
const STAGES: ReadonlyArray<readonly [string, (frame: ProfileNode['callFrame']) => boolean]> = [
  [WRITE_AHEAD, (f) => f.url.endsWith('/src/telemetry/event-log.ts')],
  ['the decision (MarketMaker.decide)', (f) => f.url.endsWith('/src/core/market-maker.ts') && f.functionName === 'decide'],
  ['signing the request', (f) => f.url.endsWith('/src/exchange/ws-api-signing.ts')],
  ['starting the decision span', (f) => f.url.endsWith('/src/runner/decision-tracing.ts')],
  ['parsing the bookTicker frame', (f) => f.url.endsWith('/src/exchange/wire/market.ts')],
];

const variant = process.argv[2] ?? 'full';
const seconds = Number(process.argv[3] ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'mm-presend-'));
const sim = new Child('servers/sim.ts', ['--step-ms=40', '--vol=4']);
const sink = new Child('servers/otlp-sink.ts');
const s = await sim.expect('ready');
const otlp = String((await sink.expect('ready')).url);
const child = new Child(
  'scenarios/runner-child.ts',
  [`--variant=${variant}`, '--transport=ws', '--reaction=any', `--seconds=${seconds}`, '--warmup=2', ...venueArgs(s, otlp)],
  ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=50'],
);
const result = await child.expect('result');
await child.waitExit();
sim.proc.kill();
sink.proc.kill();

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (file === undefined) throw new Error(`no profile written to ${dir}`);
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
rmSync(dir, { recursive: true, force: true });

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const stackOf = (id: number): ProfileNode[] => {
  const stack: ProfileNode[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) stack.push(byId.get(at) as ProfileNode);
  return stack;
};

const byStage = new Map<string, number>();
/** Within "everything else" and the write-ahead: the innermost frame of our code (or a package's, or the runtime's) each sample was in. */
const framesOf = new Map<string, Map<string, number>>([
  [OTHER, new Map()],
  [WRITE_AHEAD, new Map()],
]);
const frameName = (n: ProfileNode): string =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*?\/(src|node_modules)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
let preSend = 0;
let handlers = 0;
/** The current handler's samples before its first frame: [stage, innermost frame, duration us]. */
let pending: Array<readonly [string, string, number]> = [];
let inHandler = false;
let sent = false;
for (let i = 0; i < profile.samples.length; i++) {
  const stack = stackOf(profile.samples[i] as number);
  if (!stack.some((n) => n.callFrame.url.endsWith('/src/exchange/market-stream.ts'))) {
    inHandler = false;
    continue;
  }
  if (!inHandler) [inHandler, sent, pending] = [true, false, []];
  if (sent) continue;
  if (stack.some((n) => n.callFrame.url.endsWith('/ws/lib/sender.js'))) {
    // Only handlers seen writing a frame count: a tick that sends nothing has no "before".
    sent = true;
    handlers += 1;
    for (const [stage, frame, dt] of pending) {
      preSend += dt;
      byStage.set(stage, (byStage.get(stage) ?? 0) + dt);
      const frames = framesOf.get(stage);
      frames?.set(frame, (frames.get(frame) ?? 0) + dt);
    }
    continue;
  }
  const stage = STAGES.find(([, matches]) => stack.some((n) => matches(n.callFrame)))?.[0] ?? OTHER;
  const innermost = stack.find((n) => /\/(src|node_modules)\/|^node:/.test(n.callFrame.url)) ?? (stack[0] as ProfileNode);
  pending.push([stage, frameName(innermost), profile.timeDeltas[i + 1] ?? 0]);
}

const latencies = result.latencies as number[];
process.stdout.write(
  `${variant} over the WebSocket API, profiled: tick to order p50 ${median(latencies).toFixed(0)} us over ${latencies.length} ticks; ` +
    `${handlers} frame handlers seen writing a frame, ${(preSend / 1000).toFixed(0)} ms of samples before it\n`,
);
for (const [stage, us] of [...byStage].sort((a, b) => b[1] - a[1])) {
  process.stdout.write(`  ${((100 * us) / preSend).toFixed(1).padStart(5)}%  ${stage}\n`);
}
for (const [stage, frames] of framesOf) {
  process.stdout.write(`  ${stage}, by the innermost frame of our code, a package's or the runtime's:\n`);
  for (const [frame, us] of [...frames].sort((a, b) => b[1] - a[1]).slice(0, 10)) {
    process.stdout.write(`    ${((100 * us) / preSend).toFixed(1).padStart(5)}%  ${frame}\n`);
  }
}
process.exit(0);
