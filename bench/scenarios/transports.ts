/**
 * Scenario "transports" (issue 17): orders over the WebSocket API against orders over REST. A
 * simulator process publishes bookTicker frames; in alternating rounds, each in a process of its
 * own, the floor program, the runner with our telemetry and the runner without telemetry react
 * for a fixed time, once over each transport (and, over the WebSocket API, the runner with our
 * telemetry but no write-ahead, to show what writing each intent line before its frame costs). Reported per transport: tick to order (p50/p99,
 * each against its own floor in the same round), the order round trip (request written to answer
 * received) and CPU per order; and what the instrumentation adds over each transport (full minus
 * bare, in CPU per order and in tick to order over the floor).
 */
import { Child, flag, tell, venueArgs } from '../lib/proc.ts';
import { dist, median, p99, round } from '../lib/stats.ts';

const quick = flag('quick');
const ROUNDS = quick ? 2 : 4;
const SECONDS = quick ? 6 : 15;
const sim = new Child('servers/sim.ts', ['--step-ms=40', '--vol=4']);
const sink = new Child('servers/otlp-sink.ts');
const s = await sim.expect('ready');
const otlp = String((await sink.expect('ready')).url);

const VARIANTS = ['floor-rest', 'floor-ws', 'full-rest', 'full-ws', 'bare-rest', 'bare-ws', 'full-buffered-ws'] as const;
type Variant = (typeof VARIANTS)[number];
interface Round {
  readonly tickP50: number;
  readonly tickP99: number;
  readonly tripP50: number;
  readonly cpuUsPerOrder: number;
}
const ticks = Object.fromEntries(VARIANTS.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
const trips = Object.fromEntries(VARIANTS.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
const rounds = Object.fromEntries(VARIANTS.map((v) => [v, [] as Round[]])) as Record<Variant, Round[]>;

for (let r = 0; r < ROUNDS; r++) {
  const order = VARIANTS.map((_, i) => VARIANTS[(i + r) % VARIANTS.length] as Variant);
  for (const v of order) {
    const transport = v.endsWith('-ws') ? 'ws' : 'rest';
    const kind = v.slice(0, v.length - transport.length - 1);
    const child = new Child('scenarios/runner-child.ts', [
      `--variant=${kind}`,
      `--transport=${transport}`,
      // The first reaction to a frame, new order or cancel: a new order sent once a cancel is
      // answered would time that round trip too, and the WebSocket API's answers come before the
      // user stream's (which voids a sample), REST's after.
      '--reaction=any',
      `--seconds=${SECONDS}`,
      '--warmup=2',
      ...venueArgs(s, otlp),
    ]);
    const m = await child.expect('result');
    await child.waitExit();
    const lat = m.latencies as number[];
    const rt = m.roundTrips as number[];
    if (lat.length === 0 || rt.length === 0) throw new Error(`${v}: no order measured (${String(m.orderRequests)} order requests)`);
    ticks[v].push(...lat);
    trips[v].push(...rt);
    rounds[v].push({ tickP50: median(lat), tickP99: p99(lat), tripP50: median(rt), cpuUsPerOrder: Number(m.cpuUs) / Number(m.orderRequests) });
  }
}
await sim.stop();
await sink.stop();

/** Median over rounds of `f` of the variant's round against the same round of `base`. */
const paired = (v: Variant, base: Variant, f: (a: Round, b: Round) => number): number => round(median(rounds[v].map((x, i) => f(x, rounds[base][i] as Round))));
const overFloor = (v: 'full-rest' | 'full-ws' | 'bare-rest' | 'bare-ws', q: 'tickP50' | 'tickP99') =>
  paired(v, v.endsWith('ws') ? 'floor-ws' : 'floor-rest', (a, b) => a[q] / b[q]);
const cpu = (v: Variant) => round(median(rounds[v].map((x) => x.cpuUsPerOrder)), 1);
/** What the instrumentation adds per order over a transport: full minus bare, CPU us, per round. */
const addedCpu = (t: 'rest' | 'ws') => paired(`full-${t}`, `bare-${t}`, (a, b) => a.cpuUsPerOrder - b.cpuUsPerOrder);
/** What it adds before the first request is written: full minus bare, tick to order p50 in us, per round. */
const addedTick = (t: 'rest' | 'ws') => paired(`full-${t}`, `bare-${t}`, (a, b) => a.tickP50 - b.tickP50);

const tripRatio = paired('full-ws', 'full-rest', (a, b) => a.tripP50 / b.tripP50);
const result = {
  scenario: 'transports',
  rounds: ROUNDS,
  secondsPerVariant: SECONDS,
  tickToOrderUs: Object.fromEntries(VARIANTS.map((v) => [v, dist(ticks[v])])),
  roundTripUs: Object.fromEntries(VARIANTS.map((v) => [v, dist(trips[v])])),
  cpuUsPerOrder: Object.fromEntries(VARIANTS.map((v) => [v, cpu(v)])),
  tickOverFloor: {
    'full-ws': { p50: overFloor('full-ws', 'tickP50'), p99: overFloor('full-ws', 'tickP99') },
    'full-buffered-ws': {
      p50: paired('full-buffered-ws', 'floor-ws', (a, b) => a.tickP50 / b.tickP50),
      p99: paired('full-buffered-ws', 'floor-ws', (a, b) => a.tickP99 / b.tickP99),
    },
    'full-rest': { p50: overFloor('full-rest', 'tickP50'), p99: overFloor('full-rest', 'tickP99') },
    'bare-ws': { p50: overFloor('bare-ws', 'tickP50'), p99: overFloor('bare-ws', 'tickP99') },
    'bare-rest': { p50: overFloor('bare-rest', 'tickP50'), p99: overFloor('bare-rest', 'tickP99') },
  },
  roundTripP50WsOverRest: { runner: tripRatio, floor: paired('floor-ws', 'floor-rest', (a, b) => a.tripP50 / b.tripP50) },
  instrumentation: {
    cpuUsPerOrder: { ws: addedCpu('ws'), rest: addedCpu('rest') },
    tickToOrderP50Us: { ws: addedTick('ws'), rest: addedTick('rest') },
  },
  headline: {
    wsTickOverFloor: { p50: overFloor('full-ws', 'tickP50'), p99: overFloor('full-ws', 'tickP99') },
    roundTripWsOverRest: tripRatio,
    cpuUsPerOrder: { ws: cpu('full-ws'), rest: cpu('full-rest') },
  },
  targets: [
    { name: 'ws tick->order p50, full / floor', value: overFloor('full-ws', 'tickP50'), limit: 1.2 },
    { name: 'ws tick->order p99, full / floor', value: overFloor('full-ws', 'tickP99'), limit: 1.6 },
    { name: 'order round trip p50, ws / rest (runner)', value: tripRatio, limit: 1 },
    { name: 'instrumentation CPU/order us, ws - rest', value: round(addedCpu('ws') - addedCpu('rest'), 1), limit: 0 },
    { name: 'instrumentation tick->order p50 us, ws - rest', value: round(addedTick('ws') - addedTick('rest'), 1), limit: 0 },
  ],
};
tell({ type: 'result', result });
