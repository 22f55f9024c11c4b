/**
 * Scenario 6: memory and back-pressure. Two fully instrumented runners trade at a high rate
 * (market step 10 ms) for 10 minutes (--quick: 60 s), each against its own simulator and OTLP
 * sink: one with the collector up, one with it down (connection refused) for the first half
 * and black-holing (accepts, never answers) for the second. RSS, heap used and the heap retained
 * after each major GC are sampled; memory is flat when the median of the last fifth is within
 * 10% of the median of the second fifth, for RSS and for the retained heap (heap used at a random
 * moment is reported too, but is mostly uncollected garbage).
 * Drops must be counted and trading must continue in every phase.
 */
import { Child, flag, sleep, tell, venueArgs } from '../lib/proc.ts';
import { median, round } from '../lib/stats.ts';

const quick = flag('quick');
const SECONDS = quick ? 60 : 600;
const SAMPLE_MS = quick ? 1000 : 5000;

interface Sample {
  t: number;
  rss: number;
  heapUsed: number;
  /** Heap used right after the last major GC since the previous sample, if one ran. */
  heapAfterMajorGc: number | null;
  orderRequests: number;
}

async function start(name: string) {
  const sim = new Child('servers/sim.ts', ['--step-ms=10', '--vol=3']);
  const sink = new Child('servers/otlp-sink.ts');
  const s = await sim.expect('ready');
  const otlp = String((await sink.expect('ready')).url);
  const runner = new Child('scenarios/runner-child.ts', [
    '--variant=full',
    `--seconds=${SECONDS}`,
    '--warmup=5',
    `--sample-ms=${SAMPLE_MS}`,
    ...venueArgs(s, otlp),
  ]);
  const samples: Sample[] = [];
  runner.proc.on('message', (raw) => {
    const m = raw as { type: string } & Sample;
    if (m.type === 'sample') samples.push({ t: m.t, rss: m.rss, heapUsed: m.heapUsed, heapAfterMajorGc: m.heapAfterMajorGc, orderRequests: m.orderRequests });
  });
  return { name, sim, sink, runner, samples };
}

const up = await start('collector-up');
const down = await start('collector-down-then-blackhole');
down.sink.send({ type: 'mode', mode: 'down' });
await down.runner.expect('started');
await up.runner.expect('started');
// Switch the second collector to black-holing halfway through the measured window.
await sleep(5000 + (SECONDS * 1000) / 2);
down.sink.send({ type: 'mode', mode: 'blackhole' });
const results = await Promise.all(
  [up, down].map(async (run) => {
    const m = await run.runner.expect('result');
    await run.runner.waitExit();
    run.sink.send({ type: 'counts' });
    const counts = await run.sink.expect('counts');
    await run.sim.stop();
    await run.sink.stop();
    return { run, m, counts };
  }),
);

const retained = (samples: Sample[]) => samples.flatMap((s) => (s.heapAfterMajorGc === null ? [] : [s.heapAfterMajorGc]));

function analyse(samples: Sample[], from: number, to: number) {
  const window = samples.filter((s) => s.t >= from && s.t <= to);
  const fifth = (to - from) / 5;
  const early = window.filter((s) => s.t >= from + fifth && s.t < from + 2 * fifth);
  const late = window.filter((s) => s.t >= to - fifth);
  const rate = window.length > 1 ? ((window.at(-1)!.orderRequests - window[0]!.orderRequests) * 1000) / (window.at(-1)!.t - window[0]!.t) : 0;
  return {
    rssMiB: {
      early: round(median(early.map((s) => s.rss)) / 2 ** 20, 1),
      late: round(median(late.map((s) => s.rss)) / 2 ** 20, 1),
      max: round(Math.max(...window.map((s) => s.rss)) / 2 ** 20, 1),
    },
    heapMiB: { early: round(median(early.map((s) => s.heapUsed)) / 2 ** 20, 1), late: round(median(late.map((s) => s.heapUsed)) / 2 ** 20, 1) },
    retainedHeapMiB: {
      early: round(median(retained(early)) / 2 ** 20, 1),
      late: round(median(retained(late)) / 2 ** 20, 1),
      majorGcs: retained(window).length,
    },
    rssGrowth: round(median(late.map((s) => s.rss)) / median(early.map((s) => s.rss)) - 1),
    heapUsedGrowth: round(median(late.map((s) => s.heapUsed)) / median(early.map((s) => s.heapUsed)) - 1),
    heapGrowth: round(median(retained(late)) / median(retained(early)) - 1),
    orderActionsPerSecond: round(rate, 1),
  };
}

const half = (SECONDS * 1000) / 2;
const out: Record<string, unknown> = {};
const targets: Array<{ name: string; value: number; limit: number; kind?: 'min' }> = [];
for (const { run, m, counts } of results) {
  const phases =
    run === up
      ? { up: analyse(run.samples, 0, SECONDS * 1000) }
      : { down: analyse(run.samples, 0, half), blackhole: analyse(run.samples, half, SECONDS * 1000) };
  out[run.name] = {
    phases,
    dropped: m.dropped,
    sink: counts,
    orderRequests: m.orderRequests,
    samples: run.samples.map((s) => [
      Math.round(s.t / 1000),
      round(s.rss / 2 ** 20, 1),
      round(s.heapUsed / 2 ** 20, 1),
      s.heapAfterMajorGc === null ? null : round(s.heapAfterMajorGc / 2 ** 20, 1),
    ]),
  };
  for (const [phase, a] of Object.entries(phases)) {
    targets.push({ name: `RSS growth, collector ${phase}`, value: a.rssGrowth, limit: 0.1 });
    targets.push({ name: `retained heap growth (after major GC), collector ${phase}`, value: a.heapGrowth, limit: 0.1 });
    targets.push({ name: `trading continues, collector ${phase} (actions/s)`, value: a.orderActionsPerSecond, limit: 1, kind: 'min' });
  }
  if (run === down) {
    const d = m.dropped as { spans?: number; logs?: number } | null;
    targets.push({ name: 'drops counted with the collector down (items)', value: (d?.spans ?? 0) + (d?.logs ?? 0), limit: 1, kind: 'min' });
  }
}
tell({
  type: 'result',
  result: {
    scenario: 'memory',
    seconds: SECONDS,
    runs: out,
    headline: Object.fromEntries(targets.filter((t) => t.name.startsWith('RSS')).map((t) => [t.name, t.value])),
    targets,
  },
});
