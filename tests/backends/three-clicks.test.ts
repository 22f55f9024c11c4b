/**
 * The README's three-click path on the real Loki, Tempo and collector, when the binaries are
 * given (LOKI_BIN, TEMPO_BIN, OTELCOL_BIN; README "The back-end suite" says how to take them out
 * of the pinned images). CI and this project's build machines cannot install them, so there the
 * suite is skipped and says so.
 *
 * A real runner exports OTLP to the collector (committed otel/collector.yaml), which feeds Tempo
 * and Loki (committed configs); Tempo's metrics-generator remote-writes span metrics with
 * exemplars to a real Prometheus. Then: an exemplar on the latency panel's query leads to one
 * order's trace (its order.place span over the WebSocket API, or POST /fapi/v1/order over REST,
 * with the client order id, under its decision span);
 * Loki's query for that trace lists that order's lines; a line's trace_id leads back; and every
 * LogQL and TraceQL query a user is given runs without error.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, PrometheusApi } from '../support/prometheus.ts';
import { RunnerProcess, waitFor } from '../support/runner-process.ts';
import { DASHBOARDS, dashboardQueries, markdownQueries, provisioningQueries, substituteVariables, unescapeProvisioning } from '../stack/stack-files.ts';
import { backendBinaries, BackendStack } from './backend-programs.ts';
import { grafanaVariables } from './grafana-variables.ts';
import {
  lgtmEndpoints,
  lokiQuery,
  spanAttribute,
  startCollector,
  startLoki,
  startTempo,
  tempoSearch,
  tempoTrace,
  type LgtmEndpoints,
  type LokiStream,
} from './lgtm-programs.ts';

const bins = backendBinaries();
const unset = [
  bins.loki === null ? 'LOKI_BIN' : null,
  bins.tempo === null ? 'TEMPO_BIN' : null,
  bins.otelcol === null ? 'OTELCOL_BIN' : null,
  bins.prometheus === null ? 'PROMETHEUS_BIN' : null,
].filter((m): m is string => m !== null);
const skipReason = unset.length > 0 ? ` (skipped: ${unset.join(', ')} not set; README "The back-end suite")` : '';
if (unset.length > 0)
  console.warn(`tests/backends/three-clicks: the Loki/Tempo/collector tests are SKIPPED: ${unset.join(', ')} not set (README "The back-end suite").`);

const stack = new BackendStack();
const prom = new PrometheusApi();
let endpoints: LgtmEndpoints;
let runner: RunnerProcess | null = null;
/** What the first click found, for the later ones. */
const found = { traceId: '', clientId: '' };

/** The latency panel's exemplar query, with Grafana's variables set. */
function exemplarQuery(): string {
  const target = DASHBOARDS.flatMap((d) => dashboardQueries(d)).find((q) => q.language === 'promql' && q.expr.includes('traces_spanmetrics_latency_bucket'));
  if (target === undefined) throw new Error('no exemplar query on the dashboard');
  return substituteVariables(target.expr, grafanaVariables({ runner: '.*', symbol: '.*' }));
}

describe.skipIf(unset.length > 0)(`back ends: the three-click path on Loki, Tempo and the collector${skipReason}`, () => {
  beforeAll(async () => {
    endpoints = await lgtmEndpoints();
    const runnerPort = await freePort();
    const amPort = await freePort(); // no Alertmanager here: its alerts are the other suite's
    await stack.startPrometheus(bins.prometheus ?? '', {
      runners: [{ target: `127.0.0.1:${runnerPort}`, runner: 'mm-runner' }],
      alertmanager: `127.0.0.1:${amPort}`,
      otelcolMetrics: endpoints.collectorMetrics,
    });
    prom.url = stack.prometheusUrl;
    await startLoki(stack, bins.loki ?? '', endpoints);
    await startTempo(stack, bins.tempo ?? '', endpoints, stack.prometheusUrl);
    await startCollector(stack, bins.otelcol ?? '', endpoints);
    runner = new RunnerProcess({
      MM_OBS_PORT: String(runnerPort),
      MM_EVENT_LOG: join(stack.dir, 'events.log'),
      MM_LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoints.collectorOtlpHttp,
      OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=mm-runner',
    });
    console.info(`back ends started; changed from the committed configs:\n  ${stack.changes.join('\n  ')}`);
  }, 240_000);

  afterAll(async () => {
    await runner?.stop('SIGTERM');
    await stack.stop();
  }, 60_000);

  it('click 1: an exemplar of the latency panel opens one order trace: its order.place (or POST /fapi/v1/order) span, with the client order id, under its decision', async () => {
    const query = exemplarQuery();
    const traceId = await waitFor(
      `an exemplar for ${query}\n${stack.logs()}`,
      async () => {
        const end = Date.now() / 1000;
        const res = await prom.get<{ status: string; data?: Array<{ exemplars: Array<{ labels: Record<string, string> }> }> }>('/api/v1/query_exemplars', {
          query,
          start: String(end - 600),
          end: String(end),
        });
        return res.data?.flatMap((s) => s.exemplars).find((e) => e.labels.traceID !== undefined)?.labels.traceID ?? null;
      },
      180_000,
      2000,
    );
    const spans = await waitFor(`trace ${traceId} in Tempo`, () => tempoTrace(endpoints.tempo, traceId), 60_000, 1000);
    // The order's request span, whichever way it went (the WebSocket API by default, REST while it is down).
    const post = spans.find((s) => s.name === 'order.place' || s.name === 'POST /fapi/v1/order');
    expect(post, JSON.stringify(spans.map((s) => s.name))).toBeDefined();
    const clientId = post === undefined ? undefined : spanAttribute(post, 'mm.order.client_id');
    expect(clientId).toMatch(/^mm-/);
    const parent = spans.find((s) => s.spanId === post?.parentSpanId);
    expect(parent?.name).toBe('mm.quote.decide');
    found.traceId = traceId;
    found.clientId = clientId ?? '';
  }, 300_000);

  it("click 2: the trace's Loki query lists that order's log lines", async () => {
    expect(found.traceId).not.toBe('');
    const link = provisioningQueries().find((q) => q.where.includes('tracesToLogsV2'));
    const query = substituteVariables(unescapeProvisioning(link?.expr ?? ''), grafanaVariables({ '__trace.traceId': found.traceId }));
    const streams = await waitFor(
      `Loki lines for trace ${found.traceId}`,
      async () => {
        const data = await lokiQuery(endpoints.loki, query);
        const events = (data.result as LokiStream[]).flatMap((s) => s.values.map((v) => v[1]));
        return events.includes('order_submit') && events.includes('order_placed') ? (data.result as LokiStream[]) : null;
      },
      120_000,
      2000,
    );
    for (const s of streams) expect(s.stream.trace_id).toBe(found.traceId);
    expect(streams.some((s) => s.stream.client_id === found.clientId)).toBe(true);
  }, 180_000);

  it("click 3: a log line's trace_id leads back to the trace, and TraceQL finds the order by its client id", async () => {
    const data = await lokiQuery(endpoints.loki, `{service_name="mm-runner"} | client_id="${found.clientId}"`);
    const traceIds = new Set((data.result as LokiStream[]).map((s) => s.stream.trace_id));
    expect([...traceIds]).toEqual([found.traceId]);
    expect(await tempoTrace(endpoints.tempo, found.traceId)).not.toBeNull();
    expect(await tempoSearch(endpoints.tempo, `{span.mm.order.client_id="${found.clientId}"}`)).toContain(found.traceId);
  }, 60_000);

  it('every LogQL and TraceQL query a user is given runs without error', async () => {
    const all = [...DASHBOARDS.flatMap((d) => dashboardQueries(d)), ...provisioningQueries(), ...markdownQueries('README.md')];
    const values = grafanaVariables({ runner: '.*', symbol: '.*', client_id: found.clientId, '__trace.traceId': found.traceId, '__value.raw': found.traceId });
    const problems: string[] = [];
    for (const q of all) {
      const expr = substituteVariables(q.where.includes('tracesToLogsV2') ? unescapeProvisioning(q.expr) : q.expr, values);
      try {
        if (q.language === 'logql') await lokiQuery(endpoints.loki, expr);
        if (q.language === 'traceql') await tempoSearch(endpoints.tempo, expr);
      } catch (error) {
        problems.push(`${q.where}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
