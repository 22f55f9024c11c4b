/**
 * `node bench/tick-to-order-stages.ts [bare|full] [seconds]`: where a tick's time goes before its
 * first order request is written, stage by stage (p50/p99 in us): the market frame's parsing up
 * to the book update, the decision, the executor's synchronous dispatch, and the wait for
 * undici's write. A diagnostic for scenario 2 (it wraps prototypes, so it is not the benchmark).
 */
import { subscribe } from 'node:diagnostics_channel';
import WebSocket from 'ws';
import { MarketMaker } from '../src/core/market-maker.ts';
import { OrderExecutor } from '../src/runner/order-executor.ts';
import { Child, sleep } from './lib/proc.ts';
import { benchConfig, startRunner } from './lib/runner-app.ts';
import { median, p99 } from './lib/stats.ts';

const variant = process.argv[2] === 'full' ? 'full' : 'bare';
const seconds = Number(process.argv[3] ?? 10);
const sim = new Child('servers/sim.ts', ['--step-ms=40', '--vol=4']);
const s = await sim.expect('ready');

const STAGES = ['frame -> book', 'frame -> decide', 'decide', 'decide -> execute', 'execute (sync)', 'execute -> written', 'total'] as const;
const rows: number[][] = [];
let measuring = false;
let frameAt = -1;
let bookAt = -1;
let decide: [number, number] = [-1, -1];
let execute: [number, number] = [-1, -1];

const emit = WebSocket.prototype.emit;
WebSocket.prototype.emit = function stampedEmit(this: WebSocket, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'message') {
    if ((args[0] as Buffer).includes('@bookTicker')) [frameAt, bookAt, decide, execute] = [performance.now(), -1, [-1, -1], [-1, -1]];
    else if (this.url.includes('/private/')) frameAt = -1;
  }
  return emit.call(this, event, ...args);
} as typeof WebSocket.prototype.emit;

function timed<A extends unknown[], R>(fn: (...args: A) => R, record: (start: number, end: number) => void): (...args: A) => R {
  return function (this: unknown, ...args: A): R {
    const start = performance.now();
    const result = fn.apply(this, args);
    record(start, performance.now());
    return result;
  };
}
MarketMaker.prototype.onBookTop = timed(MarketMaker.prototype.onBookTop, (start) => {
  if (frameAt >= 0 && bookAt < 0) bookAt = start;
});
MarketMaker.prototype.decide = timed(MarketMaker.prototype.decide, (start, end) => {
  if (frameAt >= 0 && decide[0] < 0) decide = [start, end];
});
OrderExecutor.prototype.execute = timed(OrderExecutor.prototype.execute, (start, end) => {
  if (frameAt >= 0 && execute[0] < 0) execute = [start, end];
});
subscribe('undici:client:sendHeaders', (message) => {
  if (!measuring || frameAt < 0 || !(message as { request: { path: string } }).request.path.startsWith('/fapi/v1/order?')) return;
  const now = performance.now();
  rows.push(
    [bookAt - frameAt, decide[0] - frameAt, decide[1] - decide[0], execute[0] - decide[1], execute[1] - execute[0], now - execute[1], now - frameAt].map(
      (ms) => ms * 1000,
    ),
  );
  frameAt = -1;
});

const config = benchConfig(String(s.restUrl), String(s.wsUrl), { MM_API_KEY: String(s.apiKey), MM_API_SECRET: String(s.apiSecret) });
const running = await startRunner(variant, config, null);
await sleep(2000);
measuring = true;
await sleep(seconds * 1000);
measuring = false;
process.stdout.write(`${variant}: ${rows.length} ticks answered by an order\n`);
STAGES.forEach((name, i) => {
  const column = rows.map((r) => r[i] as number).filter((x) => x >= 0);
  process.stdout.write(`  ${name.padEnd(20)} p50 ${median(column).toFixed(0).padStart(5)}  p99 ${p99(column).toFixed(0).padStart(5)}\n`);
});
await running.stop();
await sim.stop();
process.exit(0);
