/**
 * Scenario 2: tick to order. A simulator process publishes bookTicker frames; in alternating
 * rounds the floor program, the runner with our telemetry (and the same without write-ahead, to
 * show what writing each intent line before its request costs), the runner without telemetry, the
 * runner of the "before" tree (the hand-written telemetry) and the runner with the
 * documented-setup telemetry each react for a fixed time, each in a process of its own. p50/p99
 * of frame -> order request written, each against the floor measured in the same round.
 */
import { join } from 'node:path';
import { beforeTree } from '../lib/before-tree.ts';
import { Child, flag, tell, venueArgs } from '../lib/proc.ts';
import { dist, median, p99, round } from '../lib/stats.ts';

const quick = flag('quick');
const ROUNDS = quick ? 2 : 4;
const SECONDS = quick ? 6 : 15;
const sim = new Child('servers/sim.ts', ['--step-ms=40', '--vol=4']);
const sink = new Child('servers/otlp-sink.ts');
const s = await sim.expect('ready');
const otlp = String((await sink.expect('ready')).url);
const VARIANTS = ['floor', 'full', 'full-buffered', 'bare', 'before', 'documented'] as const;
type Variant = (typeof VARIANTS)[number];
const beforeChild = join(beforeTree(), 'bench', 'scenarios', 'runner-child.ts');
const all = Object.fromEntries(VARIANTS.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
const perRound = Object.fromEntries(VARIANTS.map((v) => [v, { p50: [] as number[], p99: [] as number[] }])) as Record<
  Variant,
  { p50: number[]; p99: number[] }
>;
for (let r = 0; r < ROUNDS; r++) {
  const order = VARIANTS.map((_, i) => VARIANTS[(i + r) % VARIANTS.length] as Variant);
  for (const v of order) {
    const script = v === 'before' ? beforeChild : 'scenarios/runner-child.ts';
    const child = new Child(script, [`--variant=${v === 'before' ? 'full' : v}`, `--seconds=${SECONDS}`, '--warmup=2', ...venueArgs(s, otlp)]);
    const m = await child.expect('result');
    await child.waitExit();
    const lat = m.latencies as number[];
    all[v].push(...lat);
    perRound[v].p50.push(median(lat));
    perRound[v].p99.push(p99(lat));
  }
}
await sim.stop();
await sink.stop();
/** Median over rounds of the variant's quantile over the floor's in the same round. */
const ratio = (v: Variant, q: 'p50' | 'p99') => round(median(perRound[v][q].map((x, i) => x / (perRound.floor[q][i] as number))));
const ratios = Object.fromEntries(VARIANTS.filter((v) => v !== 'floor').map((v) => [v, { p50: ratio(v, 'p50'), p99: ratio(v, 'p99') }]));
const result = {
  scenario: 'tick-to-order',
  rounds: ROUNDS,
  secondsPerVariant: SECONDS,
  latencyUs: Object.fromEntries(VARIANTS.map((v) => [v, dist(all[v])])),
  ratioToFloor: ratios,
  headline: { fullP50: dist(all.full).p50, floorP50: dist(all.floor).p50, ratioToFloor: ratios },
  targets: [
    { name: 'tick->order p50, full / floor', value: ratio('full', 'p50'), limit: 1.2 },
    { name: 'tick->order p99, full / floor', value: ratio('full', 'p99'), limit: 1.6 },
    { name: 'tick->order p50, (full - documented) / floor', value: round(ratio('full', 'p50') - ratio('documented', 'p50')), limit: 0 },
    { name: 'tick->order p99, (full - documented) / floor', value: round(ratio('full', 'p99') - ratio('documented', 'p99')), limit: 0 },
  ],
};
tell({ type: 'result', result });
