/**
 * One measured variant of scenarios 2, 3 and 6, in a process of its own, against a simulator
 * process: `floor` (a minimal program: one WebSocket, one undici pool, reacts to a bookTicker
 * frame with the same signed POST /fapi/v1/order and nothing else), `full` (startApp; `full-buffered` without write-ahead), `bare`
 * (the runner without telemetry) or `documented` (the runner with the documented-setup telemetry,
 * bench/lib/documented-stack.ts). The "before" tree's copy of this file runs its `full`. Reports tick-to-order latencies, order requests per second,
 * CPU, and (with --sample-ms) memory samples.
 *
 * Tick to order: from the 'message' event of the market-data socket (ws has parsed the frame;
 * the same point for every variant) to undici's `undici:client:sendHeaders` for the first order
 * request written after it, counted only when no other frame arrived in between.
 */
import { subscribe } from 'node:diagnostics_channel';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { signPayload } from '../../src/exchange/signing.ts';
import { arg, fromParent, sleep, tell } from '../lib/proc.ts';
import { cpuMicros } from '../lib/stats.ts';
import { benchConfig, startRunner, type RunnerVariant } from '../lib/runner-app.ts';

const variant = arg('variant', 'full') as 'floor' | RunnerVariant;
const seconds = Number(arg('seconds', '10'));
const warmup = Number(arg('warmup', '2'));
const sampleMs = Number(arg('sample-ms', '0'));
const restUrl = arg('rest', '');
const wsUrl = arg('ws', '');
const otlpUrl = arg('otlp', '');
const apiKey = arg('key', '');
const apiSecret = arg('secret', '');

// The frame clock: ws emits 'message' after parsing a frame; stamp bookTicker frames before any
// listener runs. A user-stream message after the frame voids it (the order may answer that).
let tickerAt = -1;
let measuring = false;
const latencies: number[] = [];
let orderRequests = 0;
const originalEmit = WebSocket.prototype.emit;
WebSocket.prototype.emit = function patchedEmit(this: WebSocket, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'message') {
    const at = performance.now();
    const data = args[0];
    if (Buffer.isBuffer(data) ? data.includes('@bookTicker') : typeof data === 'string' && data.includes('@bookTicker')) tickerAt = at;
    else if (this.url.includes('/private/')) tickerAt = -1;
  }
  return originalEmit.call(this, event, ...args);
} as typeof WebSocket.prototype.emit;
subscribe('undici:client:sendHeaders', (message) => {
  const path = (message as { request: { path: string } }).request.path;
  if (!path.startsWith('/fapi/v1/order?') || !measuring) return;
  orderRequests++;
  if (tickerAt < 0) return;
  latencies.push((performance.now() - tickerAt) * 1000);
  tickerAt = -1;
});

let stop: () => Promise<void>;
let dropped: () => Promise<unknown> = () => Promise.resolve(null);
if (variant === 'floor') {
  const pool = new Pool(restUrl, { connections: 4, keepAliveTimeout: 30_000, pipelining: 1 });
  const headers = { accept: 'application/json', 'x-mbx-apikey': apiKey };
  const ws = new WebSocket(`${wsUrl}/public/stream?streams=btcusdt@bookTicker`);
  let n = 0;
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as { stream: string; data: { b: string; s: string } };
    if (!frame.stream.endsWith('@bookTicker')) return;
    n++;
    // Far below the market and tiny: the simulator rejects it (min notional), the request is the runner's shape.
    const params = `symbol=${frame.data.s}&side=BUY&type=LIMIT&quantity=0.001&price=1000.0&timeInForce=GTX&newClientOrderId=floor-${n}&newOrderRespType=RESULT&recvWindow=5000&timestamp=${Date.now()}`;
    const query = `${params}&signature=${signPayload(apiSecret, params)}`;
    void pool
      .request({ method: 'POST', path: `/fapi/v1/order?${query}`, headers, headersTimeout: 5000, bodyTimeout: 5000 })
      .then((r) => r.body.text())
      .catch(() => undefined);
  });
  await new Promise((resolve) => ws.once('open', resolve));
  stop = async () => {
    ws.close();
    await pool.close();
  };
} else {
  const config = benchConfig(restUrl, wsUrl, { MM_API_KEY: apiKey, MM_API_SECRET: apiSecret });
  const running = await startRunner(variant, config, otlpUrl === '' ? null : otlpUrl);
  stop = () => running.stop();
  dropped = async () => ({ ...(await running.app?.telemetry.dropped()), eventLog: running.app?.eventLog.stats() ?? null });
}

tell({ type: 'started' });
await sleep(warmup * 1000);
measuring = true;
const cpu0 = cpuMicros();
const t0 = performance.now();
const memory: Array<{ t: number; rss: number; heapUsed: number }> = [];
let sampler: NodeJS.Timeout | null = null;
let gcObserver: PerformanceObserver | null = null;
if (sampleMs > 0) {
  // heapUsed at a random moment is mostly garbage awaiting collection (a sawtooth of 100+ MiB at
  // this rate); read right after each major GC it is what the process really retains.
  let heapAfterMajorGc: number | null = null;
  gcObserver = new PerformanceObserver((list) => {
    if (list.getEntries().some((e) => (e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR))
      heapAfterMajorGc = process.memoryUsage().heapUsed;
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const sample = () => {
    const m = process.memoryUsage();
    memory.push({ t: Math.round(performance.now() - t0), rss: m.rss, heapUsed: m.heapUsed });
    tell({ type: 'sample', t: Math.round(performance.now() - t0), rss: m.rss, heapUsed: m.heapUsed, heapAfterMajorGc, orderRequests });
    heapAfterMajorGc = null;
  };
  sample();
  sampler = setInterval(sample, sampleMs);
}
await Promise.race([sleep(seconds * 1000), fromParent('stop')]);
measuring = false;
if (sampler !== null) clearInterval(sampler);
gcObserver?.disconnect();
const elapsedS = (performance.now() - t0) / 1000;
const cpuUs = cpuMicros() - cpu0;
const drops = await dropped();
await stop().catch(() => undefined);
tell({ type: 'result', variant, latencies, orderRequests, elapsedS, cpuUs, memory, dropped: drops });
await sleep(100);
process.exit(0);
