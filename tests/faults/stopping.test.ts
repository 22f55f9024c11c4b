/**
 * How the runner (a real child process, on a simulator the test controls) ends and stays safe:
 * every terminal signal stops it gracefully, a stop during a 429 back-off still clears the venue,
 * a stop that cannot clear the venue says so and exits 3 with the dead-man switch left armed,
 * the switch is kept armed through a 429 back-off, and a second instance on the same account
 * and prefix yields (exit 4) instead of fighting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isOurClientOrderId, sessionOf } from '../../src/core/client-order-ids.ts';
import { startSimulator, type SimulatorHandle } from '../../src/sim/index.ts';
import type { ObservedRequest } from '../../src/sim/faults.ts';
import { leaveFlat } from '../integration/sim/sim-client.ts';
import { readEvents, RunnerProcess, waitFor } from '../support/runner-process.ts';

let sim: SimulatorHandle;
let dir: string;
let stepper: NodeJS.Timeout | null = null;
let runners: RunnerProcess[] = [];
const requests: ObservedRequest[] = [];

function start(name: string, env: Record<string, string> = {}): { runner: RunnerProcess; log: string } {
  const log = join(dir, `${name}.log`);
  const runner = new RunnerProcess({
    MM_EXCHANGE: 'sim',
    MM_REST_URL: sim.restUrl,
    MM_WS_URL: sim.wsUrl,
    MM_EVENT_LOG: log,
    MM_OBS: 'false',
    MM_HALF_SPREAD_BPS: '0.5',
    MM_MIN_EDGE_BPS: '-10000',
    MM_REQUEST_TIMEOUT_MS: '2000',
    MM_SHUTDOWN_TIMEOUT_MS: '8000',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    ...env,
  });
  runners.push(runner);
  return { runner, log };
}

/** The runners' client id prefix (the default). */
const PREFIX = 'mm';

function ours(): Array<Record<string, unknown>> {
  return sim.state().openOrders.filter((o) => isOurClientOrderId(PREFIX, String(o.clientOrderId)));
}

function stopped(log: string): Record<string, unknown> | undefined {
  return readEvents(log).find((e) => e.event === 'runner_stopped');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mm-stopping-'));
  sim = await startSimulator({ symbols: ['BTCUSDT'], seed: 21, autoStep: false });
  sim.faults.observeRequests((r) => requests.push(r));
  stepper = setInterval(() => sim.step(), 100);
});

afterEach(async () => {
  sim.faults.reset();
  for (const r of runners) r.child.kill('SIGKILL');
  await Promise.all(runners.map((r) => r.exited));
  runners = [];
  // What a killed runner left (resting orders, its countdown, a position) is not the next test's business.
  await leaveFlat(sim, 'BTCUSDT');
});

afterAll(async () => {
  if (stepper !== null) clearInterval(stepper);
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('stopping safely', () => {
  it.each(['SIGHUP', 'SIGQUIT', 'SIGUSR2'] as const)(
    '%s (a closed terminal, a quit key, a supervisor) stops gracefully: nothing left, exit 0',
    async (signal) => {
      const { runner, log } = start(signal.toLowerCase());
      await waitFor('resting orders', () => ours().length >= 2, 60_000);
      expect(await runner.stop(signal)).toBe(0);
      expect(stopped(log)).toMatchObject({ reason: signal, open_orders_left: 0, clean: true, deadman: 'disarmed' });
      expect(ours()).toEqual([]);
    },
    90_000,
  );

  it('SIGTERM during a 429 back-off (Retry-After 30 s): the stop still cancels everything and confirms it, exit 0', async () => {
    const { runner, log } = start('stop-429');
    await waitFor('resting orders', () => ours().length >= 2, 60_000);
    sim.faults.force429(1, 30);
    await waitFor('the runner backing off', () => readEvents(log).some((e) => e.event === 'rate_limited'), 20_000);
    expect(await runner.stop('SIGTERM')).toBe(0);
    expect(stopped(log)).toMatchObject({ open_orders_left: 0, clean: true });
    expect(ours()).toEqual([]);
  }, 90_000);

  it('SIGTERM while the venue refuses every request: exit 3, the stop says orders may remain, the switch stays armed and the exchange cancels them', async () => {
    // Quotes far from the touch, so that they are still resting when the venue starts refusing.
    const { runner, log } = start('stop-refused', { MM_DEADMAN_MS: '6000', MM_SHUTDOWN_TIMEOUT_MS: '3000', MM_HALF_SPREAD_BPS: '50' });
    await waitFor(
      'resting orders and the switch armed',
      () => ours().length >= 2 && readEvents(log).some((e) => e.event === 'countdown_cancel_all' && e.ok === true),
      60_000,
    );
    sim.faults.force429(1_000_000, 30);
    const code = await runner.stop('SIGTERM');
    expect(
      code,
      readEvents(log)
        .slice(-12)
        .map((e) => JSON.stringify(e))
        .join('\n') + runner.stderr,
    ).toBe(3);
    const report = stopped(log);
    expect(report).toMatchObject({ clean: false, deadman: 'left_armed' });
    // Specification 002's CRITICAL: a graceful stop that failed, on stdout under the runner's name.
    expect(runner.stdout).toMatch(/"event":"runner_stopped"[^\n]*"lvl":"CRITICAL","name":"mm.runner"/);
    expect(report?.open_orders_left).not.toBe(0);
    expect(readEvents(log).find((e) => e.event === 'cancel_all_done')?.open_orders_left).not.toBe(0);
    expect(ours().length).toBeGreaterThan(0);
    // The countdown was never disarmed: the exchange cancels what the stop could not.
    await waitFor('the dead-man switch to cancel at the exchange', () => ours().length === 0, 10_000);
  }, 90_000);

  it('the dead-man switch is re-armed through a 429 back-off, and after a kill -9 then the exchange cancels within the countdown', async () => {
    const { runner, log } = start('deadman-429', { MM_DEADMAN_MS: '3000' });
    await waitFor(
      'resting orders and the switch armed',
      () => ours().length >= 2 && readEvents(log).some((e) => e.event === 'countdown_cancel_all' && e.ok === true),
      60_000,
    );
    sim.faults.force429(1, 20);
    await waitFor('the runner backing off', () => readEvents(log).find((e) => e.event === 'rate_limited'), 20_000);
    const backingOffSince = Date.now();
    // While the back-off lasts, the refreshes keep reaching the exchange (every second).
    await waitFor(
      'three refreshes during the back-off',
      () => requests.filter((r) => r.path === '/fapi/v1/countdownCancelAll' && r.atMs > backingOffSince).length >= 3,
      15_000,
    );
    runner.child.kill('SIGKILL');
    await runner.exited;
    const killedAt = Date.now();
    await waitFor('the exchange to cancel everything', () => ours().length === 0, 8_000, 50);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(3_000 + 1_000);
  }, 90_000);

  it('a second instance on the same account, symbol and prefix yields: it stops its own orders only and exits 4; the first keeps trading', async () => {
    const first = start('first');
    await waitFor('the first trading', () => ours().length >= 2, 60_000);
    const placedBefore = readEvents(first.log).filter((e) => e.event === 'order_placed').length;
    const second = start('second');
    const tail = (log: string) =>
      readEvents(log)
        .slice(-12)
        .map((e) => `${String(e.event)} ${JSON.stringify(e).slice(0, 160)}`)
        .join('\n');
    const code = await Promise.race([second.runner.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 60_000))]);
    expect(code, `second after 60 s:\n${tail(second.log)}\nfirst:\n${tail(first.log)}`).toBe(4);
    const yielded = readEvents(second.log).find((e) => e.event === 'another_instance');
    expect(yielded).toMatchObject({ action: 'stopping' });
    expect(second.runner.stderr + second.runner.stdout).toContain('another_instance');
    // The first goes on quoting with its own orders (it reports the second only if that one got to
    // place an order before it found out: usually it yields during its start-up, having placed none).
    expect(
      readEvents(first.log)
        .filter((e) => e.event === 'another_instance')
        .every((e) => e.action === 'continuing'),
    ).toBe(true);
    await waitFor('the first to keep placing', () => readEvents(first.log).filter((e) => e.event === 'order_placed').length > placedBefore + 4, 30_000);
    // Its own orders rest on the exchange (one side only is fine: its inventory may have it reducing).
    const firstSession = sessionOf(PREFIX, String(readEvents(first.log).find((e) => e.event === 'order_placed')?.client_id));
    const firstResting = () => ours().filter((o) => sessionOf(PREFIX, String(o.clientOrderId)) === firstSession);
    try {
      await waitFor('the first quoting', () => firstResting().length >= 1, 30_000);
    } catch (error) {
      const open = ours().map((o) => `${String(o.clientOrderId)} ${String(o.side)} ${String(o.price)}`);
      throw new Error(`${(error as Error).message}; resting: ${open.join(', ') || 'none'}\nfirst:\n${tail(first.log)}`, { cause: error });
    }
    expect(first.runner.child.exitCode).toBeNull();
    // No fight: the whole overlap cost a handful of orders, not thousands.
    const secondOrders = readEvents(second.log).filter((e) => e.event === 'order_submit').length;
    expect(secondOrders).toBeLessThan(20);
    expect(await first.runner.stop('SIGTERM')).toBe(0);
  }, 120_000);
});
