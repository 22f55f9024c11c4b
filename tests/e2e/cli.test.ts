/**
 * The command line as a user meets it: bad configuration, shadow mode, a bounded run, and the
 * standalone simulator, each as a real child process.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSymbolSpecs, SIM_API_KEY, SIM_API_SECRET, startSimulator, type SimulatorHandle } from '../../src/sim/index.ts';
import { freePort } from '../support/prometheus.ts';
import { readEvents, RunnerProcess, waitFor } from '../support/runner-process.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mm-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('mm-runner command line', () => {
  it('reports every bad setting at once and exits 2, without echoing a secret passed as a flag', async () => {
    const runner = new RunnerProcess({ MM_HALF_SPREAD_BPS: '-1', MM_SYMBOLS: 'btc usdt', MM_LEVELS: 'many' }, [
      '--api-secret',
      'hunter2-very-secret',
      '--obs-port',
      '99999',
    ]);
    const code = await runner.exited;
    expect(code).toBe(2);
    for (const field of ['MM_HALF_SPREAD_BPS', 'MM_SYMBOLS', 'MM_LEVELS', 'MM_OBS_PORT', 'api-secret']) expect(runner.stderr).toContain(field);
    expect(runner.stderr + runner.stdout).not.toContain('hunter2-very-secret');
  });

  it('--help lists every option and exits 0', async () => {
    const runner = new RunnerProcess({}, ['--help']);
    expect(await runner.exited).toBe(0);
    expect(runner.stdout).toContain('--half-spread-bps');
    expect(runner.stdout).toContain('MM_EXCHANGE');
  });

  describe('against an external simulator', () => {
    let sim: SimulatorHandle;
    beforeAll(async () => {
      sim = await startSimulator({ symbols: ['BTCUSDT'], seed: 5 });
    });
    afterAll(async () => {
      await sim.close();
    });
    const env = (log: string): Record<string, string> => ({
      MM_REST_URL: sim.restUrl,
      MM_WS_URL: sim.wsUrl,
      MM_EVENT_LOG: log,
      MM_OBS: 'false',
      MM_SNAPSHOT_INTERVAL_S: '1',
    });

    it('--shadow decides and logs quotes but sends no order', async () => {
      const log = join(dir, 'shadow.log');
      const runner = new RunnerProcess(env(log), ['--shadow']);
      await waitFor('shadow quotes decided', () => readEvents(log).filter((e) => e.event === 'quote_decided' && e.bid !== null).length >= 3, 30_000);
      expect(await runner.stop('SIGTERM')).toBe(0);
      const events = readEvents(log);
      expect(events.filter((e) => e.event === 'order_submit')).toHaveLength(0);
      expect(events.find((e) => e.event === 'quote_suppressed')?.reason).toBe('shadow');
      expect(sim.state().trades.filter((t) => t.clientOrderId.startsWith('mm-'))).toHaveLength(0);
      expect(events.at(-1)?.event).toBe('runner_stopped');
    });

    it("--shadow serves specification 002's metrics from the start: the latency histogram before any order, mm_bid/mm_ask at the shadow quotes", async () => {
      const log = join(dir, 'shadow-metrics.log');
      const port = await freePort();
      const runner = new RunnerProcess({ ...env(log), MM_OBS: 'true', MM_OBS_PORT: String(port) }, ['--shadow']);
      try {
        await waitFor('shadow quotes decided', () => readEvents(log).filter((e) => e.event === 'quote_decided' && e.bid !== null).length >= 3, 30_000);
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        // No order was sent, yet the histogram is there: every bucket at 0, per symbol, for the configured transport.
        expect(metrics).toMatch(/^mm_order_latency_ms_bucket\{[^}]*symbol="BTCUSDT"[^}]*transport="ws"[^}]*le="\+Inf"[^}]*\} 0$/m);
        expect(metrics).toMatch(/^mm_order_latency_ms_count\{[^}]*symbol="BTCUSDT"[^}]*transport="ws"[^}]*\} 0$/m);
        const value = (name: string) => Number(new RegExp(`^${name}\\{[^}]*symbol="BTCUSDT"[^}]*\\} (\\S+)$`, 'm').exec(metrics)?.[1]);
        expect(value('mm_bid')).toBeGreaterThan(0);
        expect(value('mm_ask')).toBeGreaterThan(value('mm_bid'));
      } finally {
        expect(await runner.stop('SIGTERM')).toBe(0);
      }
      expect(readEvents(log).filter((e) => e.event === 'order_submit')).toHaveLength(0);
    });

    it('--iterations N stops by itself after N decision cycles, cancels everything and exits 0', async () => {
      const log = join(dir, 'bounded.log');
      const runner = new RunnerProcess(env(log), ['--iterations', '40']);
      const code = await Promise.race([runner.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 40_000))]);
      if (code === 'timeout') await runner.stop('SIGKILL');
      expect(code, runner.stderr.slice(-1500)).toBe(0);
      const events = readEvents(log);
      expect(events.find((e) => e.event === 'runner_stopped')?.reason).toBe('iterations');
      expect(events.filter((e) => e.event === 'order_submit').length).toBeGreaterThan(0);
      expect(sim.state().openOrders).toHaveLength(0);
    });
  });

  it('`mm-runner sim` lists every built-in symbol, takes MM_SIM_API_KEY/SECRET, and serves until SIGTERM', async () => {
    const port = await freePort();
    const key = 'e2eSimKey0123456789';
    const secret = 'e2eSimSecret0123456789';
    const runner = new RunnerProcess({ MM_SIM_PORT: String(port), MM_SIM_API_KEY: key, MM_SIM_API_SECRET: secret }, ['sim']);
    const base = `http://127.0.0.1:${port}`;
    const info = await waitFor(
      'the standalone simulator',
      async () => {
        try {
          const res = await fetch(`${base}/fapi/v1/exchangeInfo`);
          return res.ok ? ((await res.json()) as { symbols: Array<{ symbol: string }> }) : null;
        } catch {
          return null;
        }
      },
      20_000,
    );
    expect(info.symbols.map((s) => s.symbol)).toEqual(defaultSymbolSpecs().map((s) => s.symbol));
    const balance = (apiKey: string, apiSecret: string): Promise<Response> => {
      const query = `timestamp=${Date.now()}`;
      const signature = createHmac('sha256', apiSecret).update(query).digest('hex');
      return fetch(`${base}/fapi/v3/balance?${query}&signature=${signature}`, { headers: { 'X-MBX-APIKEY': apiKey } });
    };
    expect((await balance(key, secret)).status).toBe(200);
    const refused = await balance(SIM_API_KEY, SIM_API_SECRET);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: -2015 });
    expect(await runner.stop('SIGTERM')).toBe(0);
    expect(runner.stdout).toContain('ETHUSDT');
    expect(runner.stdout + runner.stderr).not.toContain(secret);
  });
});
