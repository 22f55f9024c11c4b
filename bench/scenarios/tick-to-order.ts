/**
 * Scenario 2: tick to order. A simulator process publishes bookTicker frames; in alternating
 * rounds the floor program, the fully instrumented runner and the runner without telemetry
 * each react for a fixed time. p50/p99 of frame -> order request written, each against the
 * floor measured in the same run.
 */
import { Child, flag, tell } from '../lib/proc.ts';
import { dist, median, p99, round } from '../lib/stats.ts';

const quick = flag('quick');
const ROUNDS = quick ? 2 : 4;
const SECONDS = quick ? 6 : 15;
const sim = new Child('servers/sim.ts', ['--step-ms=40', '--vol=4']);
const sink = new Child('servers/otlp-sink.ts');
const s = await sim.expect('ready');
const otlp = String((await sink.expect('ready')).url);
const variants = ['floor', 'full', 'bare'] as const;
const all: Record<string, number[]> = { floor: [], full: [], bare: [] };
const perRound: Record<string, { p50: number[]; p99: number[] }> = { floor: { p50: [], p99: [] }, full: { p50: [], p99: [] }, bare: { p50: [], p99: [] } };
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? variants : ([...variants].reverse() as unknown as typeof variants);
  for (const v of order) {
    const child = new Child('scenarios/runner-child.ts', [
      `--variant=${v}`,
      `--seconds=${SECONDS}`,
      '--warmup=2',
      `--rest=${String(s.restUrl)}`,
      `--ws=${String(s.wsUrl)}`,
      `--otlp=${otlp}`,
      `--key=${String(s.apiKey)}`,
      `--secret=${String(s.apiSecret)}`,
    ]);
    const m = await child.expect('result');
    await child.waitExit();
    const lat = m.latencies as number[];
    all[v]?.push(...lat);
    perRound[v]?.p50.push(median(lat));
    perRound[v]?.p99.push(p99(lat));
  }
}
await sim.stop();
await sink.stop();
const ratio = (v: string, q: 'p50' | 'p99') => {
  const a = perRound[v]?.[q] ?? [];
  const b = perRound.floor?.[q] ?? [];
  return round(median(a.map((x, i) => x / (b[i] as number))));
};
const result = {
  scenario: 'tick-to-order',
  rounds: ROUNDS,
  secondsPerVariant: SECONDS,
  latencyUs: { floor: dist(all.floor ?? []), full: dist(all.full ?? []), bare: dist(all.bare ?? []) },
  ratioToFloor: { full: { p50: ratio('full', 'p50'), p99: ratio('full', 'p99') }, bare: { p50: ratio('bare', 'p50'), p99: ratio('bare', 'p99') } },
  headline: { fullP50: dist(all.full ?? []).p50, floorP50: dist(all.floor ?? []).p50 },
  targets: [
    { name: 'tick->order p50, full / floor', value: ratio('full', 'p50'), limit: 1.5 },
    { name: 'tick->order p99, full / floor', value: ratio('full', 'p99'), limit: 2 },
  ],
};
tell({ type: 'result', result });
