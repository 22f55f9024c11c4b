/**
 * Scenario 3: throughput. The runner against a simulator stepping its market every 5 ms, with
 * full telemetry and without, alternating: order actions (POST/DELETE /fapi/v1/order written)
 * per second, and the runner's CPU per action.
 */
import { Child, flag, tell, venueArgs } from '../lib/proc.ts';
import { median, round } from '../lib/stats.ts';

const quick = flag('quick');
const ROUNDS = quick ? 2 : 4;
const SECONDS = quick ? 6 : 20;
const sim = new Child('servers/sim.ts', ['--step-ms=5', '--vol=4']);
const sink = new Child('servers/otlp-sink.ts');
const s = await sim.expect('ready');
const otlp = String((await sink.expect('ready')).url);
const rate: Record<string, number[]> = { full: [], bare: [] };
const cpu: Record<string, number[]> = { full: [], bare: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const v of r % 2 === 0 ? (['bare', 'full'] as const) : (['full', 'bare'] as const)) {
    const child = new Child('scenarios/runner-child.ts', [`--variant=${v}`, `--seconds=${SECONDS}`, '--warmup=3', ...venueArgs(s, otlp)]);
    const m = await child.expect('result');
    await child.waitExit();
    const actions = Number(m.orderRequests);
    rate[v]?.push(actions / Number(m.elapsedS));
    cpu[v]?.push(Number(m.cpuUs) / Math.max(1, actions));
  }
}
await sim.stop();
await sink.stop();
const ratios = (rate.full ?? []).map((x, i) => x / ((rate.bare ?? [])[i] as number));
const result = {
  scenario: 'throughput',
  rounds: ROUNDS,
  secondsPerVariant: SECONDS,
  actionsPerSecond: { full: round(median(rate.full ?? []), 1), bare: round(median(rate.bare ?? []), 1) },
  fullOverBare: round(median(ratios)),
  cpuPerActionUs: { full: round(median(cpu.full ?? []), 1), bare: round(median(cpu.bare ?? []), 1) },
  perRound: { full: (rate.full ?? []).map((x) => round(x, 1)), bare: (rate.bare ?? []).map((x) => round(x, 1)) },
  headline: { full: round(median(rate.full ?? []), 1), bare: round(median(rate.bare ?? []), 1) },
  targets: [],
};
tell({ type: 'result', result });
