/**
 * Disk faults on the event log. Policy (RELIABILITY.md "Disk"): the runner does not trade
 * without its audit trail. While the log cannot be written, quoting is suppressed
 * (`event_log_unwritable`), resting quotes are cancelled, /ready fails, and stdout says why;
 * lines wait in a bounded buffer and are written once the disk recovers, then quoting resumes.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../src/sim/index.ts';
import { freePort } from '../support/prometheus.ts';
import { RunnerProcess, waitFor } from '../support/runner-process.ts';
import { sample, sleep, startSession, until, type Session } from './harness.ts';

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

  it('a failed rotation is reported and retried; at twice the size limit quoting stops; once rotation works it resumes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mm-rotate-'));
    const path = join(root, 'events.log');
    const maxBytes = 16 * 1024;
    // A non-empty directory where the rotated file must go: renaming the log onto it fails.
    mkdirSync(join(root, 'events.log.1'));
    writeFileSync(join(root, 'events.log.1', 'blocker'), 'x');
    const t = await startSession({ env: { MM_EVENT_LOG: path, MM_EVENT_LOG_MAX_BYTES: String(maxBytes), MM_EVENT_LOG_KEEP: '1' } });
    cleanups.push(async () => {
      await t.close();
      rmSync(root, { recursive: true, force: true });
    });
    await until('the rotation failure on stdout', () => t.stdout.text.includes('event_log_rotation_failed'), 60_000);
    expect(t.stdout.text).toMatch(/event_log_rotation_failed.*EISDIR|EISDIR.*event_log_rotation_failed/);
    expect(sample(await t.metrics(), 'mm_event_log_faults_total', { fault: 'rotation_failed' })).toBeGreaterThanOrEqual(1);

    // It goes on writing into the oversized file, and stops at twice the limit: quoting is suppressed.
    const from = t.events.length;
    await until('the suppression', () => t.named('quote_suppressed', from).some((e) => e.fields.reason === 'event_log_unwritable'), 60_000);
    await until('quotes cancelled at the exchange', () => quotesAtSim(t) === 0, 10_000);
    expect(await t.readyStatus()).toBe(503);
    expect(statSync(path).size).toBeLessThanOrEqual(2 * maxBytes);
    // More lines arrive (snapshots every second) and wait in memory: the file does not grow.
    const held = t.app.eventLog.stats().linesPending;
    await until('more lines held in memory', () => t.app.eventLog.stats().linesPending >= held + 3, 20_000);
    expect(statSync(path).size).toBeLessThanOrEqual(2 * maxBytes);
    expect(quotesAtSim(t)).toBe(0);

    // The way is cleared: the retried rotation succeeds, the held lines are written, quoting resumes.
    rmSync(join(root, 'events.log.1'), { recursive: true });
    await until('quoting resumed', () => t.named('quote_resumed', from).some((e) => e.fields.previous_reason === 'event_log_unwritable'), 20_000);
    await until('the recovery on stdout', () => t.stdout.text.includes('event_log_rotation_recovered'), 5_000);
    expect(await t.readyStatus()).toBe(200);
    expect(readFileSync(join(root, 'events.log.1'), 'utf8').endsWith('\n')).toBe(true);
    const stats = t.app.eventLog.stats();
    expect(stats.rotations).toBeGreaterThanOrEqual(1);
    expect(stats.linesDropped).toBe(0);
  }, 150_000);

  it('a log file deleted mid-run is noticed and reopened: every later event is in the new file, trading goes on', async () => {
    const t = await startSession();
    cleanups.push(() => t.close());
    await until('quotes', () => quotesAtSim(t) >= 2, 20_000);
    await until('the log on disk', () => existsSync(t.eventLogPath), 5_000);
    unlinkSync(t.eventLogPath);
    const from = t.events.length;
    await until('the reopening on stdout', () => t.stdout.text.includes('event_log_reopened'), 10_000);
    expect(t.stdout.text).toMatch(/event_log_reopened[^\n]*"reason":"deleted"/);
    expect(sample(await t.metrics(), 'mm_event_log_faults_total', { fault: 'file_deleted' })).toBe(1);
    // Trading goes on: new orders reach the exchange and the log, /ready stays 200.
    const orderAt = t.named('order_submit', from).length;
    await until('new orders', () => t.named('order_submit', from).length >= orderAt + 2, 20_000);
    expect(await t.readyStatus()).toBe(200);
    expect(t.named('quote_suppressed', from).filter((e) => e.fields.reason === 'event_log_unwritable')).toEqual([]);
    await t.app.stop('test_end');
    // Every event emitted since the deletion is in the new file (counted by event and client id).
    const key = (event: string, fields: object) => `${event}:${String((fields as { client_id?: unknown }).client_id)}`;
    const inFile = new Map<string, number>();
    for (const line of readFileSync(t.eventLogPath, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)) {
      const parsed = JSON.parse(line) as { event: string };
      inFile.set(key(parsed.event, parsed), (inFile.get(key(parsed.event, parsed)) ?? 0) + 1);
    }
    const emitted = new Map<string, number>();
    for (const e of t.events.slice(from)) emitted.set(key(e.event, e.fields), (emitted.get(key(e.event, e.fields)) ?? 0) + 1);
    expect(emitted.size).toBeGreaterThan(3);
    expect([...emitted].filter(([k, n]) => (inFile.get(k) ?? 0) < n)).toEqual([]);
    expect(t.app.eventLog.stats().linesDropped).toBe(0);
  }, 90_000);

  it("a torn last line from a crash is ended with a newline, so the next run's first line stays whole", async () => {
    const root = mkdtempSync(join(tmpdir(), 'mm-torn-'));
    const path = join(root, 'events.log');
    writeFileSync(path, '{"event":"order_submit","client_id":"mm-1-q1","symbol":"BTC');
    const t = await startSession({ env: { MM_EVENT_LOG: path } });
    cleanups.push(async () => {
      await t.close();
      rmSync(root, { recursive: true, force: true });
    });
    await until('the repair on stdout', () => t.stdout.text.includes('event_log_torn_line_repaired'), 10_000);
    t.app.eventLog.flush();
    const [torn, first] = readFileSync(path, 'utf8').split('\n');
    expect(torn).toBe('{"event":"order_submit","client_id":"mm-1-q1","symbol":"BTC');
    expect((JSON.parse(first as string) as { event: string }).event).toBe('runner_start');
    expect(sample(await t.metrics(), 'mm_event_log_faults_total', { fault: 'torn_line' })).toBe(1);
    expect(await t.readyStatus()).toBe(200);
  }, 60_000);
});
