/**
 * A first run without surprises, as a new user meets it (real child processes on the embedded
 * simulator): a start-up failure ends the process, the default start is flat and not frozen,
 * specification 002's shadow command runs ready, and stderr says where the ops server is.
 */
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readEvents, REPO_ROOT, RunnerProcess, waitFor } from '../support/runner-process.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mm-first-run-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Returns the port of the `[OBS] Server started: http://host:port` line, once printed. */
function obsPort(stderr: string): number | null {
  const m = /\[OBS\] Server started: http:\/\/127\.0\.0\.1:(\d+)\n/.exec(stderr);
  return m === null ? null : Number(m[1]);
}

describe('a first run', () => {
  it('with the ops port taken, start-up fails: a clear error on stderr and a non-zero exit, not a process left idle', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const runner = new RunnerProcess({ MM_OBS_PORT: String(port), MM_EVENT_LOG: join(dir, 'busy.log') });
      const code = await Promise.race([runner.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 60_000))]);
      if (code === 'still running') await runner.stop('SIGKILL');
      expect(code).toBe(1);
      expect(runner.stderr).toContain(`mm-runner failed: listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
    } finally {
      blocker.close();
    }
  }, 90_000);

  it.each([
    ['/etc/passwd/x.log', '/etc/passwd is not a directory'],
    ['/proc/self/mm/events.log', 'is under /proc, a kernel filesystem'],
  ])(
    'an event log that cannot be opened (%s) is a configuration error: exit 2, the path and the reason on stderr',
    async (path, reason) => {
      const runner = new RunnerProcess({ MM_OBS_PORT: '0', MM_EVENT_LOG: path });
      const code = await Promise.race([runner.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 60_000))]);
      if (code === 'still running') await runner.stop('SIGKILL');
      expect(code).toBe(2);
      expect(runner.stderr).toContain(`MM_EVENT_LOG (--event-log): cannot open ${path}:`);
      expect(runner.stderr).toContain(reason);
      expect(runner.stderr).not.toContain('[OBS] Server started');
    },
    90_000,
  );

  it('under `npm start`, a SIGTERM to npm (which npm does not pass on) still stops the runner gracefully, leaving nothing open', async () => {
    const log = join(dir, 'npm.log');
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: REPO_ROOT,
      env: { ...process.env, MM_OBS_PORT: '0', MM_EVENT_LOG: log, MM_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    npm.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await waitFor('orders placed under npm', () => readEvents(log).some((e) => e.event === 'order_placed'), 60_000);
      npm.kill('SIGTERM');
      const stopped = await waitFor('the runner stopped', () => readEvents(log).find((e) => e.event === 'runner_stopped'), 60_000);
      expect(stopped).toMatchObject({ reason: 'parent_exited', clean: true, open_orders_left: 0 });
      expect(stderr).toContain('is gone; stopping');
    } finally {
      npm.kill('SIGKILL');
    }
  }, 120_000);

  it('a stdout whose reader goes away (`npm start | head`) does not crash the runner: it trades on and stops cleanly', async () => {
    const log = join(dir, 'epipe.log');
    const runner = new RunnerProcess({ MM_OBS_PORT: '0', MM_EVENT_LOG: log, MM_LOG_LEVEL: 'debug' });
    await waitFor('stdout lines', () => runner.stdout.length > 0, 60_000);
    runner.child.stdout?.destroy();
    const placed = () => readEvents(log).filter((e) => e.event === 'order_placed').length;
    const before = placed();
    await waitFor('orders placed after stdout closed', () => placed() > before + 2, 60_000);
    await waitFor('the notice on stderr', () => runner.stderr.includes('stdout closed'), 30_000);
    expect(runner.child.exitCode).toBeNull();
    expect(await runner.stop('SIGTERM')).toBe(0);
    expect(readEvents(log).find((e) => e.event === 'runner_stopped')).toMatchObject({ clean: true });
  }, 120_000);

  it('the default start is flat and ready: no freeze, no hard reduce; stderr says where the ops server is, with the port it really took', async () => {
    const log = join(dir, 'default.log');
    const runner = new RunnerProcess({ MM_OBS_PORT: '0', MM_EVENT_LOG: log });
    const port = await waitFor('the [OBS] line', () => obsPort(runner.stderr), 60_000);
    expect(runner.stderr).toContain('[OBS] Endpoints: /health /ready /metrics\n');
    await waitFor('/ready 200', async () => (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null))?.status === 200, 30_000);
    await waitFor('orders placed', () => readEvents(log).some((e) => e.event === 'order_placed'), 30_000);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^mm_freeze_events_total(\{[^}]*\})? 0$/m);
    expect(await runner.stop('SIGTERM')).toBe(0);
    const events = readEvents(log);
    expect(events.find((e) => e.event === 'runner_start')?.config).toMatchObject({ obs: { port } });
    expect(events.filter((e) => ['risk_freeze', 'freeze_triggered'].includes(e.event))).toEqual([]);
    expect(events.find((e) => e.event === 'reconcile_done')?.position).toBe('0.000');
    expect(runner.stderr).toContain('[OBS] Server stopped\n');
  }, 90_000);

  it("specification 002's command (--shadow --symbols BTCUSDT,ETHUSDT --iterations 100 --obs --obs-port 0) runs ready and exits 0", async () => {
    const log = join(dir, 'spec002.log');
    const runner = new RunnerProcess({ MM_EVENT_LOG: log }, ['--shadow', '--symbols', 'BTCUSDT,ETHUSDT', '--iterations', '100', '--obs', '--obs-port', '0']);
    const port = await waitFor('the [OBS] line', () => obsPort(runner.stderr), 60_000);
    // /ready turns 200 once started (shadow mode sends nothing and never reduces), before the run ends.
    let ready = false;
    while (!ready && runner.child.exitCode === null) {
      ready = (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null))?.status === 200;
      if (!ready) await new Promise((r) => setTimeout(r, 20));
    }
    const code = await Promise.race([runner.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 60_000))]);
    if (code === 'still running') await runner.stop('SIGKILL');
    expect(code).toBe(0);
    expect(ready).toBe(true);
    const events = readEvents(log);
    expect(events.find((e) => e.event === 'runner_stopped')?.reason).toBe('iterations');
    expect(events.filter((e) => e.event === 'risk_freeze')).toEqual([]);
    expect(runner.stderr).toContain('[OBS] Server stopped\n');
  }, 90_000);
});
