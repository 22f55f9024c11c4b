/**
 * Runs the real Prometheus server (Debian package `prometheus`) for tests: a temp config and
 * TSDB, a free loopback port, and a small client for the HTTP query API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

/** Returns true when the prometheus binary is installed (CI installs it). */
export function prometheusAvailable(): boolean {
  return existsSync(PROMETHEUS_BIN);
}

/** Returns a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface QueryResult {
  readonly status: string;
  readonly error?: string;
  readonly data?: { resultType: string; result: Array<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }> };
}

export class PrometheusServer {
  private child: ChildProcess | null = null;
  private dir = '';
  url = '';
  log = '';

  /** Starts Prometheus with the given YAML config (rule files may be absolute paths). */
  async start(configYaml: string, extraArgs: readonly string[] = []): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'mm-prom-'));
    const configPath = join(this.dir, 'prometheus.yml');
    writeFileSync(configPath, configYaml);
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.child = spawn(
      PROMETHEUS_BIN,
      [`--config.file=${configPath}`, `--storage.tsdb.path=${join(this.dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, ...extraArgs],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    this.child.stdout?.on('data', (d: Buffer) => (this.log += d.toString()));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`${this.url}/-/ready`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`prometheus did not become ready:\n${this.log.slice(-2000)}`);
  }

  /** Runs an instant query, now or at `atMs` (Unix ms). */
  async query(expr: string, atMs?: number): Promise<QueryResult> {
    const at = atMs === undefined ? '' : `&time=${atMs / 1000}`;
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}${at}`);
    return (await res.json()) as QueryResult;
  }

  /** Returns the scrape targets' health as reported by Prometheus. */
  async targets(): Promise<Array<{ health: string; lastError: string; scrapeUrl: string }>> {
    const res = await fetch(`${this.url}/api/v1/targets`);
    const body = (await res.json()) as { data: { activeTargets: Array<{ health: string; lastError: string; scrapeUrl: string }> } };
    return body.data.activeTargets;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      });
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
