/**
 * Process faults: the runner as a real child process, killed with SIGKILL mid-trading.
 * 1. Restarted at once: on start it reconciles with the exchange (our orphaned orders are
 *    adopted and cancelled, the position is the exchange's) and counts no fill twice.
 * 2. Not restarted: the dead-man switch (countdownCancelAll, re-armed on a heartbeat) makes the
 *    exchange cancel every resting order within the countdown.
 * 3. Killed while orders flow: every order and cancel that reached the exchange has its intent
 *    line (order_submit, order_cancel) in the event log, which is written ahead of the request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../src/sim/index.ts';
import { leaveFlat } from '../integration/sim/sim-client.ts';
import { readEvents, RunnerProcess, waitFor } from '../support/runner-process.ts';
import { scaled, sleep } from './harness.ts';

let sim: SimulatorHandle;
let dir: string;
let stepper: NodeJS.Timeout | null = null;
const children: RunnerProcess[] = [];

function resume(): void {
  stepper ??= setInterval(() => sim.step(), 100);
}
function pause(): void {
  if (stepper !== null) clearInterval(stepper);
  stepper = null;
}

function start(eventLog: string, env: Record<string, string> = {}): RunnerProcess {
  const child = new RunnerProcess({
    MM_EXCHANGE: 'sim',
    MM_REST_URL: sim.restUrl,
    MM_WS_URL: sim.wsUrl,
    MM_EVENT_LOG: eventLog,
    MM_OBS: 'false',
    MM_HALF_SPREAD_BPS: '0.5',
    MM_MIN_EDGE_BPS: '-10000',
    MM_REQUEST_TIMEOUT_MS: '2000',
    MM_SNAPSHOT_INTERVAL_S: '1',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    ...env,
  });
  children.push(child);
  return child;
}

function ours(): Array<Record<string, unknown>> {
  return sim.state().openOrders.filter((o) => String(o.clientOrderId).startsWith('mm-'));
}

function simPosition(): string {
  return scaled(sim.state().positions.find((p) => p.symbol === 'BTCUSDT')?.positionAmt ?? '0', 8).toString();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mm-kill-'));
  sim = await startSimulator({ symbols: ['BTCUSDT'], seed: 5, fundingIntervalMs: 4_000, autoStep: false });
  resume();
});

// Each test starts flat, with nothing resting: not in the risk state the last killed runner left.
beforeEach(() => leaveFlat(sim, 'BTCUSDT'));

afterAll(async () => {
  for (const child of children) child.child.kill('SIGKILL');
  pause();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('kill -9', () => {
  it('restarted at once: orphans adopted and cancelled, position taken from the exchange, no fill counted twice', async () => {
    const log1 = join(dir, 'run1.log');
    const first = start(log1, { MM_DEADMAN_MS: '60000' });
    await waitFor('fills and resting orders', () => sim.state().trades.length >= 2 && ours().length >= 2, 60_000);
    pause();
    await sleep(300);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const orphans = ours().map((o) => String(o.clientOrderId));
    expect(orphans.length).toBeGreaterThan(0);
    const positionAtKill = simPosition();
    const tradesAtKill = sim.state().trades.length;

    const log2 = join(dir, 'run2.log');
    const second = start(log2, { MM_DEADMAN_MS: '60000' });
    const done = await waitFor('reconcile on start', () => readEvents(log2).find((e) => e.event === 'reconcile_done'), 30_000);
    expect(done.cancelled).toBe(orphans.length);
    expect(done.trigger).toBe('start');
    expect(scaled(String(done.position), 8).toString()).toBe(positionAtKill);
    const cancelled = readEvents(log2)
      .filter((e) => e.event === 'order_cancel' && e.reason === 'reconcile_unknown')
      .map((e) => String(e.client_id));
    expect(cancelled.sort()).toEqual([...orphans].sort());
    await waitFor('orphans gone from the exchange', () => ours().every((o) => !orphans.includes(String(o.clientOrderId))), 10_000);

    resume();
    await waitFor('the new session to trade and fill', () => sim.state().trades.length >= tradesAtKill + 2, 60_000);
    pause();
    await sleep(1_500);
    expect(await second.stop('SIGTERM')).toBe(0);
    expect(ours()).toEqual([]);
    const events = readEvents(log2);
    // Every fill after the restart counted once, none from before it.
    const fills = events.filter((e) => e.event === 'order_filled');
    expect(fills.length).toBe(sim.state().trades.length - tradesAtKill);
    const lastPosition = events.filter((e) => e.event === 'position_update').at(-1);
    expect(scaled(String(lastPosition?.position), 8).toString()).toBe(simPosition());
  }, 150_000);

  it('not restarted: the dead-man switch makes the exchange cancel every order within the countdown', async () => {
    resume();
    const log = join(dir, 'deadman.log');
    const runner = start(log, { MM_DEADMAN_MS: '4000' });
    await waitFor('resting orders', () => ours().length >= 2, 60_000);
    await waitFor('the switch armed', () => readEvents(log).some((e) => e.event === 'countdown_cancel_all' && e.ok === true), 10_000);
    runner.child.kill('SIGKILL');
    await runner.exited;
    const killedAt = Date.now();
    // Nobody cancels for us right away: the orders are still there...
    expect(ours().length).toBeGreaterThan(0);
    // ...until the countdown runs out (armed at most deadman/3 before the kill).
    await waitFor('the exchange to cancel everything', () => ours().length === 0, 8_000, 50);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(4_000 + 1_000);
  }, 90_000);

  // Over REST an order is a POST /fapi/v1/order, over the WebSocket API an order.place frame; the
  // simulator reports each request as it arrives, before it acts on it.
  const ORDER_REQUESTS = {
    rest: { place: ['POST', '/fapi/v1/order', 'newClientOrderId'], cancel: ['DELETE', '/fapi/v1/order', 'origClientOrderId'] },
    ws: { place: ['WS', 'order.place', 'newClientOrderId'], cancel: ['WS', 'order.cancel', 'origClientOrderId'] },
  } as const;

  it.each(['ws', 'rest'] as const)(
    'killed while orders flow over %s: every order and cancel that reached the exchange has its intent line in the event log',
    async (transport) => {
      resume();
      const log = join(dir, `write-ahead-${transport}.log`);
      const killAt = 120;
      const kinds = ORDER_REQUESTS[transport];
      let runner: RunnerProcess | null = null;
      const placed: string[] = [];
      const cancelled: string[] = [];
      const stop = sim.faults.observeRequests((request) => {
        const [placeMethod, placePath, placeParam] = kinds.place;
        const [cancelMethod, cancelPath, cancelParam] = kinds.cancel;
        if (request.method === cancelMethod && request.path === cancelPath) cancelled.push(String(request.params[cancelParam]));
        if (request.method !== placeMethod || request.path !== placePath) return;
        placed.push(String(request.params[placeParam]));
        // Killed the moment an order arrives: its request is on the wire, its answer not back yet.
        if (placed.length === killAt) runner?.child.kill('SIGKILL');
      });
      try {
        runner = start(log, { MM_ORDER_TRANSPORT: transport, MM_LEVELS: '3', MM_REQUOTE_TOLERANCE_TICKS: '0', MM_DEADMAN_MS: '5000' });
        await waitFor(`${killAt} orders at the exchange`, () => placed.length >= killAt, 90_000);
        expect(await runner.exited).toBeNull();
      } finally {
        stop();
      }
      const events = readEvents(log);
      const intents = (name: string) => new Set(events.filter((e) => e.event === name).map((e) => String(e.client_id)));
      expect(placed.length).toBeGreaterThanOrEqual(killAt);
      expect(cancelled.length).toBeGreaterThan(0);
      const submits = intents('order_submit');
      const cancels = intents('order_cancel');
      expect(placed.filter((id) => !submits.has(id))).toEqual([]);
      expect(cancelled.filter((id) => !cancels.has(id))).toEqual([]);
      // Orders went the way asked: the transport in every result line.
      const results = events.filter((e) => e.event === 'order_submit_result' && e.outcome === 'accepted');
      expect(results.length).toBeGreaterThan(0);
      expect(new Set(results.map((e) => e.transport))).toEqual(new Set([transport]));
      // The file keeps the order in which events happened.
      const stamps = events.map((e) => e.ts);
      expect(stamps).toEqual([...stamps].sort());
    },
    120_000,
  );
});
