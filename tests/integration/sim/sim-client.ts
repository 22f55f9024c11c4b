/** A minimal Binance client for simulator tests: signed REST calls, a manual clock, and WebSocket capture. */
import { WebSocket } from 'ws';
import type { Clock, ClockReading } from '../../../src/core/clock.ts';
import { SystemClock } from '../../../src/runner/clocks.ts';
import { sign } from '../../../src/sim/signature.ts';
import type { SimulatorHandle } from '../../../src/sim/simulator.ts';

export interface ManualClock extends ClockReading {
  advance(ms: number): void;
  set(ms: number): void;
}

/** Returns a clock that moves only when told. */
export function manualClock(startMs: number): ManualClock {
  let now = startMs;
  return {
    nowMs: () => now,
    monoNs: () => BigInt(now) * 1_000_000n,
    advance: (ms) => void (now += ms),
    set: (ms) => void (now = ms),
  };
}

/**
 * A venue clock that signs on the simulator's manual time while the venue's own timers (request
 * timeouts, reconnect back-off) run on the system's: these tests drive the exchange's time, not the client's.
 */
export function signingOn(clock: ManualClock): Clock {
  const system = new SystemClock();
  return { nowMs: () => clock.nowMs(), monoNs: () => system.monoNs(), preciseNowMs: () => clock.nowMs(), setTimer: (fn, ms) => system.setTimer(fn, ms) };
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- wire JSON under test
}

/** Sends a request with the API key and a signature over `params` (in the query, or the body with `inBody`). */
export async function signed(
  sim: SimulatorHandle,
  method: string,
  path: string,
  params: Record<string, string>,
  options: { inBody?: boolean; timestamp?: number; tamper?: (query: string) => string; apiKey?: string | null; signal?: AbortSignal } = {},
): Promise<Answer> {
  const query = new URLSearchParams({ ...params, timestamp: String(options.timestamp ?? sim.exchange.clock.nowMs()) }).toString();
  const signedQuery = `${query}&signature=${sign(sim.apiSecret, query)}`;
  const sent = options.tamper ? options.tamper(signedQuery) : signedQuery;
  const headers: Record<string, string> = {};
  if (options.apiKey !== null) headers['X-MBX-APIKEY'] = options.apiKey ?? sim.apiKey;
  if (options.inBody) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const response = await fetch(options.inBody ? `${sim.restUrl}${path}` : `${sim.restUrl}${path}?${sent}`, {
    method,
    headers,
    ...(options.inBody ? { body: sent } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** Sends an unsigned request (market data, or listenKey with the API key). */
export async function unsigned(sim: SimulatorHandle, method: string, pathAndQuery: string, withKey = false): Promise<Answer> {
  const response = await fetch(`${sim.restUrl}${pathAndQuery}`, { method, headers: withKey ? { 'X-MBX-APIKEY': sim.apiKey } : {} });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

export interface Captured {
  readonly ws: WebSocket;
  readonly messages: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any -- wire JSON under test
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the first message (already received or not) that matches. */
  next(predicate: (message: any) => boolean, timeoutMs?: number, onIdle?: () => void): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Opens a WebSocket and records every JSON message it receives. */
export async function capture(url: string): Promise<Captured> {
  const ws = new WebSocket(url);
  const messages: unknown[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    messages.push(JSON.parse(data.toString()));
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    closed,
    next: async (predicate, timeoutMs = 10_000, onIdle) => {
      const deadline = performance.now() + timeoutMs;
      let seen = 0;
      for (;;) {
        for (; seen < messages.length; seen++) if (predicate(messages[seen])) return messages[seen];
        if (performance.now() > deadline) throw new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(messages.slice(-5))}`);
        if (onIdle) {
          onIdle();
          await new Promise((r) => setTimeout(r, 1));
        } else {
          await new Promise<void>((resolve) => {
            waiters.push(resolve);
            setTimeout(resolve, 50);
          });
        }
      }
    },
  };
}

/** Steps a manually clocked simulator (`stepMs` of simulated time per step) until `check` holds; throws after `maxSteps`. */
export async function stepUntil(
  sim: SimulatorHandle,
  clock: ManualClock,
  what: string,
  check: () => boolean | Promise<boolean>,
  options: { maxSteps?: number; stepMs?: number } = {},
): Promise<void> {
  const maxSteps = options.maxSteps ?? 5_000;
  for (let i = 0; i < maxSteps; i++) {
    if (await check()) return;
    clock.advance(options.stepMs ?? 100);
    sim.step();
  }
  throw new Error(`${what}: not within ${maxSteps} steps`);
}

let fenceIds = 900_000;

/**
 * Waits until everything the server sent on `socket` before now has arrived: asks
 * LIST_SUBSCRIPTIONS and waits for its answer, which the server sends after every earlier frame.
 */
export async function fence(socket: Captured): Promise<void> {
  const id = ++fenceIds;
  socket.ws.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id }));
  await socket.next((m) => m !== null && typeof m === 'object' && m.id === id && 'result' in m);
}

/** Sends a request on a socket and returns its answer (the message with the same id). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON under test
export async function request(socket: Captured, method: string, params?: readonly unknown[]): Promise<any> {
  const id = ++fenceIds;
  socket.ws.send(JSON.stringify(params === undefined ? { method, id } : { method, params, id }));
  return socket.next((m) => m !== null && typeof m === 'object' && m.id === id && !('e' in m) && !('stream' in m));
}

let wsApiIds = 0;

/** Returns WebSocket API params with apiKey, timestamp and the HMAC signature over the sorted params (Binance's rule). */
export function signWsApi(
  sim: Pick<SimulatorHandle, 'apiKey' | 'apiSecret' | 'exchange'>,
  params: Record<string, string | number | boolean>,
  options: { timestamp?: number; apiKey?: string; secret?: string } = {},
): Record<string, string | number | boolean> {
  const all: Record<string, string | number | boolean> = {
    ...params,
    apiKey: options.apiKey ?? sim.apiKey,
    timestamp: options.timestamp ?? sim.exchange.clock.nowMs(),
  };
  const payload = Object.keys(all)
    .sort()
    .map((k) => `${k}=${String(all[k])}`)
    .join('&');
  return { ...all, signature: sign(options.secret ?? sim.apiSecret, payload) };
}

/** Sends a WebSocket API request and returns its answer (the message with the same id). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON under test
export async function wsApiCall(socket: Captured, method: string, params?: Record<string, unknown>, timeoutMs = 10_000): Promise<any> {
  const id = `t-${++wsApiIds}`;
  socket.ws.send(JSON.stringify(params === undefined ? { id, method } : { id, method, params }));
  return socket.next((m) => m !== null && typeof m === 'object' && m.id === id, timeoutMs);
}

/**
 * Returns the account to flat in `symbol`: cancels what rests, disarms the countdown and closes
 * any position with a reduce-only market order, so that the next test does not start in the risk
 * state the last one left. Throws when the position is not flat afterwards.
 */
export async function leaveFlat(sim: SimulatorHandle, symbol: string): Promise<void> {
  await signed(sim, 'POST', '/fapi/v1/countdownCancelAll', { symbol, countdownTime: '0' });
  await signed(sim, 'DELETE', '/fapi/v1/allOpenOrders', { symbol });
  const position = (): string => sim.state().positions.find((p) => p.symbol === symbol)?.positionAmt ?? '0';
  const amount = position();
  if (!/[1-9]/.test(amount)) return;
  const side = amount.startsWith('-') ? 'BUY' : 'SELL';
  const answer = await signed(sim, 'POST', '/fapi/v1/order', { symbol, side, type: 'MARKET', quantity: amount.replace('-', ''), reduceOnly: 'true' });
  if (/[1-9]/.test(position()))
    throw new Error(`${symbol} not flat after closing ${amount}: ${position()} (HTTP ${answer.status} ${JSON.stringify(answer.body)})`);
}
