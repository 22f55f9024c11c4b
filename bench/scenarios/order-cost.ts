/**
 * Scenario 1: instrumentation cost per order. The real REST order path (OrderExecutor ->
 * BinanceVenue -> REST client -> undici) against a keep-alive loopback server in another
 * process, in five variants, each in a process of its own (order-variant.ts), alternated block
 * by block in rotated order: bare, ours (the src/app.ts stack, OTLP to a loopback sink),
 * ours-buffered (ours with an event log that writes nothing ahead: what write-ahead costs),
 * before (the hand-written telemetry this issue removed) and documented (NodeSDK with the undici
 * and pino instrumentations). Each instrumented variant exports to a sink of its own, which
 * counts what arrives. Per order: round trip, process CPU (deferred telemetry and the flush of
 * every sink included), and the work before the request is on the wire (OrderExecutor.place to
 * undici's `undici:client:sendHeaders`).
 */
import { arg, Child, flag, tell } from '../lib/proc.ts';
import { dist, median, pairedDelta, pairedRatio, round } from '../lib/stats.ts';

const quick = flag('quick');
const ROUNDS = quick ? 10 : 40;
const BLOCK = quick ? 150 : 300;
const WARMUP_ROUNDS = 2;
const VARIANTS = ['bare', 'ours', 'ours-buffered', 'before', 'documented'] as const;
type Variant = (typeof VARIANTS)[number];
/** `--only=ours,bare` runs those variants alone. */
const only = arg('only', '');
const selected = VARIANTS.filter((v) => only === '' || only.split(',').includes(v));

const server = new Child('servers/order-server.ts');
const restUrl = String((await server.expect('ready')).url);
const sinks = new Map<Variant, Child>();
const children = new Map<Variant, Child>();
for (const variant of selected) {
  let otlp = '';
  if (variant !== 'bare') {
    const sink = new Child('servers/otlp-sink.ts');
    otlp = String((await sink.expect('ready')).url);
    sinks.set(variant, sink);
  }
  const child = new Child('scenarios/order-variant.ts', [`--variant=${variant}`, `--rest=${restUrl}`, `--otlp=${otlp}`, `--block=${BLOCK}`]);
  await child.expect('ready');
  children.set(variant, child);
}

async function ask(variant: Variant, cmd: string, reply: string) {
  const child = children.get(variant) as Child;
  child.send({ type: 'cmd', cmd });
  return child.expect(reply);
}

async function sinkCounts(variant: Variant): Promise<{ spans: number; logs: number }> {
  const sink = sinks.get(variant);
  if (sink === undefined) return { spans: 0, logs: 0 };
  sink.send({ type: 'counts' });
  const c = await sink.expect('counts');
  return { spans: Number(c.spans), logs: Number(c.logs) };
}

const newRow = () => ({ rtt: [] as number[], prewire: [] as number[], cpu: [] as number[], allRtt: [] as number[], allPrewire: [] as number[] });
const rows = Object.fromEntries(VARIANTS.map((v) => [v, newRow()])) as Record<Variant, ReturnType<typeof newRow>>;
const countsBefore = new Map<Variant, { spans: number; logs: number }>();
for (let r = 0; r < ROUNDS + WARMUP_ROUNDS; r++) {
  const order = selected.map((_, i) => selected[(i + r) % selected.length] as Variant);
  for (const variant of order) {
    const b = await ask(variant, 'block', 'block-result');
    if (r < WARMUP_ROUNDS) continue;
    const rtt = b.rtt as number[];
    const prewire = b.prewire as number[];
    const row = rows[variant];
    row.rtt.push(median(rtt));
    row.prewire.push(median(prewire));
    row.cpu.push(Number(b.cpuPerOrder));
    row.allRtt.push(...rtt);
    row.allPrewire.push(...prewire);
  }
  if (r === WARMUP_ROUNDS - 1) for (const variant of selected) countsBefore.set(variant, await sinkCounts(variant));
}

const signals: Record<string, unknown> = {};
for (const variant of selected) {
  if (variant === 'bare') continue;
  const now = await sinkCounts(variant);
  const was = countsBefore.get(variant) ?? { spans: 0, logs: 0 };
  const orders = ROUNDS * BLOCK;
  signals[variant] = { spansPerOrder: round((now.spans - was.spans) / orders, 3), logRecordsPerOrder: round((now.logs - was.logs) / orders, 3) };
}
const decisionSpan: Record<string, unknown> = {};
for (const variant of selected) {
  if (variant === 'bare' || variant === 'ours-buffered') continue;
  const s = await ask(variant, 'spans', 'spans-result');
  decisionSpan[variant] = { onTheDecisionPathUs: dist(s.startUs as number[]), deferredUs: dist(s.deferredUs as number[]) };
}
for (const child of children.values()) {
  child.send({ type: 'cmd', cmd: 'stop' });
  await child.waitExit();
}
await server.stop();
for (const sink of sinks.values()) await sink.stop();

const has = (v: Variant) => rows[v].rtt.length > 0;
/** Paired per round against bare: round trip ratio, added work before the wire, CPU ratio. */
function versusBare(v: Variant) {
  if (!has(v) || !has('bare')) return null;
  return {
    roundTripRatio: round(pairedRatio(rows[v].rtt, rows.bare.rtt)),
    addedRoundTripUs: round(pairedDelta(rows[v].rtt, rows.bare.rtt), 1),
    addedPrewireUs: round(pairedDelta(rows[v].prewire, rows.bare.prewire), 2),
    cpuRatio: round(pairedRatio(rows[v].cpu, rows.bare.cpu)),
    addedCpuUs: round(pairedDelta(rows[v].cpu, rows.bare.cpu), 1),
  };
}
/** Paired per round: ours against another variant (negative: ours costs less). */
function oursVersus(v: Variant) {
  if (!has(v) || !has('ours')) return null;
  return {
    roundTripUs: round(pairedDelta(rows.ours.rtt, rows[v].rtt), 1),
    prewireUs: round(pairedDelta(rows.ours.prewire, rows[v].prewire), 2),
    cpuPerOrderUs: round(pairedDelta(rows.ours.cpu, rows[v].cpu), 1),
    roundTripP99Us: round(dist(rows.ours.allRtt).p99 - dist(rows[v].allRtt).p99, 1),
  };
}
const perVariant = Object.fromEntries(
  selected.map((v) => [
    v,
    { roundTripUs: dist(rows[v].allRtt), prewireUs: dist(rows[v].allPrewire), cpuPerOrderUs: round(median(rows[v].cpu), 1), versusBare: versusBare(v) },
  ]),
);
const ours = versusBare('ours');
const buffered = versusBare('ours-buffered');
const documented = versusBare('documented');
const vsDocumented = oursVersus('documented');
const writeAhead = oursVersus('ours-buffered');
const result = {
  scenario: 'order-cost',
  rounds: ROUNDS,
  ordersPerBlock: BLOCK,
  variants: perVariant,
  oursVersusBefore: oursVersus('before'),
  oursVersusDocumented: vsDocumented,
  writeAhead,
  decisionSpan,
  signals,
  headline: { ours, documented },
  targets: [
    ...(ours === null
      ? []
      : [
          { name: 'round trip, ours / bare', value: ours.roundTripRatio, limit: 1.05 },
          { name: 'work before the wire, ours - bare (us)', value: ours.addedPrewireUs, limit: 5 },
          { name: 'CPU per order, ours / bare', value: ours.cpuRatio, limit: 2 },
        ]),
    ...(buffered === null ? [] : [{ name: 'work before the wire without write-ahead, - bare (us)', value: buffered.addedPrewireUs, limit: 5 }]),
    ...(vsDocumented === null || documented === null || ours === null
      ? []
      : [
          { name: 'round trip, ours - documented (us)', value: vsDocumented.roundTripUs, limit: 0 },
          { name: 'work before the wire, ours - documented (us)', value: vsDocumented.prewireUs, limit: 0 },
          { name: 'CPU per order, ours - documented (us)', value: vsDocumented.cpuPerOrderUs, limit: 0 },
          { name: 'CPU per order / bare, ours - documented', value: round(ours.cpuRatio - documented.cpuRatio), limit: 0 },
        ]),
  ],
};
tell({ type: 'result', result });
