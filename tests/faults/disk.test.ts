/**
 * Disk faults on the event log. Policy (RELIABILITY.md "Disk"): the runner does not trade
 * without its audit trail. While the log cannot be written, quoting is suppressed
 * (`event_log_unwritable`), resting quotes are cancelled, /ready fails, and stdout says why;
 * lines wait in a bounded buffer and are written once the disk recovers, then quoting resumes.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../src/sim/index.ts';
import { freePort } from '../support/prometheus.ts';
import { RunnerProcess, waitFor } from '../support/runner-process.ts';
import { sleep, startSession, until, type Session } from './harness.ts';

const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

function quotesAtSim(s: Session): number {
  return s.sim.state().openOrders.filter((o) => String(o.clientOrderId).split('-')[2]?.startsWith('q')).length;
}

describe('event log disk faults', () => {
  it.skipIf(!existsSync('/dev/full'))(
    'disk full from the start (/dev/full): never places an order, /ready fails, stdout says why, SIGTERM exits 0',
    async () => {
      const sim: SimulatorHandle = await startSimulator({ symbols: ['BTCUSDT'], seed: 3 });
      const posts: number[] = [];
      sim.faults.observeRequests((r) => {
        if (r.method === 'POST' && r.path === '/fapi/v1/order') posts.push(r.atMs);
      });
      const port = await freePort();
      const runner = new RunnerProcess({
        MM_EXCHANGE: 'sim',
        MM_REST_URL: sim.restUrl,
        MM_WS_URL: sim.wsUrl,
        MM_EVENT_LOG: '/dev/full',
        MM_OBS_PORT: String(port),
        MM_HALF_SPREAD_BPS: '0.5',
      });
      cleanups.push(async () => {
        runner.child.kill('SIGKILL');
        await sim.close();
      });
      await waitFor(
        'the runner to be up',
        async () => {
          try {
            return (await fetch(`http://127.0.0.1:${port}/health`)).ok;
          } catch {
            return false;
          }
        },
        30_000,
      );
      await waitFor('the suppression on stdout', () => runner.stdout.includes('event_log_unwritable'), 20_000);
      await sleep(3_000);
      const ready = await fetch(`http://127.0.0.1:${port}/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: { state: boolean } }).checks.state).toBe(false);
      expect(runner.stdout).toMatch(/event_log_write_failed.*ENOSPC|ENOSPC.*event_log_write_failed/);
      expect(posts).toEqual([]);
      expect(sim.state().openOrders).toEqual([]);
      expect(await runner.stop('SIGTERM', 20_000)).toBe(0);
    },
    60_000,
  );

  it('disk fails mid-trading: quotes cancelled, /ready 503; it recovers: every line written, quoting resumes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mm-disk-'));
    const logs = join(root, 'logs');
    mkdirSync(logs);
    const t = await startSession({ env: { MM_EVENT_LOG: join(logs, 'events.log'), MM_EVENT_LOG_MAX_BYTES: String(64 * 1024), MM_EVENT_LOG_KEEP: '1000' } });
    cleanups.push(async () => {
      await t.close();
      rmSync(root, { recursive: true, force: true });
    });
    await until('quotes', () => quotesAtSim(t) >= 2, 20_000);

    // The log's directory disappears and a file takes its place: the next rotation cannot reopen it.
    const moved = join(root, 'logs-moved');
    renameSync(logs, moved);
    writeFileSync(logs, 'not a directory');
    const from = t.events.length;
    await until('the suppression', () => t.named('quote_suppressed', from).some((e) => e.fields.reason === 'event_log_unwritable'), 30_000);
    await until('quotes cancelled at the exchange', () => quotesAtSim(t) === 0, 10_000);
    expect(await t.readyStatus()).toBe(503);
    await until('the failure on stdout', () => t.stdout.text.includes('event_log_write_failed'), 5_000);
    expect(t.app.eventLog.healthy()).toBe(false);
    await sleep(1_000);
    expect(quotesAtSim(t)).toBe(0);

    rmSync(logs);
    renameSync(moved, logs);
    await until('recovery', () => t.app.eventLog.healthy(), 10_000);
    await until('quoting resumed', () => t.named('quote_resumed', from).some((e) => e.fields.previous_reason === 'event_log_unwritable'), 10_000);
    await until('quotes again', () => quotesAtSim(t) >= 1, 20_000);
    expect(await t.readyStatus()).toBe(200);
    await until('the recovery on stdout', () => t.stdout.text.includes('event_log_recovered'), 5_000);

    // Nothing was lost: every event emitted, the ones from the failure included, is in the files.
    await t.app.stop('test_end');
    const emitted = t.events.length;
    let lines = 0;
    let sawSuppression = false;
    for (const name of readdirSync(logs)) {
      const text = readFileSync(join(logs, name), 'utf8');
      lines += text.split('\n').filter((l) => l.length > 0).length;
      sawSuppression ||= text.includes('"reason":"event_log_unwritable"');
    }
    expect(sawSuppression).toBe(true);
    expect(t.app.eventLog.stats().linesDropped).toBe(0);
    expect(lines).toBe(emitted);
  }, 120_000);
});
