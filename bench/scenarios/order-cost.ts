/**
 * Scenario 1: instrumentation cost per order. The real REST order path (OrderExecutor ->
 * BinanceVenue -> REST client -> undici) against a keep-alive loopback server in another
 * process, fully instrumented (the src/app.ts stack, OTLP to a loopback sink) vs telemetry
 * disabled (no decorator, no listeners), in alternating blocks. Per order: round trip, process
 * CPU (including the exporters' and loggers' deferred work, flushed at the end of each
 * instrumented block), and the work before the request is on the wire (placeOrder call to
 * undici's `undici:client:sendHeaders`).
 */
import { arg, Child, flag, tell } from '../lib/proc.ts';
import { EventBus, nextOrder, orderPath, wire } from '../lib/order-path.ts';
import { fullStack } from '../lib/stack.ts';
import { cpuMicros, dist, median, pairedDelta, pairedRatio, round } from '../lib/stats.ts';
import { drainDeferred } from '../../src/telemetry/after-wire.ts';

const quick = flag('quick');
/** `--only=full` runs the instrumented variant alone (for `node --cpu-prof`). */
const only = arg('only', '');
const ROUNDS = quick ? 10 : 40;
const BLOCK = quick ? 150 : 300;
const WARMUP_ROUNDS = 2;

const server = new Child('servers/order-server.ts');
const sink = new Child('servers/otlp-sink.ts');
const restUrl = String((await server.expect('ready')).url);
const otlpUrl = String((await sink.expect('ready')).url);

const stack = fullStack({ otlpUrl, restUrl, symbols: ['BTCUSDT'] });
const full = await orderPath(restUrl, stack.bus, stack.decorate, stack.telemetry.decisions);
const bare = await orderPath(restUrl, new EventBus(), null, null);

interface Block {
  rtt: number[];
  prewire: number[];
  cpuPerOrder: number;
}

async function block(variant: 'full' | 'bare'): Promise<Block> {
  const path = variant === 'full' ? full : bare;
  const rtt: number[] = [];
  const prewire: number[] = [];
  const cpu0 = cpuMicros();
  for (let i = 0; i < BLOCK; i++) {
    const order = nextOrder(path.instrument, variant[0] as string);
    wire.prewireUs = Number.NaN;
    const t0 = performance.now();
    wire.armed = t0;
    await path.place(order);
    rtt.push((performance.now() - t0) * 1000);
    prewire.push(wire.prewireUs);
  }
  if (variant === 'full') await stack.flush();
  return { rtt, prewire, cpuPerOrder: (cpuMicros() - cpu0) / BLOCK };
}

const rows = {
  full: { rtt: [] as number[], prewire: [] as number[], cpu: [] as number[], allRtt: [] as number[], allPrewire: [] as number[] },
  bare: { rtt: [] as number[], prewire: [] as number[], cpu: [] as number[], allRtt: [] as number[], allPrewire: [] as number[] },
};
const before = { spans: 0, logs: 0 };
for (let r = 0; r < ROUNDS + WARMUP_ROUNDS; r++) {
  const order: Array<'full' | 'bare'> = only === 'full' ? ['full'] : only === 'bare' ? ['bare'] : r % 2 === 0 ? ['bare', 'full'] : ['full', 'bare'];
  for (const variant of order) {
    const b = await block(variant);
    if (r < WARMUP_ROUNDS) continue;
    const row = rows[variant];
    row.rtt.push(median(b.rtt));
    row.prewire.push(median(b.prewire));
    row.cpu.push(b.cpuPerOrder);
    row.allRtt.push(...b.rtt);
    row.allPrewire.push(...b.prewire);
  }
  if (r === WARMUP_ROUNDS - 1) {
    sink.send({ type: 'counts' });
    const c = await sink.expect('counts');
    before.spans = Number(c.spans);
    before.logs = Number(c.logs);
  }
}

// The decision span the runner opens before executing (not part of placeOrder, reported apart):
// its cost on the decision's path (ids, context), then the SDK span built later, per span.
const spanCost: number[] = [];
const spanBuildCost: number[] = [];
for (let i = 0; i < 2000; i++) {
  const t0 = performance.now();
  stack.telemetry.decisions.start(performance.timeOrigin + t0, { 'mm.symbol': 'BTCUSDT', 'mm.decision.commands': 1 }).end();
  const t1 = performance.now();
  drainDeferred();
  spanCost.push((t1 - t0) * 1000);
  spanBuildCost.push((performance.now() - t1) * 1000);
}
await stack.flush();
sink.send({ type: 'counts' });
const counts = await sink.expect('counts');
const fullOrders = ROUNDS * BLOCK;
const elStats = stack.eventLog.stats();

const bareRtt = median(rows.bare.rtt);
const addedRtt = pairedDelta(rows.full.rtt, rows.bare.rtt);
const addedCpu = pairedDelta(rows.full.cpu, rows.bare.cpu);
const addedPrewire = pairedDelta(rows.full.prewire, rows.bare.prewire);
const result = {
  scenario: 'order-cost',
  rounds: ROUNDS,
  ordersPerBlock: BLOCK,
  roundTripUs: { bare: dist(rows.bare.allRtt), full: dist(rows.full.allRtt) },
  addedRoundTripUs: round(addedRtt, 1),
  roundTripRatio: round(pairedRatio(rows.full.rtt, rows.bare.rtt)),
  roundTripP99Ratio: round(dist(rows.full.allRtt).p99 / dist(rows.bare.allRtt).p99),
  cpuPerOrderUs: { bare: round(median(rows.bare.cpu), 1), full: round(median(rows.full.cpu), 1) },
  addedCpuUs: round(addedCpu, 1),
  prewireUs: { bare: dist(rows.bare.allPrewire), full: dist(rows.full.allPrewire) },
  addedPrewireUs: round(addedPrewire, 2),
  decisionSpanUs: dist(spanCost),
  decisionSpanBuiltLaterUs: dist(spanBuildCost),
  signals: {
    spansPerOrder: round((Number(counts.spans) - before.spans - 2000) / fullOrders, 3),
    logRecordsPerOrder: round((Number(counts.logs) - before.logs) / fullOrders, 3),
    eventLogLines: elStats.linesWritten,
    eventLogLinesPerOrder: round(elStats.linesWritten / ((ROUNDS + WARMUP_ROUNDS) * BLOCK), 3),
    dropped: stack.telemetry.dropped,
  },
  targets: [
    { name: 'added round trip / loopback round trip', value: round(addedRtt / bareRtt), limit: 0.15 },
    { name: 'added CPU per order (us)', value: round(addedCpu, 1), limit: 25 },
    { name: 'added work before the wire (us)', value: round(addedPrewire, 2), limit: 5 },
  ],
};
await full.close();
await bare.close();
await stack.close();
await server.stop();
await sink.stop();
tell({ type: 'result', result });
