/**
 * The stack's wiring: the collector uses only components of the pinned otelcol-contrib (new
 * names, no deprecated alias) with memory_limiter first and batch next; service names and ports
 * agree across compose, collector, Prometheus, Tempo, Loki and Grafana; every datasource uid a
 * panel or link uses is provisioned; every metric a dashboard or rule reads exists as scraped.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  DASHBOARDS,
  DATASOURCES_FILE,
  TEMPO_GENERATED,
  alertRules,
  dashboardPanels,
  dashboardQueries,
  isObject,
  promqlMetricNames,
  provisionedDatasources,
  provisioningQueries,
  readDashboard,
  readText,
  readYaml,
  repoPath,
  runnerFilterProblems,
  runnerSeriesNames,
  RUNNER_FILTERS,
  type Json,
  type QueryLanguage,
} from './stack-files.ts';

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
}
const compose = readYaml<{ services: Record<string, Service> }>('docker-compose.yml');
const services = compose.services;

interface Collector {
  extensions?: Record<string, unknown>;
  receivers: Record<string, { protocols?: Record<string, { endpoint?: string }> }>;
  processors: Record<string, unknown>;
  exporters: Record<string, { endpoint: string; tls?: { insecure?: boolean } }>;
  connectors?: Record<string, unknown>;
  service: { extensions?: string[]; pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }> };
}
const collector = readYaml<Collector>('otel/collector.yaml');

type Kind = 'receivers' | 'processors' | 'exporters' | 'extensions' | 'connectors';
interface ComponentList {
  readonly version: string;
  readonly components: Record<Kind, Record<string, { deprecated_aliases: string[] }>>;
}
const componentList = JSON.parse(readFileSync(repoPath('tests/stack/fixtures/otelcol-contrib-0.159.0-components.json'), 'utf8')) as ComponentList;

/** Returns host and port of a URL or host:port endpoint. */
function hostPort(endpoint: string): { host: string; port: number } {
  const url = new URL(endpoint.includes('://') ? endpoint : `tcp://${endpoint}`);
  return { host: url.hostname, port: Number(url.port) };
}

function portOf(endpoint: string): number {
  return hostPort(endpoint).port;
}

/** Returns the container path a service mounts a repository file or folder at. */
function mountTarget(service: string, source: string): string {
  const volume = (services[service]?.volumes ?? []).find((v) => v.startsWith(`${source}:`));
  if (volume === undefined) throw new Error(`${service} does not mount ${source}`);
  return volume.slice(source.length + 1).split(':')[0] ?? '';
}

/** Returns the value of a `--flag=value` or `-flag=value` in a service's command. */
function flag(service: string, name: string): string | undefined {
  for (const arg of services[service]?.command ?? []) {
    const m = /^--?([^=]+)=(.*)$/.exec(arg);
    if (m?.[1] === name) return m[2];
  }
  return undefined;
}

describe('collector config (otelcol-contrib 0.159.0)', () => {
  it('is checked against the component list of the pinned version', () => {
    expect(componentList.version).toBe('0.159.0');
    expect(readText('docker-compose.yml')).toContain(`otel/opentelemetry-collector-contrib:${componentList.version}`);
  });

  it('uses only components that exist, under their new names', () => {
    const problems: string[] = [];
    for (const kind of ['receivers', 'processors', 'exporters', 'extensions', 'connectors'] as const) {
      const known = componentList.components[kind];
      const aliases = new Map(Object.entries(known).flatMap(([name, c]) => c.deprecated_aliases.map((a) => [a, name] as const)));
      for (const id of Object.keys(collector[kind] ?? {})) {
        const type = id.split('/')[0] ?? id;
        if (aliases.has(type)) problems.push(`${kind}.${id}: deprecated alias of ${aliases.get(type)}`);
        else if (!(type in known)) problems.push(`${kind}.${id}: no such component in ${componentList.version}`);
      }
    }
    expect(problems).toEqual([]);
    // The check itself catches the classic mistakes.
    expect(componentList.components.exporters.otlp_http?.deprecated_aliases).toContain('otlphttp');
    expect(componentList.components.exporters).not.toHaveProperty('loki');
  });

  it('wires every pipeline: defined components, memory_limiter first, then batch', () => {
    const pipelines = collector.service.pipelines;
    expect(Object.keys(pipelines).sort()).toEqual(['logs', 'traces']);
    for (const [name, p] of Object.entries(pipelines)) {
      expect(p.processors[0], name).toBe('memory_limiter');
      expect(p.processors[1], name).toBe('batch');
      for (const r of p.receivers) expect(collector.receivers, `${name}: ${r}`).toHaveProperty([r]);
      for (const r of p.processors) expect(collector.processors, `${name}: ${r}`).toHaveProperty([r]);
      for (const r of p.exporters) expect(collector.exporters, `${name}: ${r}`).toHaveProperty([r]);
      expect(
        p.processors.some((id) => id.startsWith('redaction')),
        `${name} masks secrets`,
      ).toBe(true);
    }
    for (const ext of collector.service.extensions ?? []) expect(collector.extensions).toHaveProperty([ext]);
  });

  it('receives OTLP on 0.0.0.0:4317/4318 and exports traces to Tempo, logs to Loki over OTLP', () => {
    expect(collector.receivers.otlp?.protocols?.grpc?.endpoint).toBe('0.0.0.0:4317');
    expect(collector.receivers.otlp?.protocols?.http?.endpoint).toBe('0.0.0.0:4318');
    const p = collector.service.pipelines;
    const tracesExporter = collector.exporters[p.traces?.exporters[0] ?? ''];
    const logsExporter = collector.exporters[p.logs?.exporters[0] ?? ''];
    expect(p.traces?.exporters[0]).toMatch(/^otlp_grpc(\/|$)/);
    expect(tracesExporter?.endpoint).toBe('tempo:4317');
    expect(tracesExporter?.tls?.insecure).toBe(true);
    expect(p.logs?.exporters[0]).toMatch(/^otlp_http(\/|$)/);
    expect(logsExporter?.endpoint).toBe('http://loki:3100/otlp');
  });

  it('masks secret-looking attributes (key, secret, token, password, signature)', () => {
    const redaction = Object.entries(collector.processors).find(([id]) => id.startsWith('redaction'))?.[1] as { blocked_key_patterns?: string[] } | undefined;
    const patterns = (redaction?.blocked_key_patterns ?? []).map((p) => new RegExp(p.replace(/^\(\?i\)/, ''), 'i'));
    for (const key of ['api_key', 'MM_API_SECRET', 'listenKey', 'auth.token', 'password', 'signature'])
      expect(
        patterns.some((p) => p.test(key)),
        key,
      ).toBe(true);
    for (const key of ['client_id', 'event.name', 'mm.order.client_id', 'trace_id', 'symbol'])
      expect(
        patterns.some((p) => p.test(key)),
        key,
      ).toBe(false);
  });
});

describe('names and ports agree across the stack', () => {
  const prom = readYaml<{ scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }> }>('monitoring/prometheus/prometheus.yml');
  const hostProm = readYaml<typeof prom>('monitoring/prometheus/prometheus.host-runner.yml');
  const loki = readYaml<{
    server: { http_listen_port: number };
    limits_config: {
      allow_structured_metadata: boolean;
      otlp_config: { resource_attributes: { ignore_defaults: boolean; attributes_config: Array<{ action: string; attributes: string[] }> } };
    };
  }>('monitoring/loki/loki.yaml');
  const tempo = readYaml<
    Record<string, unknown> & {
      server: { http_listen_port: number };
      distributor: { receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } } };
      metrics_generator: { storage: { remote_write: Array<{ url: string; send_exemplars?: boolean }> } };
      overrides: { defaults: { metrics_generator: { processors: string[]; processor?: { service_graphs?: { peer_attributes?: string[] } } } } };
    }
  >('monitoring/tempo/tempo.yaml');

  it("the runner exports OTLP to the collector's HTTP receiver", () => {
    const endpoint = hostPort(services.runner?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT ?? '');
    expect(services).toHaveProperty([endpoint.host]);
    expect(endpoint.port).toBe(portOf(collector.receivers.otlp?.protocols?.http?.endpoint ?? ''));
  });

  it('Prometheus scrapes the runner where it listens; the host variant at host.docker.internal', () => {
    const target = prom.scrape_configs.find((j) => j.job_name === 'mm-runner')?.static_configs[0]?.targets[0] ?? '';
    const { host, port } = hostPort(target);
    expect(host).toBe('runner');
    expect(String(port)).toBe(services.runner?.environment?.MM_OBS_PORT);
    expect(services.runner?.ports).toContain(`127.0.0.1:${port}:${port}`);
    expect(hostProm.scrape_configs.find((j) => j.job_name === 'mm-runner')?.static_configs[0]?.targets).toEqual([`host.docker.internal:${port}`]);
    // Every other scrape target is a compose service (or Prometheus itself).
    for (const job of prom.scrape_configs)
      for (const t of job.static_configs.flatMap((s) => s.targets)) expect(['localhost', ...Object.keys(services)]).toContain(hostPort(t).host);
    expect(
      String(
        (collector.service as unknown as { telemetry: { metrics: { readers: Array<{ pull: { exporter: { prometheus: { port: number } } } }> } } }).telemetry
          .metrics.readers[0]?.pull.exporter.prometheus.port,
      ),
    ).toBe(String(hostPort(prom.scrape_configs.find((j) => j.job_name === 'otel-collector')?.static_configs[0]?.targets[0] ?? '').port));
  });

  it('the runner reaches the simulator where it listens', () => {
    const rest = hostPort(String(services.runner?.environment?.MM_REST_URL).replace(/^\$\{MM_REST_URL-(.*)\}$/, '$1'));
    expect(rest.host).toBe('sim');
    expect(String(rest.port)).toBe(services.sim?.environment?.MM_SIM_PORT);
  });

  it('the collector exports to Loki and Tempo where they listen', () => {
    const lokiEndpoint = hostPort(collector.exporters['otlp_http/loki']?.endpoint ?? '');
    expect(services).toHaveProperty([lokiEndpoint.host]);
    expect(lokiEndpoint.port).toBe(loki.server.http_listen_port);
    const tempoEndpoint = hostPort(collector.exporters['otlp_grpc/tempo']?.endpoint ?? '');
    expect(services).toHaveProperty([tempoEndpoint.host]);
    expect(tempoEndpoint.port).toBe(portOf(tempo.distributor.receivers.otlp.protocols.grpc.endpoint));
  });

  it('Tempo 3 config: no 2.x blocks, receivers bound to a host, span metrics with exemplars and a service graph remote-written to Prometheus', () => {
    for (const removed of ['ingester', 'ingester_client', 'compactor', 'metrics_generator_client']) expect(tempo).not.toHaveProperty([removed]);
    expect(tempo.distributor.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
    expect(tempo.distributor.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    const generator = tempo.overrides.defaults.metrics_generator;
    expect(generator.processors).toEqual(expect.arrayContaining(['span-metrics', 'service-graphs']));
    expect(generator.processors).not.toContain('local-blocks');
    expect(generator.processor?.service_graphs?.peer_attributes).toContain('peer.service');
    const remote = tempo.metrics_generator.storage.remote_write[0];
    expect(remote?.send_exemplars).toBe(true);
    const url = hostPort(remote?.url ?? '');
    expect(url.host).toBe('prometheus');
    expect(services.prometheus?.ports).toContain(`127.0.0.1:${url.port}:${url.port}`);
    expect(new URL(remote?.url ?? '').pathname).toBe('/api/v1/write');
  });

  it("Loki indexes a few labels that stay put, the runner's name (service.instance.id) among them, and every runner we ship sets it to its Prometheus runner label", () => {
    expect(loki.limits_config.allow_structured_metadata).toBe(true);
    const resource = loki.limits_config.otlp_config.resource_attributes;
    expect(resource.ignore_defaults).toBe(true);
    const labels = resource.attributes_config.filter((c) => c.action === 'index_label').flatMap((c) => c.attributes);
    expect(labels.sort()).toEqual(['deployment.environment.name', 'service.instance.id', 'service.name', 'service.namespace']);
    // compose: OTEL_RESOURCE_ATTRIBUTES names the runner as Prometheus's static label does.
    const attributes = new Map(
      String(services.runner?.environment?.OTEL_RESOURCE_ATTRIBUTES ?? '')
        .split(',')
        .map((kv) => kv.split('=', 2) as [string, string]),
    );
    const staticLabels = (config: typeof prom) =>
      config.scrape_configs.find((j) => j.job_name === 'mm-runner')?.static_configs[0] as { labels?: Record<string, string> } | undefined;
    expect(attributes.get('service.instance.id')).toBe(staticLabels(prom)?.labels?.runner);
    expect(staticLabels(hostProm)?.labels?.runner).toBe(staticLabels(prom)?.labels?.runner);
    expect(staticLabels(prom)?.labels?.runner).toMatch(/\S/);
  });

  it('Grafana datasources point at the services and ports that serve them', () => {
    const expected: Record<string, { host: string; port: number }> = {
      prometheus: { host: 'prometheus', port: Number((services.prometheus?.ports?.[0] ?? '').split(':').at(-1)) },
      tempo: { host: 'tempo', port: tempo.server.http_listen_port },
      loki: { host: 'loki', port: loki.server.http_listen_port },
    };
    const datasources = provisionedDatasources();
    expect(datasources.map((d) => d.uid).sort()).toEqual(['loki', 'prometheus', 'tempo']);
    for (const ds of datasources) expect(hostPort(ds.url), ds.name).toEqual(expected[ds.uid]);
  });

  it('config files are mounted where each program is told to read them', () => {
    expect(flag('otel-collector', 'config')).toBe(mountTarget('otel-collector', './otel/collector.yaml'));
    expect(flag('prometheus', 'config.file')).toBe(mountTarget('prometheus', './monitoring/prometheus/${PROMETHEUS_CONFIG:-prometheus.yml}'));
    expect(`${mountTarget('prometheus', './monitoring/prometheus/rules')}/*.yml`).toBe(
      readYaml<{ rule_files: string[] }>('monitoring/prometheus/prometheus.yml').rule_files[0],
    );
    expect(flag('loki', 'config.file')).toBe(mountTarget('loki', './monitoring/loki/loki.yaml'));
    expect(flag('tempo', 'config.file')).toBe(mountTarget('tempo', './monitoring/tempo/tempo.yaml'));
    const provider = readYaml<{ providers: Array<{ options: { path: string } }> }>('monitoring/grafana/provisioning/dashboards/dashboards.yaml').providers[0];
    expect(provider?.options.path).toBe(mountTarget('grafana', './monitoring/grafana/dashboards'));
    expect(mountTarget('grafana', './monitoring/grafana/provisioning')).toBe('/etc/grafana/provisioning');
  });
});

describe('Grafana provisioning and dashboards', () => {
  const datasources = provisionedDatasources();
  const uids = new Set(datasources.map((d) => d.uid));
  const byUid = new Map(datasources.map((d) => [d.uid, d]));

  it('escapes every $ as $$ in the provisioning file', () => {
    const raw = readText(DATASOURCES_FILE)
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n');
    expect(raw.replace(/\$\$/g, '')).not.toContain('$');
    expect(raw).toContain('| trace_id="$${__trace.traceId}"');
  });

  it('links the three datasources both ways', () => {
    const promJson = byUid.get('prometheus')?.jsonData as { exemplarTraceIdDestinations: Array<{ name: string; datasourceUid: string }> };
    expect(promJson.exemplarTraceIdDestinations).toEqual([expect.objectContaining({ name: 'traceID', datasourceUid: 'tempo' })]);
    const tempoJson = byUid.get('tempo')?.jsonData as {
      tracesToLogsV2: { datasourceUid: string; customQuery: boolean; query: string };
      tracesToMetrics: { datasourceUid: string };
      serviceMap: { datasourceUid: string };
      nodeGraph: { enabled: boolean };
    };
    expect(tempoJson.tracesToLogsV2).toMatchObject({ datasourceUid: 'loki', customQuery: true });
    expect(tempoJson.tracesToLogsV2.query).toContain('| trace_id="${__trace.traceId}"');
    expect(tempoJson.tracesToMetrics.datasourceUid).toBe('prometheus');
    expect(tempoJson.serviceMap.datasourceUid).toBe('prometheus');
    expect(tempoJson.nodeGraph.enabled).toBe(true);
    const lokiJson = byUid.get('loki')?.jsonData as { derivedFields: Array<{ matcherType: string; matcherRegex: string; datasourceUid: string; url: string }> };
    expect(lokiJson.derivedFields).toEqual([
      expect.objectContaining({ matcherType: 'label', matcherRegex: 'trace_id', datasourceUid: 'tempo', url: '${__value.raw}' }),
    ]);
  });

  it('every datasource uid used by a link, panel, annotation or variable is provisioned', () => {
    const used: Array<[string, string]> = [];
    const collect = (where: string, value: Json | undefined): void => {
      if (Array.isArray(value)) value.forEach((v, i) => collect(`${where}[${i}]`, v));
      else if (isObject(value)) {
        for (const [k, v] of Object.entries(value)) {
          if ((k === 'datasourceUid' || (k === 'uid' && where.endsWith('.datasource'))) && typeof v === 'string') used.push([where, v]);
          collect(`${where}.${k}`, v);
        }
      }
    };
    for (const ds of datasources) collect(ds.name, ds.jsonData as Json);
    for (const d of DASHBOARDS) collect(d, readDashboard(d));
    expect(used.length).toBeGreaterThan(30);
    const unknown = used.filter(([, uid]) => !uids.has(uid) && uid !== '-- Grafana --');
    expect(unknown).toEqual([]);
  });

  it('every metric a dashboard, link or rule reads exists as the runner exports it (or comes from Tempo)', () => {
    const runner = runnerSeriesNames();
    const queries = [...DASHBOARDS.flatMap((d) => dashboardQueries(d)), ...provisioningQueries()].filter((q) => q.language === 'promql');
    const problems: string[] = [];
    const check = (where: string, expr: string): void => {
      for (const name of promqlMetricNames(expr)) if (!runner.has(name) && !TEMPO_GENERATED.test(name) && name !== 'up') problems.push(`${where}: ${name}`);
    };
    for (const q of queries) check(q.where, q.expr);
    for (const r of alertRules()) check(`rule ${r.name}`, r.expr);
    expect(problems).toEqual([]);
    // And the check catches a misspelling.
    expect(promqlMetricNames('sum(rate(mm_orders_placed[1m])) / 2').filter((n) => !runner.has(n))).toEqual(['mm_orders_placed']);
  });

  it('the dashboard shows one runner, several or all: a runner variable (All by default) every runner-backed query follows', () => {
    const dashboard = readDashboard('market-maker.json');
    const variables = (isObject(dashboard.templating) && Array.isArray(dashboard.templating.list) ? dashboard.templating.list : []).filter(isObject);
    expect(variables[0]).toMatchObject({
      name: 'runner',
      type: 'query',
      query: { query: 'label_values(up{job="mm-runner"}, runner)' },
      includeAll: true,
      allValue: '.*',
      multi: true,
      current: { value: '$__all' },
    });
    // The symbols offered are those of the runners chosen.
    expect(variables.find((v) => v.name === 'symbol')).toMatchObject({ query: { query: 'label_values(mm_mid{runner=~"$runner"}, symbol)' } });
    const queries = dashboardQueries('market-maker.json');
    expect(queries.flatMap((q) => runnerFilterProblems(q))).toEqual([]);
    // Every Prometheus, Loki and Tempo query but the variable and Tempo's own span metrics carries the filter.
    const unfiltered = queries.filter((q) => !q.expr.includes(RUNNER_FILTERS[q.language])).map((q) => q.where);
    expect(unfiltered).toEqual([
      "market-maker.json / Order latency P50 / P99 (click an exemplar to open the slow order's trace) / C",
      'market-maker.json / variable runner',
    ]);
    // And the check catches a query that forgets it, in each language.
    const probe = (language: QueryLanguage, expr: string) =>
      runnerFilterProblems({ where: 'probe', panel: 'probe', refId: 'A', language, expr, datasourceUid: null });
    expect(probe('promql', 'sum by (runner) (rate(mm_orders_placed_total{runner=~"$runner"}[1m])) / sum(rate(mm_orders_filled_total[1m]))')).toEqual([
      'probe: mm_orders_filled_total without runner=~"$runner"',
    ]);
    expect(probe('logql', '{service_name="mm-runner"} | client_id="x"')).toHaveLength(1);
    expect(probe('traceql', '{span.mm.order.client_id="x"}')).toHaveLength(1);
  });

  it('the market-maker dashboard has the panels the runbook describes', () => {
    const queries = dashboardQueries('market-maker.json');
    const prom = queries
      .filter((q) => q.language === 'promql')
      .map((q) => q.expr)
      .join('\n');
    for (const metric of [
      'mm_mid',
      'mm_bid',
      'mm_ask',
      'mm_market_bid',
      'mm_market_ask',
      'mm_position',
      'mm_pending_exposure',
      'mm_worst_case',
      'mm_runner_risk_state',
      'mm_ws_connected',
      'mm_quote_suppressed',
      'mm_reduce_only_force_total',
      'mm_grinding_total',
      'mm_funding_rate',
      'mm_order_latency_ms_bucket',
      'mm_orders_filled_total',
      'mm_orders_placed_total',
      'mm_orders_rejected_total',
      'mm_edge_bps',
      'mm_freeze_events_total',
    ]) {
      expect(promqlMetricNames(prom), metric).toContain(metric);
    }
    expect(prom).toContain('stddev_over_time(mm_funding_rate');
    expect(prom).toMatch(/histogram_quantile\(0\.5, [^\n]*mm_order_latency_ms_bucket/);
    expect(prom).toMatch(/histogram_quantile\(0\.99, [^\n]*mm_order_latency_ms_bucket/);
    expect(prom).toMatch(/rate\(mm_orders_filled_total\{[^}]*\}\[1m\]\)\) \/ sum by \(runner, symbol\) \(rate\(mm_orders_placed_total\{[^}]*\}\[1m\]\)/);

    const dashboard = readDashboard('market-maker.json');
    const panels = dashboardPanels(dashboard);
    const exemplarTargets = panels.flatMap((p) => (Array.isArray(p.targets) ? p.targets : [])).filter((t) => isObject(t) && t.exemplar === true);
    expect(exemplarTargets).toEqual([
      expect.objectContaining({ expr: expect.stringMatching(/traces_spanmetrics_latency_bucket\{[^}]*span_name=~"order\.place\|POST \/fapi\/v1\/order"/) }),
    ]);
    // The latency panel splits the runner's own histogram by transport (WebSocket API, REST).
    expect(prom).toMatch(/histogram_quantile\(0\.99, sum by \(le, runner, transport\) \(rate\(mm_order_latency_ms_bucket/);

    const logql = queries.filter((q) => q.language === 'logql').map((q) => q.expr);
    const traceql = queries.filter((q) => q.language === 'traceql').map((q) => q.expr);
    expect(logql).toContain('{service_name="mm-runner", service_instance_id=~"$runner"}');
    expect(logql).toContain('{service_name="mm-runner", service_instance_id=~"$runner"} | client_id="$client_id"');
    expect(traceql).toContain('{resource.service.name="mm-runner" && span.mm.order.client_id != nil && resource.service.instance.id=~"${runner:regex}"}');
    expect(traceql).toContain('{span.mm.order.client_id="$client_id" && resource.service.instance.id=~"${runner:regex}"}');
    expect(panels.some((p) => p.type === 'logs')).toBe(true);

    const variables = (isObject(dashboard.templating) && Array.isArray(dashboard.templating.list) ? dashboard.templating.list : []).filter(isObject);
    expect(variables.find((v) => v.name === 'client_id')).toMatchObject({ type: 'textbox' });
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
