/**
 * Loki, Tempo and the OpenTelemetry Collector, started from the committed configs
 * (monitoring/loki/loki.yaml, monitoring/tempo/tempo.yaml, otel/collector.yaml) for the
 * back-end suite, when LOKI_BIN, TEMPO_BIN and OTELCOL_BIN are set. As for Prometheus, only
 * listen addresses, ports, data directories and service host names change, each recorded in
 * the stack's `changes`; a collector that lacks a configured component (a core build has no
 * `redaction` processor, for one) gets it removed, by name.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { freePort } from '../support/prometheus.ts';
import { Program } from '../support/program.ts';
import { REPO_ROOT } from '../support/runner-process.ts';
import type { BackendStack } from './backend-programs.ts';

const run = promisify(execFile);

type Yaml = Record<string, unknown>;

function readYaml(path: string): Yaml {
  return parseYaml(readFileSync(join(REPO_ROOT, path), 'utf8')) as Yaml;
}

/** Returns the object at a dotted path, throwing (the committed file changed) when absent. */
function at(root: Yaml, path: string): Yaml {
  let node: unknown = root;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || !(key in node)) throw new Error(`committed config has no ${path}; update tests/backends`);
    node = (node as Yaml)[key];
  }
  return node as Yaml;
}

export interface LgtmEndpoints {
  /** Loki's HTTP API, e.g. http://127.0.0.1:PORT. */
  loki: string;
  /** Tempo's HTTP API. */
  tempo: string;
  /** Tempo's OTLP gRPC receiver (host:port) the collector exports to. */
  tempoOtlpGrpc: string;
  /** The collector's OTLP/HTTP receiver, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  collectorOtlpHttp: string;
  /** The collector's own metrics (host:port), scraped by Prometheus. */
  collectorMetrics: string;
}

/** Picks every port the LGTM programs need up front (Prometheus must know the collector's). */
export async function lgtmEndpoints(): Promise<LgtmEndpoints> {
  const [loki, tempo, tempoGrpc, collectorHttp, collectorMetrics] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  return {
    loki: `http://127.0.0.1:${loki}`,
    tempo: `http://127.0.0.1:${tempo}`,
    tempoOtlpGrpc: `127.0.0.1:${tempoGrpc}`,
    collectorOtlpHttp: `http://127.0.0.1:${collectorHttp}`,
    collectorMetrics: `127.0.0.1:${collectorMetrics}`,
  };
}

function port(url: string): number {
  return Number(new URL(url.includes('://') ? url : `http://${url}`).port);
}

/** Starts Loki on monitoring/loki/loki.yaml. */
export async function startLoki(stack: BackendStack, bin: string, endpoints: LgtmEndpoints): Promise<void> {
  const config = readYaml('monitoring/loki/loki.yaml');
  const dir = join(stack.dir, 'loki');
  mkdirSync(dir, { recursive: true });
  const server = at(config, 'server');
  server.http_listen_port = port(endpoints.loki);
  server.grpc_listen_port = await freePort();
  server.http_listen_address = '127.0.0.1';
  server.grpc_listen_address = '127.0.0.1';
  const common = at(config, 'common');
  common.path_prefix = dir;
  const fs = at(config, 'common.storage.filesystem');
  fs.chunks_directory = join(dir, 'chunks');
  fs.rules_directory = join(dir, 'rules');
  at(config, 'compactor').working_directory = join(dir, 'compactor');
  stack.changes.push('loki.yaml: listen addresses and ports, /loki -> a temporary folder');
  const path = join(dir, 'loki.yaml');
  writeFileSync(path, stringifyYaml(config));
  stack.programs.push(await Program.start({ name: 'loki', bin, args: [`-config.file=${path}`], readyUrl: `${endpoints.loki}/ready`, readyTimeoutMs: 90_000 }));
}

/** Starts Tempo on monitoring/tempo/tempo.yaml, remote-writing span metrics to `prometheusUrl`. */
export async function startTempo(stack: BackendStack, bin: string, endpoints: LgtmEndpoints, prometheusUrl: string): Promise<void> {
  const config = readYaml('monitoring/tempo/tempo.yaml');
  const dir = join(stack.dir, 'tempo');
  mkdirSync(dir, { recursive: true });
  const server = at(config, 'server');
  server.http_listen_port = port(endpoints.tempo);
  server.grpc_listen_port = await freePort();
  server.http_listen_address = '127.0.0.1';
  server.grpc_listen_address = '127.0.0.1';
  at(config, 'distributor.receivers.otlp.protocols.grpc').endpoint = endpoints.tempoOtlpGrpc;
  at(config, 'distributor.receivers.otlp.protocols.http').endpoint = `127.0.0.1:${await freePort()}`;
  at(config, 'storage.trace.wal').path = join(dir, 'wal');
  at(config, 'storage.trace.local').path = join(dir, 'blocks');
  const generator = at(config, 'metrics_generator.storage');
  generator.path = join(dir, 'generator-wal');
  const remoteWrite = generator.remote_write as Array<{ url: string }>;
  if (remoteWrite[0]?.url !== 'http://prometheus:9090/api/v1/write') throw new Error('tempo.yaml remote_write changed; update tests/backends');
  remoteWrite[0].url = `${prometheusUrl}/api/v1/write`;
  config.memberlist = { bind_addr: ['127.0.0.1'], bind_port: await freePort() };
  stack.changes.push(
    'tempo.yaml: listen addresses and ports (memberlist on the loopback), /var/tempo -> a temporary folder, prometheus:9090 -> the test Prometheus',
  );
  const path = join(dir, 'tempo.yaml');
  writeFileSync(path, stringifyYaml(config));
  stack.programs.push(
    await Program.start({ name: 'tempo', bin, args: [`-config.file=${path}`], readyUrl: `${endpoints.tempo}/ready`, readyTimeoutMs: 90_000 }),
  );
}

const COMPONENT_KINDS = ['receivers', 'processors', 'exporters', 'extensions', 'connectors'] as const;

/** Returns the component type names a collector binary was built with (`otelcol components`). */
async function availableComponents(bin: string): Promise<Map<string, Set<string>>> {
  const { stdout } = await run(bin, ['components'], { timeout: 30_000 });
  const doc = parseYaml(stdout) as Record<string, unknown>;
  const out = new Map<string, Set<string>>();
  for (const kind of COMPONENT_KINDS) {
    const list = Array.isArray(doc[kind]) ? (doc[kind] as unknown[]) : [];
    out.set(kind, new Set(list.map((c) => (typeof c === 'string' ? c : String((c as { name?: unknown }).name ?? '')))));
  }
  return out;
}

/** Removes configured components the binary lacks (and their uses); returns what it removed. */
function removeMissing(config: Yaml, available: Map<string, Set<string>>): string[] {
  const removed: string[] = [];
  for (const kind of COMPONENT_KINDS) {
    const defined = (config[kind] ?? {}) as Yaml;
    for (const id of Object.keys(defined)) {
      const type = id.split('/')[0] ?? id;
      if (available.get(kind)?.has(type) !== true) {
        delete defined[id];
        removed.push(`${kind}: ${id}`);
      }
    }
  }
  const service = at(config, 'service');
  const present = (kind: string, id: string) => id in ((config[kind] ?? {}) as Yaml);
  if (Array.isArray(service.extensions)) service.extensions = (service.extensions as string[]).filter((id) => present('extensions', id));
  for (const pipeline of Object.values(at(service, 'pipelines'))) {
    const p = pipeline as Record<string, string[] | undefined>;
    for (const kind of ['receivers', 'processors', 'exporters'] as const) if (p[kind] !== undefined) p[kind] = p[kind].filter((id) => present(kind, id));
  }
  return removed;
}

/** Starts the collector on otel/collector.yaml, exporting to the test's Loki and Tempo. */
export async function startCollector(stack: BackendStack, bin: string, endpoints: LgtmEndpoints): Promise<void> {
  const config = readYaml('otel/collector.yaml');
  const removed = removeMissing(config, await availableComponents(bin));
  if (removed.length > 0) stack.changes.push(`collector.yaml: removed, not in this collector build: ${removed.join(', ')}`);
  const extensions = (config.extensions ?? {}) as Yaml;
  if ('health_check' in extensions) (extensions.health_check as Yaml).endpoint = `127.0.0.1:${await freePort()}`;
  at(config, 'receivers.otlp.protocols.grpc').endpoint = `127.0.0.1:${await freePort()}`;
  at(config, 'receivers.otlp.protocols.http').endpoint = endpoints.collectorOtlpHttp.replace('http://', '');
  const exporters = at(config, 'exporters');
  if ('otlp_grpc/tempo' in exporters) (exporters['otlp_grpc/tempo'] as Yaml).endpoint = endpoints.tempoOtlpGrpc;
  if ('otlp_http/loki' in exporters) (exporters['otlp_http/loki'] as Yaml).endpoint = `${endpoints.loki}/otlp`;
  const readers = at(config, 'service.telemetry.metrics').readers as Array<{ pull: { exporter: { prometheus: Yaml } } }>;
  const metrics = readers[0]?.pull.exporter.prometheus;
  if (metrics === undefined) throw new Error('collector.yaml has no Prometheus metrics reader; update tests/backends');
  metrics.host = '127.0.0.1';
  metrics.port = port(endpoints.collectorMetrics);
  stack.changes.push('collector.yaml: listen addresses and ports, tempo:4317 and loki:3100 -> the test Tempo and Loki');
  const path = join(stack.dir, 'collector.yaml');
  writeFileSync(path, stringifyYaml(config));
  stack.programs.push(
    await Program.start({ name: 'otelcol', bin, args: [`--config=${path}`], readyUrl: `http://${endpoints.collectorMetrics}/metrics`, readyTimeoutMs: 60_000 }),
  );
}

/** One stream of a Loki query answer: its labels (structured metadata included) and lines. */
export interface LokiStream {
  readonly stream: Readonly<Record<string, string>>;
  readonly values: ReadonlyArray<readonly [string, string]>;
}

/** Runs a LogQL query over the last `sinceMs`; rejects on a query error. */
export async function lokiQuery(loki: string, query: string, sinceMs = 15 * 60_000): Promise<{ resultType: string; result: unknown[] }> {
  const url = new URL('/loki/api/v1/query_range', loki);
  const end = Date.now();
  url.searchParams.set('query', query);
  url.searchParams.set('start', String((end - sinceMs) * 1e6));
  url.searchParams.set('end', String(end * 1e6));
  url.searchParams.set('limit', '1000');
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  const body = (await res.json().catch(() => ({}))) as { status?: string; data?: { resultType: string; result: unknown[] }; message?: string };
  if (!res.ok || body.status !== 'success' || body.data === undefined)
    throw new Error(`LogQL ${query}: HTTP ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
  return body.data;
}

/** A span of Tempo's trace-by-id answer (OTLP JSON). */
export interface TempoSpan {
  readonly name: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly attributes?: ReadonlyArray<{ readonly key: string; readonly value: { readonly stringValue?: string } }>;
}

/** Returns every span of a trace, or null while Tempo does not have it. */
export async function tempoTrace(tempo: string, traceId: string): Promise<TempoSpan[] | null> {
  const res = await fetch(`${tempo}/api/v2/traces/${traceId}`, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(15_000) });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`Tempo trace ${traceId}: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { trace?: { resourceSpans?: unknown[] }; resourceSpans?: unknown[] };
  const resourceSpans = (body.trace?.resourceSpans ?? body.resourceSpans ?? []) as Array<{ scopeSpans?: Array<{ spans?: TempoSpan[] }> }>;
  return resourceSpans.flatMap((r) => (r.scopeSpans ?? []).flatMap((s) => s.spans ?? []));
}

/** Runs a TraceQL search over the last `sinceMs`; returns the trace ids; rejects on a query error. */
export async function tempoSearch(tempo: string, traceql: string, sinceMs = 15 * 60_000): Promise<string[]> {
  const url = new URL('/api/search', tempo);
  const end = Math.ceil(Date.now() / 1000);
  url.searchParams.set('q', traceql);
  url.searchParams.set('start', String(end - Math.ceil(sinceMs / 1000)));
  url.searchParams.set('end', String(end));
  url.searchParams.set('limit', '50');
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new Error(`TraceQL ${traceql}: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { traces?: Array<{ traceID: string }> };
  return (body.traces ?? []).map((t) => t.traceID);
}

/** Returns a span attribute's string value. */
export function spanAttribute(span: TempoSpan, key: string): string | undefined {
  return span.attributes?.find((a) => a.key === key)?.value.stringValue;
}
