/**
 * Shared readers for the observability stack's files (compose, collector, Prometheus, Loki,
 * Tempo, Grafana) and the queries they hold, used by the tests in this folder.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { METRICS } from '../../src/telemetry/names.ts';

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Returns the absolute path of a repository file. */
export function repoPath(...parts: string[]): string {
  return join(ROOT, ...parts);
}

/** Returns a repository file as text. */
export function readText(path: string): string {
  return readFileSync(repoPath(path), 'utf8');
}

/** Returns a repository YAML file, parsed. */
export function readYaml<T = unknown>(path: string): T {
  return parseYaml(readText(path)) as T;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const DASHBOARD_DIR = 'monitoring/grafana/dashboards';
export const DASHBOARDS = ['market-maker.json'] as const;
export const DATASOURCES_FILE = 'monitoring/grafana/provisioning/datasources/datasources.yaml';
export const RULES_DIR = 'monitoring/prometheus/rules';
export const RULE_FILES = ['mm-runner.yml'] as const;
export const PROM_TESTS = 'monitoring/prometheus/tests/mm-runner.test.yml';

export type QueryLanguage = 'promql' | 'logql' | 'traceql';

/** One query found in a dashboard or a provisioning file. */
export interface FoundQuery {
  /** Where it was found, e.g. "market-maker.json / Fill rate / A". */
  readonly where: string;
  readonly panel: string;
  readonly refId: string;
  readonly language: QueryLanguage;
  /** The query as written (dashboard variables not substituted). */
  readonly expr: string;
  readonly datasourceUid: string | null;
}

/** Sample values for dashboard and link variables, so queries can be parsed and evaluated. */
export const SAMPLE_VARIABLES: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '30m',
  symbol: 'BTCUSDT',
  runner: 'mm-runner',
  client_id: 'mm-1x2y3z-b-42',
  '__trace.traceId': '4bf92f3577b34da6a3ce929d0e0e4736',
  '__span.spanId': '00f067aa0ba902b7',
  __tags: 'service_name="mm-runner"',
  '__value.raw': '4bf92f3577b34da6a3ce929d0e0e4736',
};

/** Replaces `$name`, `${name}` and `[[name]]` by sample values; throws on an unknown variable. */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>> = SAMPLE_VARIABLES): string {
  const lookup = (name: string): string => {
    const value = values[name];
    if (value === undefined) throw new Error(`no sample value for variable $${name} in: ${expr}`);
    return value;
  };
  return expr
    .replace(/\$\{([A-Za-z0-9_.]+)(?::[a-z]+)?\}/g, (_m, name: string) => lookup(name))
    .replace(/\[\[([A-Za-z0-9_.]+)\]\]/g, (_m, name: string) => lookup(name))
    .replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => lookup(name));
}

/** Undoes Grafana provisioning's `$$` escape (a provisioning file is env-interpolated first). */
export function unescapeProvisioning(text: string): string {
  return text.replace(/\$\$/g, '$');
}

/** Returns a dashboard JSON. */
export function readDashboard(name: string): JsonObject {
  return JSON.parse(readText(`${DASHBOARD_DIR}/${name}`)) as JsonObject;
}

/** Returns every panel of a dashboard, rows' nested panels included. */
export function dashboardPanels(dashboard: JsonObject): JsonObject[] {
  const out: JsonObject[] = [];
  const walk = (panels: Json | undefined): void => {
    if (!Array.isArray(panels)) return;
    for (const p of panels) {
      if (!isObject(p)) continue;
      out.push(p);
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}

function uidOf(datasource: Json | undefined): string | null {
  if (isObject(datasource) && typeof datasource.uid === 'string') return datasource.uid;
  return null;
}

function typeOf(datasource: Json | undefined): string | null {
  if (isObject(datasource) && typeof datasource.type === 'string') return datasource.type;
  return null;
}

const LANGUAGE_BY_TYPE: Readonly<Record<string, QueryLanguage>> = { prometheus: 'promql', loki: 'logql', tempo: 'traceql' };

/** Returns every query of a dashboard's panels, annotations and query variables. */
export function dashboardQueries(name: string): FoundQuery[] {
  const dashboard = readDashboard(name);
  const out: FoundQuery[] = [];
  for (const panel of dashboardPanels(dashboard)) {
    const title = String(panel.title ?? '(untitled)');
    const targets = Array.isArray(panel.targets) ? panel.targets : [];
    for (const target of targets) {
      if (!isObject(target)) continue;
      const ds = target.datasource ?? panel.datasource;
      const language = LANGUAGE_BY_TYPE[typeOf(ds) ?? ''];
      const refId = String(target.refId ?? '?');
      if (language === undefined) throw new Error(`${name} / ${title} / ${refId}: unknown datasource type`);
      const text = language === 'traceql' ? target.query : target.expr;
      if (language === 'traceql' && target.queryType !== 'traceql') continue; // service map, node graph: no query text
      if (typeof text !== 'string' || text.trim() === '') throw new Error(`${name} / ${title} / ${refId}: empty query`);
      out.push({ where: `${name} / ${title} / ${refId}`, panel: title, refId, language, expr: text, datasourceUid: uidOf(ds) });
    }
  }
  const annotations = isObject(dashboard.annotations) && Array.isArray(dashboard.annotations.list) ? dashboard.annotations.list : [];
  for (const a of annotations) {
    if (!isObject(a) || typeof a.expr !== 'string') continue;
    const language = LANGUAGE_BY_TYPE[typeOf(a.datasource) ?? ''];
    if (language === undefined) continue;
    out.push({
      where: `${name} / annotation ${String(a.name)}`,
      panel: `annotation ${String(a.name)}`,
      refId: 'annotation',
      language,
      expr: a.expr,
      datasourceUid: uidOf(a.datasource),
    });
  }
  const variables = isObject(dashboard.templating) && Array.isArray(dashboard.templating.list) ? dashboard.templating.list : [];
  for (const v of variables) {
    if (!isObject(v) || v.type !== 'query') continue;
    const q = isObject(v.query) ? v.query.query : v.query;
    if (typeof q !== 'string') continue;
    out.push({
      where: `${name} / variable ${String(v.name)}`,
      panel: `variable ${String(v.name)}`,
      refId: 'variable',
      language: 'promql',
      expr: q,
      datasourceUid: uidOf(v.datasource),
    });
  }
  return out;
}

interface ProvisionedDatasource {
  readonly name: string;
  readonly type: string;
  readonly uid: string;
  readonly url: string;
  readonly jsonData?: Record<string, unknown>;
}

/** Returns the provisioned datasources (after undoing the `$$` escape). */
export function provisionedDatasources(): ProvisionedDatasource[] {
  const doc = parseYaml(unescapeProvisioning(readText(DATASOURCES_FILE))) as { datasources: ProvisionedDatasource[] };
  return doc.datasources;
}

/** Returns the queries written in datasource links (traces-to-logs, traces-to-metrics). */
export function provisioningQueries(): FoundQuery[] {
  const out: FoundQuery[] = [];
  for (const ds of provisionedDatasources()) {
    const json = ds.jsonData ?? {};
    const toLogs = json.tracesToLogsV2 as { query?: string; datasourceUid?: string } | undefined;
    if (toLogs?.query)
      out.push({
        where: `${ds.name} tracesToLogsV2`,
        panel: 'tracesToLogsV2',
        refId: 'link',
        language: 'logql',
        expr: toLogs.query,
        datasourceUid: toLogs.datasourceUid ?? null,
      });
    const toMetrics = json.tracesToMetrics as { queries?: { name: string; query: string }[]; datasourceUid?: string } | undefined;
    for (const q of toMetrics?.queries ?? [])
      out.push({
        where: `${ds.name} tracesToMetrics ${q.name}`,
        panel: 'tracesToMetrics',
        refId: q.name,
        language: 'promql',
        expr: q.query,
        datasourceUid: toMetrics?.datasourceUid ?? null,
      });
  }
  return out;
}

interface RuleGroup {
  readonly name: string;
  readonly rules: ReadonlyArray<{ readonly alert?: string; readonly record?: string; readonly expr: string; readonly for?: string }>;
}

/** Returns every alerting/recording rule of the project's rule files. */
export function alertRules(): Array<{ file: string; group: string; name: string; expr: string }> {
  const out: Array<{ file: string; group: string; name: string; expr: string }> = [];
  for (const file of RULE_FILES) {
    const doc = readYaml<{ groups: RuleGroup[] }>(`${RULES_DIR}/${file}`);
    for (const group of doc.groups)
      for (const rule of group.rules) out.push({ file, group: group.name, name: rule.alert ?? rule.record ?? '?', expr: rule.expr });
  }
  return out;
}

/** Scraped series names the runner exposes (histograms with their _bucket/_sum/_count). */
export function runnerSeriesNames(): Set<string> {
  const names = new Set<string>();
  for (const def of Object.values(METRICS)) {
    const scraped = def.scraped.replace(/[^a-zA-Z0-9_:]/g, '_');
    if (def.kind === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(scraped + suffix);
    else names.add(scraped);
  }
  names.add('target_info');
  return names;
}

/** Series produced by Tempo's metrics-generator (span metrics, service graph). */
export const TEMPO_GENERATED = /^traces_(spanmetrics|service_graph)_/;

const PROMQL_WORDS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'group',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'rate',
  'irate',
  'increase',
  'delta',
  'idelta',
  'deriv',
  'histogram_quantile',
  'stddev_over_time',
  'avg_over_time',
  'max_over_time',
  'min_over_time',
  'sum_over_time',
  'count_over_time',
  'last_over_time',
  'vector',
  'scalar',
  'time',
  'abs',
  'clamp_min',
  'clamp_max',
  'label_values',
  'absent',
  'changes',
  'resets',
  'inf',
  'nan',
  'humanizePercentage',
]);

/** Returns the metric names a PromQL expression selects (label names, strings and functions skipped). */
export function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/label_values\(\s*([^,)]+),[^)]*\)/g, '$1')
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = match[0];
    const after = stripped.slice((match.index ?? 0) + word.length).trimStart();
    if (PROMQL_WORDS.has(word)) continue;
    if (after.startsWith('(')) continue; // a function call
    if (/^\d/.test(word)) continue;
    names.add(word);
  }
  return [...names];
}

/** Returns the queries of the ```promql / ```logql / ```traceql blocks of a Markdown file, one per line. */
export function markdownQueries(path: string): FoundQuery[] {
  const out: FoundQuery[] = [];
  for (const block of readText(path).matchAll(/```(promql|logql|traceql)\n([\s\S]*?)```/g)) {
    const language = block[1] as QueryLanguage;
    for (const line of (block[2] ?? '').split('\n')) {
      const expr = line.trim();
      if (expr === '' || expr.startsWith('#')) continue;
      out.push({ where: `${path}: ${expr}`, panel: path, refId: 'doc', language, expr, datasourceUid: null });
    }
  }
  return out;
}

/** Grafana's value of the dashboard's `runner` variable in each query language. */
export const RUNNER_FILTERS: Readonly<Record<QueryLanguage, string>> = {
  promql: 'runner=~"$runner"',
  logql: 'service_instance_id=~"$runner"',
  traceql: 'resource.service.instance.id=~"${runner:regex}"',
};

/**
 * Returns why a dashboard query that reads a runner's data does not follow the `runner`
 * variable (empty when it does, or when it reads nothing of a runner's): every selector of a
 * runner metric carries `runner=~"$runner"`, every Loki stream selector `service_instance_id`,
 * every TraceQL query `resource.service.instance.id`. Series Tempo generates carry no runner.
 */
export function runnerFilterProblems(q: FoundQuery): string[] {
  if (q.refId === 'variable' && /^label_values\(up\{job="mm-runner"\}, runner\)$/.test(q.expr)) return [];
  const filter = RUNNER_FILTERS[q.language];
  if (q.language === 'promql') {
    const runner = runnerSeriesNames();
    const problems: string[] = [];
    for (const name of promqlMetricNames(q.expr)) {
      if (!runner.has(name)) continue;
      for (const m of q.expr.matchAll(new RegExp(`\\b${name}\\b(\\{[^}]*\\})?`, 'g'))) {
        if (!(m[1] ?? '').includes(filter)) problems.push(`${q.where}: ${m[0]} without ${filter}`);
      }
    }
    return problems;
  }
  if (q.language === 'logql') {
    const selectors = [...q.expr.matchAll(/\{[^}]*\}/g)].map((m) => m[0]);
    return selectors.length > 0 && selectors.every((sel) => sel.includes(filter)) ? [] : [`${q.where}: a stream selector without ${filter}`];
  }
  return q.expr.includes(filter) ? [] : [`${q.where}: without ${filter}`];
}
