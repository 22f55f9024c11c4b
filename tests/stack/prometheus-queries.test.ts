/**
 * End to end against a real Prometheus: the runner trades on the embedded simulator in-process,
 * /usr/bin/prometheus scrapes it every second (config derived from monitoring/prometheus/
 * prometheus.yml, the rule files loaded as they are), and after ~25 s every PromQL expression
 * of every dashboard panel, datasource link and alert rule is evaluated through the HTTP API:
 * none may error, and every query of a panel backed by the runner's own metrics returns data.
 * Tempo's span-metrics/service-graph series need Tempo, so those queries only have to evaluate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { startApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import {
  DASHBOARDS,
  RULES_DIR,
  TEMPO_GENERATED,
  alertRules,
  dashboardQueries,
  markdownQueries,
  promqlMetricNames,
  provisioningQueries,
  readText,
  repoPath,
  substituteVariables,
  type FoundQuery,
} from './stack-files.ts';

const PROMETHEUS = '/usr/bin/prometheus';
/** How long Prometheus scrapes before the queries run (rate() over 1m wants a handful of samples). */
const SCRAPE_FOR_MS = 22_000;
/** Queries allowed to return nothing in a healthy short session (no reject happened). */
const MAY_BE_EMPTY = new Set(['market-maker.json / Rejects by reason (per 5 min) / A']);

const tmp = mkdtempSync(join(tmpdir(), 'mm-prom-e2e-'));
let app: App | null = null;
let prometheus: ChildProcess | null = null;
let promUrl = '';
let promLog = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface PromResponse {
  readonly status: 'success' | 'error';
  readonly error?: string;
  readonly data?: { readonly resultType: string; readonly result: unknown };
}

async function promGet(path: string, params: Record<string, string> = {}): Promise<PromResponse> {
  const url = new URL(path, promUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return (await res.json()) as PromResponse;
}

async function instant(expr: string): Promise<PromResponse> {
  return promGet('/api/v1/query', { query: expr });
}

function resultCount(res: PromResponse): number {
  const result = res.data?.result;
  if (Array.isArray(result)) return result.length;
  return result === undefined || result === null ? 0 : 1; // scalar / string
}

/** Writes the derived Prometheus config: the project's file with the runner target rewritten. */
function derivedConfig(runnerPort: number): string {
  interface ScrapeConfig {
    job_name: string;
    scrape_interval?: string;
    static_configs: Array<{ targets: string[] }>;
  }
  const config = parseYaml(readText('monitoring/prometheus/prometheus.yml')) as {
    global: Record<string, string>;
    rule_files: string[];
    scrape_configs: ScrapeConfig[];
  };
  const runnerJob = config.scrape_configs.find((job) => job.job_name === 'mm-runner');
  if (runnerJob === undefined) throw new Error('prometheus.yml has no mm-runner job');
  expect(runnerJob.static_configs[0]?.targets).toEqual(['runner:9199']);
  runnerJob.static_configs = [{ targets: [`127.0.0.1:${runnerPort}`] }];
  // The other jobs (collector, Prometheus itself) need their containers: not scraped here.
  config.scrape_configs = [runnerJob];
  config.global = { ...config.global, scrape_interval: '1s', evaluation_interval: '1s' };
  config.rule_files = [repoPath(RULES_DIR, '*.yml')];
  const path = join(tmp, 'prometheus.yml');
  writeFileSync(path, stringifyYaml(config));
  return path;
}

beforeAll(async () => {
  const loaded = loadConfig({ env: { MM_OBS_PORT: '0', MM_EVENT_LOG: join(tmp, 'runner_events.log'), MM_SNAPSHOT_INTERVAL_S: '1' }, argv: [] });
  if (loaded.kind !== 'config') throw new Error('unexpected help');
  app = await startApp(loaded.config, { otelEnv: {}, stdout: new Writable({ write: (_chunk, _enc, done) => done() }) });
  if (app.ops === null) throw new Error('ops server disabled');

  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    PROMETHEUS,
    [
      `--config.file=${derivedConfig(app.ops.port)}`,
      `--storage.tsdb.path=${join(tmp, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // The compose file's flags, so the test notices if this Prometheus rejects them.
      '--enable-feature=exemplar-storage',
      '--web.enable-remote-write-receiver',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  prometheus.stderr?.on('data', (chunk: Buffer) => {
    promLog = (promLog + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<never>((_resolve, reject) => prometheus?.once('exit', (code) => reject(new Error(`prometheus exited with ${code}: ${promLog}`))));
  const ready = (async () => {
    for (;;) {
      try {
        const res = await fetch(`${promUrl}/-/ready`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
  })();
  await Promise.race([ready, exited, sleep(15_000).then(() => Promise.reject(new Error(`prometheus not ready: ${promLog}`)))]);
  exited.catch(() => undefined);
  await sleep(SCRAPE_FOR_MS);
}, 60_000);

afterAll(async () => {
  const child = prometheus;
  if (child !== null && child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }
  await app?.stop('test');
  rmSync(tmp, { recursive: true, force: true });
}, 30_000);

const panelQueries: FoundQuery[] = [...DASHBOARDS.flatMap((d) => dashboardQueries(d)), ...provisioningQueries()].filter((q) => q.language === 'promql');
const docQueries: FoundQuery[] = markdownQueries('README.md').filter((q) => q.language === 'promql');
const rules = alertRules();

/** Checks a `label_values(metric, label)` variable query: the label API answers with values. */
async function checkLabelValues(q: FoundQuery, expr: string): Promise<string[]> {
  const m = /^label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*(?:\{[^}]*\})?)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/.exec(expr.trim());
  if (m === null) return [`${q.where}: not a label_values(metric, label) query: ${expr}`];
  const [, selector = '', label = ''] = m;
  const res = (await promGet(`/api/v1/label/${label}/values`, { 'match[]': selector })) as unknown as { status: string; error?: string; data?: string[] };
  if (res.status !== 'success') return [`${q.where}: error ${res.error ?? '?'} in ${expr}`];
  return (res.data ?? []).length > 0 ? [] : [`${q.where}: no values for ${expr}`];
}

function needsTempo(expr: string): boolean {
  return promqlMetricNames(expr).some((name) => TEMPO_GENERATED.test(name));
}

describe('a real Prometheus scraping the runner on the simulator', () => {
  it('scrapes the runner', async () => {
    const up = await instant('up{job="mm-runner"}');
    expect(up.status).toBe('success');
    expect(up.data?.result).toEqual([expect.objectContaining({ value: [expect.any(Number), '1'] })]);
    const placed = await instant('sum(mm_orders_placed_total)');
    expect(Number((placed.data?.result as Array<{ value: [number, string] }>)[0]?.value[1])).toBeGreaterThan(0);
  });

  it('finds the dashboard and link queries', () => {
    expect(panelQueries.length).toBeGreaterThan(20);
    expect(panelQueries.some((q) => needsTempo(q.expr))).toBe(true);
  });

  it('evaluates every dashboard and link query without error, runner-backed ones with data', async () => {
    const problems: string[] = [];
    for (const q of panelQueries) {
      const expr = substituteVariables(q.expr);
      if (q.refId === 'variable') {
        problems.push(...(await checkLabelValues(q, expr)));
        continue;
      }
      const res = await instant(expr);
      if (res.status !== 'success') {
        problems.push(`${q.where}: error ${res.error ?? '?'} in ${expr}`);
        continue;
      }
      if (needsTempo(expr) || MAY_BE_EMPTY.has(q.where)) continue;
      if (resultCount(res) === 0) problems.push(`${q.where}: no data for ${expr}`);
    }
    expect(problems).toEqual([]);
  });

  it('evaluates every PromQL query of README.md without error', async () => {
    expect(docQueries.length).toBeGreaterThanOrEqual(5);
    const problems: string[] = [];
    for (const q of docQueries) {
      const res = await instant(q.expr);
      if (res.status !== 'success') problems.push(`${q.where}: ${res.error ?? '?'}`);
    }
    expect(problems).toEqual([]);
  });

  it('evaluates every alert rule expression without error', async () => {
    expect(rules.length).toBeGreaterThanOrEqual(8);
    const problems: string[] = [];
    for (const rule of rules) {
      const res = await instant(rule.expr);
      if (res.status !== 'success') problems.push(`${rule.name}: ${res.error ?? '?'}`);
    }
    expect(problems).toEqual([]);
  });

  it('loaded every rule group, and every rule evaluated healthily', async () => {
    const res = (await promGet('/api/v1/rules')) as PromResponse & {
      data?: { groups: Array<{ name: string; rules: Array<{ name: string; health: string; lastError?: string }> }> };
    };
    expect(res.status).toBe('success');
    const loaded = res.data?.groups.flatMap((g) => g.rules) ?? [];
    expect(loaded.map((r) => r.name).sort()).toEqual(rules.map((r) => r.name).sort());
    expect(loaded.filter((r) => r.health !== 'ok')).toEqual([]);
  });

  it('a healthy simulator session raises no alert but the expected ones', async () => {
    const res = (await promGet('/api/v1/alerts')) as PromResponse & { data?: { alerts: Array<{ labels: { alertname: string }; state: string }> } };
    expect(res.status).toBe('success');
    const firing = (res.data?.alerts ?? []).filter((a) => a.state === 'firing').map((a) => a.labels.alertname);
    expect(firing).toEqual([]);
  });

  it('the harness reports a query error and an empty result', async () => {
    expect((await instant('sum(rate(mm_orders_placed_total[1m])')).status).toBe('error');
    expect(resultCount(await instant('mm_no_such_metric_total'))).toBe(0);
  });
});
