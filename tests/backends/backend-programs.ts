/**
 * The back-end programs a user runs in docker compose, started here from the committed files
 * (monitoring/, otel/, docker-compose.yml) with only what running outside containers requires
 * changed: listen addresses and ports, data directories, service host names. Every change is
 * listed in `changes`, so a failure says what differed from the compose stack.
 *
 * Binaries: PROMETHEUS_BIN and ALERTMANAGER_BIN (default: Debian's), LOKI_BIN, TEMPO_BIN and
 * OTELCOL_BIN (no default: not installable here; README "The back-end suite" says how to take
 * them out of the pinned images).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { renderAlertmanagerConfig, type AlertEnv } from '../support/alertmanager-config.ts';
import { freePort } from '../support/prometheus.ts';
import { Program } from '../support/program.ts';
import { REPO_ROOT } from '../support/runner-process.ts';

export interface BackendBinaries {
  readonly prometheus: string | null;
  readonly alertmanager: string | null;
  readonly loki: string | null;
  readonly tempo: string | null;
  readonly otelcol: string | null;
}

function binary(env: NodeJS.ProcessEnv, name: string, fallback: string | null): string | null {
  const set = env[name];
  if (set !== undefined && set !== '') return set;
  return fallback !== null && existsSync(fallback) ? fallback : null;
}

/** Returns the binaries to use, from the environment and Debian's default paths. */
export function backendBinaries(env: NodeJS.ProcessEnv = process.env): BackendBinaries {
  return {
    prometheus: binary(env, 'PROMETHEUS_BIN', '/usr/bin/prometheus'),
    alertmanager: binary(env, 'ALERTMANAGER_BIN', '/usr/bin/prometheus-alertmanager'),
    loki: binary(env, 'LOKI_BIN', null),
    tempo: binary(env, 'TEMPO_BIN', null),
    otelcol: binary(env, 'OTELCOL_BIN', null),
  };
}

interface ComposeService {
  readonly command?: readonly string[];
  readonly entrypoint?: readonly string[];
}

function composeService(name: string): ComposeService {
  const compose = parseYaml(readRepo('docker-compose.yml')) as { services: Record<string, ComposeService> };
  const service = compose.services[name];
  if (service === undefined) throw new Error(`docker-compose.yml has no ${name} service`);
  return service;
}

function readRepo(path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8');
}

/** Replaces `--flag=value` of a flag list, or appends it; records the change. */
function setFlag(flags: string[], flag: string, value: string, changes: string[], why: string): void {
  const index = flags.findIndex((f) => f === flag || f.startsWith(`${flag}=`));
  const next = value === '' ? `${flag}=` : `${flag}=${value}`;
  if (index >= 0) flags[index] = next;
  else flags.push(next);
  changes.push(`${flag}=${value} (${why})`);
}

/** One runner Prometheus scrapes: its address and its name (the `runner` label). */
export interface RunnerTarget {
  readonly target: string;
  readonly runner: string;
}

export interface PrometheusSetup {
  /** Targets of the mm-runner job (compose: runner:9199, labelled runner="mm-runner"). */
  readonly runners: readonly RunnerTarget[];
  /** Alertmanager's address (compose: alertmanager:9093). */
  readonly alertmanager: string;
  /** The collector's own metrics endpoint, when one runs (compose: otel-collector:8888). */
  readonly otelcolMetrics: string | null;
}

export class BackendStack {
  readonly changes: string[] = [];
  readonly programs: Program[] = [];
  readonly dir = mkdtempSync(join(tmpdir(), 'mm-backends-'));
  prometheusUrl = '';
  alertmanagerUrl = '';

  /** Starts Prometheus on monitoring/prometheus/prometheus.yml and the compose file's flags. */
  async startPrometheus(bin: string, setup: PrometheusSetup): Promise<void> {
    const port = await freePort();
    this.prometheusUrl = `http://127.0.0.1:${port}`;
    const config = parseYaml(readRepo('monitoring/prometheus/prometheus.yml')) as {
      rule_files: string[];
      alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[]; labels?: Record<string, string> }> }>;
    };
    const job = (name: string) => {
      const found = config.scrape_configs.find((j) => j.job_name === name);
      if (found === undefined) throw new Error(`prometheus.yml has no ${name} job`);
      return found;
    };
    assertCommitted(job('mm-runner').static_configs, [{ targets: ['runner:9199'], labels: { runner: 'mm-runner' } }]);
    // One static config per runner, each with its own name, as compose labels its one runner.
    job('mm-runner').static_configs = setup.runners.map((r) => ({ targets: [r.target], labels: { runner: r.runner } }));
    this.changes.push(
      `prometheus.yml: mm-runner target runner:9199 (runner="mm-runner") -> ${setup.runners.map((r) => `${r.target} (runner="${r.runner}")`).join(', ')} (service host name; two runners)`,
    );
    assertCommitted(job('prometheus').static_configs, [{ targets: ['localhost:9090'] }]);
    job('prometheus').static_configs = [{ targets: [`127.0.0.1:${port}`] }];
    this.changes.push(`prometheus.yml: prometheus target localhost:9090 -> 127.0.0.1:${port} (listen address)`);
    assertCommitted(job('otel-collector').static_configs, [{ targets: ['otel-collector:8888'] }]);
    if (setup.otelcolMetrics === null) {
      config.scrape_configs = config.scrape_configs.filter((j) => j.job_name !== 'otel-collector');
      this.changes.push('prometheus.yml: otel-collector job removed (no OTELCOL_BIN: no collector runs)');
    } else {
      job('otel-collector').static_configs = [{ targets: [setup.otelcolMetrics] }];
      this.changes.push(`prometheus.yml: otel-collector target -> ${setup.otelcolMetrics} (service host name)`);
    }
    assertCommitted(config.alerting.alertmanagers, [{ static_configs: [{ targets: ['alertmanager:9093'] }] }]);
    config.alerting.alertmanagers = [{ static_configs: [{ targets: [setup.alertmanager] }] }];
    this.changes.push(`prometheus.yml: alertmanager:9093 -> ${setup.alertmanager} (service host name)`);
    assertCommitted(config.rule_files, ['/etc/prometheus/rules/*.yml']);
    config.rule_files = [join(REPO_ROOT, 'monitoring/prometheus/rules/*.yml')];
    this.changes.push('prometheus.yml: rule_files -> the repository folder (container mount path)');
    const configPath = join(this.dir, 'prometheus.yml');
    writeFileSync(configPath, stringifyYaml(config));

    const flags = [...(composeService('prometheus').command ?? [])];
    setFlag(flags, '--config.file', configPath, this.changes, 'container mount path');
    setFlag(flags, '--storage.tsdb.path', join(this.dir, 'prometheus-data'), this.changes, 'data directory');
    setFlag(flags, '--web.listen-address', `127.0.0.1:${port}`, this.changes, 'listen address');
    this.programs.push(await Program.start({ name: 'prometheus', bin, args: flags, readyUrl: `${this.prometheusUrl}/-/ready` }));
  }

  /**
   * Renders monitoring/alertmanager with render.sh and `env` (as the container's entrypoint
   * does) and starts Alertmanager with the compose file's flags.
   */
  async startAlertmanager(bin: string, env: AlertEnv): Promise<void> {
    const rendered = await renderAlertmanagerConfig(env);
    const port = await freePort();
    this.alertmanagerUrl = `http://127.0.0.1:${port}`;
    const entrypoint = (composeService('alertmanager').entrypoint ?? []).join(' ');
    const exec = /exec \/bin\/alertmanager (.*)$/s.exec(entrypoint);
    if (exec === null) throw new Error(`docker-compose.yml: the alertmanager entrypoint does not exec /bin/alertmanager: ${entrypoint}`);
    const flags = (exec[1] ?? '').trim().split(/\s+/);
    setFlag(flags, '--config.file', rendered.configPath, this.changes, 'rendered by render.sh into a temporary folder instead of the tmpfs');
    setFlag(flags, '--storage.path', join(this.dir, 'alertmanager-data'), this.changes, 'data directory');
    setFlag(flags, '--web.listen-address', `127.0.0.1:${port}`, this.changes, 'listen address');
    setFlag(flags, '--web.external-url', this.alertmanagerUrl, this.changes, 'listen address');
    this.programs.push(await Program.start({ name: 'alertmanager', bin, args: flags, readyUrl: `${this.alertmanagerUrl}/-/ready` }));
  }

  /** Returns every program's recent output, for failure messages. */
  logs(): string {
    return this.programs.map((p) => `--- ${p.name}\n${p.log()}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.programs.map((p) => p.stop()));
  }
}

/** Throws unless the committed value is the expected container-side one (the rewrite would be wrong otherwise). */
function assertCommitted(actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`committed config changed: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}; update tests/backends`);
  }
}
