/**
 * `npm run bench [-- --quick] [-- --only=order-cost,scrape]`: runs the benchmark suite, each
 * scenario in its own process (servers in processes of their own), prints a table and writes
 * bench/results/<timestamp>.json. The full run takes about 35 minutes (the memory scenario alone runs
 * 10 minutes); `--quick` about 3 minutes with short durations. Not part of `npm test`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { beforeTree } from './lib/before-tree.ts';
import { arg, BENCH_DIR, Child, flag, REPO_ROOT } from './lib/proc.ts';

export interface Target {
  readonly name: string;
  readonly value: number;
  readonly limit: number;
  /** 'max' (default): value must be <= limit; 'min': >= limit. */
  readonly kind?: 'max' | 'min';
}

const SCENARIOS = ['order-cost', 'tick-to-order', 'transports', 'throughput', 'scrape', 'logging', 'logging-before', 'exporters', 'memory'] as const;
/** Scenario scripts; `logging-before` is the "before" tree's own logging scenario, run right after ours. */
const script = (scenario: string): string =>
  scenario === 'logging-before' ? join(beforeTree(), 'bench', 'scenarios', 'logging.ts') : `scenarios/${scenario}.ts`;
const quick = flag('quick');
const only = arg('only', '')
  .split(',')
  .filter((s) => s.length > 0);
const selected = SCENARIOS.filter((s) => only.length === 0 || only.includes(s));

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'n/a';
  }
}

function nproc(): number {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    return cpus().length;
  }
}

const machine = {
  node: process.version,
  cpuModel: /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown',
  nproc: nproc(),
  memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  versions: {
    '@opentelemetry/api': version('@opentelemetry/api'),
    '@opentelemetry/sdk-trace': version('@opentelemetry/sdk-trace'),
    '@opentelemetry/sdk-logs': version('@opentelemetry/sdk-logs'),
    '@opentelemetry/sdk-metrics': version('@opentelemetry/sdk-metrics'),
    '@opentelemetry/exporter-prometheus': version('@opentelemetry/exporter-prometheus'),
    '@opentelemetry/exporter-trace-otlp-http': version('@opentelemetry/exporter-trace-otlp-http'),
    '@opentelemetry/exporter-logs-otlp-http': version('@opentelemetry/exporter-logs-otlp-http'),
    '@opentelemetry/exporter-trace-otlp-proto': version('@opentelemetry/exporter-trace-otlp-proto'),
    '@opentelemetry/sdk-node': version('@opentelemetry/sdk-node'),
    '@opentelemetry/instrumentation-undici': version('@opentelemetry/instrumentation-undici'),
    '@opentelemetry/instrumentation-pino': version('@opentelemetry/instrumentation-pino'),
    undici: version('undici'),
    ws: version('ws'),
    'prom-client': version('prom-client'),
    pino: version('pino'),
  },
};

const started = Date.now();
const results: Record<string, unknown> = {};
const rows: Array<{ scenario: string; name: string; value: number; limit: number; met: boolean }> = [];
for (const scenario of selected) {
  const t0 = Date.now();
  process.stdout.write(`running ${scenario}${quick ? ' (quick)' : ''} ...\n`);
  const child = new Child(script(scenario), quick ? ['--quick'] : []);
  const message = await child.next('result');
  await child.waitExit();
  if (message.type !== 'result') {
    process.stdout.write(`  ${scenario} failed: ${String(message.stderr)}\n`);
    results[scenario] = { error: String(message.stderr).slice(-2000) };
    continue;
  }
  const result = message.result as { targets?: Target[]; headline?: Record<string, unknown> };
  results[scenario] = { ...result, seconds: Math.round((Date.now() - t0) / 1000) };
  for (const t of result.targets ?? [])
    rows.push({
      scenario,
      name: t.name,
      value: t.value,
      limit: t.limit,
      met: typeof t.value === 'number' && Number.isFinite(t.value) && (t.kind === 'min' ? t.value >= t.limit : t.value <= t.limit),
    });
  process.stdout.write(`  done in ${Math.round((Date.now() - t0) / 1000)} s: ${JSON.stringify(result.headline ?? {})}\n`);
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
process.stdout.write(`\n${pad('scenario', 15)}${pad('target', 58)}${pad('value', 12)}${pad('limit', 10)}met\n`);
for (const r of rows)
  process.stdout.write(`${pad(r.scenario, 15)}${pad(r.name, 58)}${pad(String(r.value), 12)}${pad(String(r.limit), 10)}${r.met ? 'yes' : 'NO'}\n`);

const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
const dir = join(BENCH_DIR, 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${stamp}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ startedAt: new Date(started).toISOString(), seconds: Math.round((Date.now() - started) / 1000), quick, machine, targets: rows, results }, null, 2)}\n`,
);
process.stdout.write(`\nwrote ${file} (${Math.round((Date.now() - started) / 1000)} s)\n`);
