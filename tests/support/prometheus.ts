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

/** A client for Prometheus's HTTP API. */
export class PrometheusApi {
  url: string;

  constructor(url = '') {
    this.url = url;
  }

  /** Returns the JSON answer of a GET on the API (path with its query string). */
  async get<T>(path: string, params: Readonly<Record<string, string>> = {}): Promise<T> {
    const url = new URL(path, this.url);
    for (const [key, value] of Object.entries(params)) url.searchParams.append(key, value);
    const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    return (await res.json()) as T;
  }

  /** Runs an instant query, now or at `atMs` (Unix ms). */
  query(expr: string, atMs?: number): Promise<QueryResult> {
    return this.get<QueryResult>('/api/v1/query', atMs === undefined ? { query: expr } : { query: expr, time: String(atMs / 1000) });
  }

  /** Returns the values of a label among the series matching `match` (Grafana's label_values). */
  async labelValues(label: string, match: string): Promise<string[]> {
    const res = await this.get<{ status: string; error?: string; data?: string[] }>(`/api/v1/label/${encodeURIComponent(label)}/values`, { 'match[]': match });
    if (res.status !== 'success') throw new Error(`label values of ${label} for ${match}: ${res.error ?? res.status}`);
    return res.data ?? [];
  }
}

export class PrometheusServer extends PrometheusApi {
  private child: ChildProcess | null = null;
  private dir = '';
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
