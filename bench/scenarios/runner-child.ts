/**
 * One measured variant of scenarios 2, 3, 6 and "transports", in a process of its own, against a
 * simulator process: `floor` (a minimal program: one market-data WebSocket, and one undici pool
 * or, with --transport=ws, one WebSocket API connection; it reacts to a bookTicker frame with the
 * same signed order request as the runner's and nothing else), `full` (startApp; `full-buffered`
 * without write-ahead), `bare` (the runner without telemetry) or `documented` (the runner with the
 * documented-setup telemetry, bench/lib/documented-stack.ts). `--transport` (rest by default)
 * picks how orders travel: POST /fapi/v1/order, or order.place over the WebSocket API. The
 * "before" tree's copy of this file runs its `full`. Reports tick-to-order latencies, order round
 * trips, order requests per second, CPU, and (with --sample-ms) memory samples.
 *
 * Tick to order: from the 'message' event of the market-data socket (ws has parsed the frame;
 * the same point for every variant) to the first order request written after it (undici's
 * `undici:client:sendHeaders`, or the WebSocket API frame handed to ws's send), counted only when
 * no other frame arrived in between. Round trip: from that write to the answer's arrival (undici's
 * `undici:request:headers`, or the answer frame's 'message' event), the same points for floor and
 * runner.
 */
import { subscribe } from 'node:diagnostics_channel';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { signPayload } from '../../src/exchange/signing.ts';
import { WsApiSigner } from '../../src/exchange/ws-api-signing.ts';
import { arg, fromParent, sleep, tell } from '../lib/proc.ts';
import { cpuMicros } from '../lib/stats.ts';
import { benchConfig, startRunner, type RunnerVariant } from '../lib/runner-app.ts';

const variant = arg('variant', 'full') as 'floor' | RunnerVariant;
const transport = arg('transport', 'rest') as 'rest' | 'ws';
const seconds = Number(arg('seconds', '10'));
const warmup = Number(arg('warmup', '2'));
const sampleMs = Number(arg('sample-ms', '0'));
const restUrl = arg('rest', '');
const wsUrl = arg('ws', '');
const otlpUrl = arg('otlp', '');
const apiKey = arg('key', '');
const apiSecret = arg('secret', '');
const wsApiUrl = `${wsUrl}/ws-fapi/v1`;

// The frame clock: ws emits 'message' after parsing a frame; stamp bookTicker frames before any
// listener runs. A user-stream message after the frame voids it (the order may answer that).
let tickerAt = -1;
let measuring = false;
const latencies: number[] = [];
const roundTrips: number[] = [];
let orderRequests = 0;

/** One order request written now: a tick-to-order sample if a frame is waiting for it. */
function orderWritten(): number {
  const at = performance.now();
  if (!measuring) return at;
  orderRequests++;
  if (tickerAt >= 0) {
    latencies.push((at - tickerAt) * 1000);
    tickerAt = -1;
  }
  return at;
}

const ORDER_PLACE = '"method":"order.place"';
const ANSWER_ID = /"id":"([^"]+)"/;
/** WebSocket API order requests in flight: frame id -> when it was written. */
const wsOrdersSent = new Map<string, number>();
const originalEmit = WebSocket.prototype.emit;
WebSocket.prototype.emit = function patchedEmit(this: WebSocket, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'message') {
    const at = performance.now();
    const data = args[0];
    const text = Buffer.isBuffer(data) ? data.toString() : typeof data === 'string' ? data : '';
    if (text.includes('@bookTicker')) tickerAt = at;
    else if (this.url.includes('/ws-fapi/')) {
      const id = ANSWER_ID.exec(text)?.[1];
      const sentAt = id === undefined ? undefined : wsOrdersSent.get(id);
      if (id !== undefined && sentAt !== undefined) {
        wsOrdersSent.delete(id);
        if (measuring) roundTrips.push((at - sentAt) * 1000);
      }
    } else if (this.url.includes('/private/')) tickerAt = -1;
  }
  return originalEmit.call(this, event, ...args);
} as typeof WebSocket.prototype.emit;
const originalSend = WebSocket.prototype.send;
WebSocket.prototype.send = function patchedSend(this: WebSocket, data: unknown, ...rest: unknown[]): void {
  if (typeof data === 'string' && data.includes(ORDER_PLACE)) {
    const at = orderWritten();
    const id = ANSWER_ID.exec(data)?.[1];
    if (id !== undefined) wsOrdersSent.set(id, at);
  }
  return (originalSend as (...args: unknown[]) => void).call(this, data, ...rest);
} as typeof WebSocket.prototype.send;

/** REST order requests in flight: undici's request object -> when its headers were written. */
const restOrdersSent = new WeakMap<object, number>();
subscribe('undici:client:sendHeaders', (message) => {
  const request = (message as { request: { method: string; path: string } }).request;
  if (request.method !== 'POST' || !request.path.startsWith('/fapi/v1/order?')) return;
  restOrdersSent.set(request, orderWritten());
});
subscribe('undici:request:headers', (message) => {
  const request = (message as { request: object }).request;
  const sentAt = restOrdersSent.get(request);
  if (sentAt === undefined) return;
  restOrdersSent.delete(request);
  if (measuring) roundTrips.push((performance.now() - sentAt) * 1000);
});

let stop: () => Promise<void>;
let dropped: () => Promise<unknown> = () => Promise.resolve(null);
if (variant === 'floor') {
  const market = new WebSocket(`${wsUrl}/public/stream?streams=btcusdt@bookTicker`);
  // Far below the market and tiny: the simulator rejects it (min notional), the request is the runner's shape.
  const orderParams = (symbol: string, n: number) => ({
    symbol,
    side: 'BUY',
    type: 'LIMIT',
    quantity: '0.001',
    price: '1000.0',
    timeInForce: 'GTX',
    newClientOrderId: `floor-${n}`,
    newOrderRespType: 'RESULT',
  });
  let n = 0;
  let sendOrder: (symbol: string) => void;
  let closeOrders: () => Promise<void>;
  if (transport === 'ws') {
    const api = new WebSocket(wsApiUrl);
    const signer = new WsApiSigner(apiKey, apiSecret, 5000);
    sendOrder = (symbol) => {
      n++;
      const id = `floor-${n}`;
      api.send(JSON.stringify({ id, method: 'order.place', params: signer.sign(orderParams(symbol, n), Date.now()) }));
    };
    await new Promise((resolve) => api.once('open', resolve));
    closeOrders = async () => api.close();
  } else {
    const pool = new Pool(restUrl, { connections: 4, keepAliveTimeout: 30_000, pipelining: 1 });
    const headers = { accept: 'application/json', 'x-mbx-apikey': apiKey };
    sendOrder = (symbol) => {
      n++;
      const params = `${new URLSearchParams(orderParams(symbol, n)).toString()}&recvWindow=5000&timestamp=${Date.now()}`;
      const query = `${params}&signature=${signPayload(apiSecret, params)}`;
      void pool
        .request({ method: 'POST', path: `/fapi/v1/order?${query}`, headers, headersTimeout: 5000, bodyTimeout: 5000 })
        .then((r) => r.body.text())
        .catch(() => undefined);
    };
    closeOrders = () => pool.close();
  }
  market.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as { stream: string; data: { b: string; s: string } };
    if (frame.stream.endsWith('@bookTicker')) sendOrder(frame.data.s);
  });
  await new Promise((resolve) => market.once('open', resolve));
  stop = async () => {
    market.close();
    await closeOrders();
  };
} else {
  const config = benchConfig(restUrl, wsUrl, { MM_API_KEY: apiKey, MM_API_SECRET: apiSecret, MM_ORDER_TRANSPORT: transport });
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
tell({ type: 'result', variant, transport, latencies, roundTrips, orderRequests, elapsedS, cpuUs, memory, dropped: drops });
await sleep(100);
process.exit(0);
