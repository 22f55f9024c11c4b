/**
 * The runner as a user runs it (a child process on the simulator), observed the way a user
 * observes it: a real Prometheus scraping /metrics, a loopback OTLP receiver for traces and
 * logs, the event log, /ready, and a scan of every sink for the API key and secret.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../src/sim/index.ts';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { freePort, PrometheusServer, prometheusAvailable } from '../support/prometheus.ts';
import { readEvents, RunnerProcess, type EventLine } from '../support/runner-process.ts';

const API_KEY = 'e2eKeyQ7sT9vX2mN4pR6wY8zA1cE3gJ5lK0bD';
const API_SECRET = 'e2eSecretH8uF6dS4aP2oI9yT7rE5wQ3zX1cV';

let sim: SimulatorHandle;
let receiver: OtlpReceiver;
let prometheus: PrometheusServer;
let runner: RunnerProcess;
let dir: string;
let eventLog: string;
let opsUrl: string;
let exitCode: number | null = null;
let events: EventLine[] = [];
let runningUntilMs = 0;
const readySeen = { ok: 0, fail: 0, okAfterFail: 0 };
let metricsText = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mm-e2e-'));
  eventLog = join(dir, 'events.log');
  sim = await startSimulator({ apiKey: API_KEY, apiSecret: API_SECRET, symbols: ['BTCUSDT'], seed: 7, fundingIntervalMs: 10_000 });
  receiver = new OtlpReceiver();
  const otlp = await receiver.start();
  const port = await freePort();
  opsUrl = `http://127.0.0.1:${port}`;
  runner = new RunnerProcess({
    MM_EXCHANGE: 'sim',
    MM_REST_URL: sim.restUrl,
    MM_WS_URL: sim.wsUrl,
    MM_API_KEY: API_KEY,
    MM_API_SECRET: API_SECRET,
    MM_OBS_PORT: String(port),
    MM_EVENT_LOG: eventLog,
    MM_SNAPSHOT_INTERVAL_S: '2',
    // An edge no fill can reach: the first fill freezes quoting for 4 s, then it resumes.
    MM_MIN_EDGE_BPS: '1000',
    MM_EDGE_WINDOW_FILLS: '1',
    MM_FREEZE_COOLDOWN_MS: '4000',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
  });
  prometheus = new PrometheusServer();
  if (prometheusAvailable()) {
    await prometheus.start(
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: mm-runner\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
    );
  }
  // Watch /ready for 35 s: it must go 200 -> 503 (frozen) -> 200.
  const deadline = Date.now() + 35_000;
  let failed = false;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${opsUrl}/ready`);
      if (res.status === 200) {
        readySeen.ok++;
        if (failed) readySeen.okAfterFail++;
      } else if (res.status === 503 && readySeen.ok > 0) {
        readySeen.fail++;
        failed = true;
      }
      metricsText = await (await fetch(`${opsUrl}/metrics`)).text();
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  // Queried as of this moment: once a scrape fails after the stop, Prometheus marks the series stale.
  runningUntilMs = Date.now();
  exitCode = await runner.stop('SIGINT');
  events = readEvents(eventLog);
}, 90_000);

afterAll(async () => {
  await prometheus?.stop();
  await receiver?.stop();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The CLIENT span of a new order's request: `order.place` over the WebSocket API, `POST /fapi/v1/order` over REST. */
function isOrderRequestSpan(span: { kind: number; name: string }): boolean {
  return span.kind === 3 && (span.name === 'order.place' || span.name === 'POST /fapi/v1/order');
}

describe('runner on the simulator, observed end to end', () => {
  it('exits 0 on SIGINT leaving no open order on the exchange', () => {
    expect(exitCode, runner.stderr.slice(-2000)).toBe(0);
    expect(sim.state().openOrders).toHaveLength(0);
    const done = events.filter((e) => e.event === 'cancel_all_done');
    expect(done.at(-1)?.open_orders_left).toBe(0);
  });

  it('answers the PromQL a user would type with numbers', async () => {
    if (!prometheusAvailable()) throw new Error('prometheus is not installed (CI installs the Debian package)');
    for (const expr of [
      'histogram_quantile(0.99, sum by (le, symbol) (rate(mm_order_latency_ms_bucket[1m])))',
      'rate(mm_orders_filled_total[1m]) / rate(mm_orders_placed_total[1m])',
      'mm_position',
      'mm_ws_connected',
    ]) {
      const result = await prometheus.query(expr, runningUntilMs);
      expect(result.status, `${expr}: ${result.error ?? ''}`).toBe('success');
      const values = result.data?.result.map((r) => Number(r.value?.[1])) ?? [];
      expect(values.length, expr).toBeGreaterThan(0);
      expect(
        values.every((v) => Number.isFinite(v)),
        `${expr} -> ${values.join(',')}`,
      ).toBe(true);
    }
  });

  it('exposes every seed metric on /metrics', () => {
    for (const name of [
      'mm_orders_placed_total',
      'mm_orders_filled_total',
      'mm_order_latency_ms_bucket',
      'mm_edge_bps',
      'mm_risk_ratio',
      'mm_freeze_events_total',
      'mm_last_order_placed_timestamp_seconds',
      'mm_runner_risk_state',
      'mm_reduce_only_force_total',
      'mm_pending_exposure',
      'mm_mid',
      'mm_bid',
      'mm_ask',
      'mm_market_bid',
      'mm_market_ask',
      'mm_position',
      'mm_worst_case',
      'mm_funding_rate',
      'mm_funding_predicted_rate',
      'mm_funding_accum_pnl',
      'mm_ws_connected',
      'mm_quote_suppressed',
      'mm_grinding_total',
      'mm_realized_pnl',
      'mm_unrealized_pnl',
      'mm_fees_paid',
      'mm_rate_limit_used_weight_1m',
      'mm_listen_key_renewals_total',
      'mm_telemetry_dropped_total',
      'mm_event_loop_delay_ms',
      'http_client_request_duration_bucket',
      'rpc_client_call_duration_bucket',
      'mm_order_transport',
    ]) {
      expect(metricsText, name).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
    }
    expect(metricsText).toMatch(/mm_freeze_events_total(\{[^}]*\})? [1-9]/);
    // Orders over the WebSocket API, measured as such; the transport in use is 1, the other 0.
    expect(metricsText).toMatch(/^mm_order_latency_ms_count\{[^}]*transport="ws"[^}]*\} [1-9]/m);
    expect(metricsText).toMatch(/^rpc_client_call_duration_count\{[^}]*rpc_method="order.place"[^}]*\} [1-9]/m);
    expect(metricsText).toMatch(/^mm_order_transport\{[^}]*transport="ws"[^}]*\} 1$/m);
    expect(metricsText).toMatch(/^mm_order_transport\{[^}]*transport="rest"[^}]*\} 0$/m);
  });

  it('turns /ready 503 while frozen and 200 again after', () => {
    expect(readySeen.ok).toBeGreaterThan(0);
    expect(readySeen.fail).toBeGreaterThan(0);
    expect(readySeen.okAfterFail).toBeGreaterThan(0);
    expect(events.some((e) => e.event === 'freeze_triggered')).toBe(true);
  });

  it('has a CLIENT span for every order_submit, over the WebSocket API or REST, and every log record of the order in its trace', () => {
    const submits = events.filter((e) => e.event === 'order_submit');
    expect(submits.length).toBeGreaterThan(5);
    const orderSpans = new Map(receiver.spans.filter(isOrderRequestSpan).map((s) => [String(s.attributes['mm.order.client_id']), s]));
    const viaWs = receiver.spans.filter((s) => s.kind === 3 && s.name === 'order.place');
    // The WebSocket API is the default transport: once it is open, orders go over it.
    expect(viaWs.length).toBeGreaterThan(5);
    for (const span of viaWs) {
      expect(span.attributes['rpc.system.name']).toBe('binance_ws_api');
      expect(span.attributes['rpc.method']).toBe('order.place');
      expect(span.attributes['network.protocol.name']).toBe('websocket');
    }
    for (const submit of submits) {
      const span = orderSpans.get(String(submit.client_id));
      expect(span, `span for ${String(submit.client_id)}`).toBeDefined();
      if (span?.name === 'POST /fapi/v1/order') expect(span.attributes['http.request.method']).toBe('POST');
      expect(span?.attributes['peer.service']).toBe('exchange-sim');
      const records = receiver.logs.filter((l) => l.attributes.client_id === submit.client_id);
      expect(records.length).toBeGreaterThanOrEqual(2);
      for (const record of records) expect(record.traceId, `${record.eventName} of ${String(submit.client_id)}`).toBe(span?.traceId);
    }
  });

  it('exports the decision span each order request was sent under: its parent, covering it, with its own records', () => {
    const byId = new Map(receiver.spans.map((s) => [s.spanId, s]));
    const posts = receiver.spans.filter(isOrderRequestSpan);
    expect(posts.length).toBeGreaterThan(5);
    for (const post of posts) {
      const clientId = String(post.attributes['mm.order.client_id']);
      const decision = byId.get(post.parentSpanId);
      expect(decision?.name, `parent of ${clientId}`).toBe('mm.quote.decide');
      expect(decision?.kind).toBe(1);
      expect(decision?.traceId).toBe(post.traceId);
      expect(decision?.attributes['mm.symbol']).toBe('BTCUSDT');
      expect(Number(decision?.attributes['mm.decision.commands'])).toBeGreaterThanOrEqual(1);
      expect(decision!.startTimeUnixNano).toBeLessThanOrEqual(post.startTimeUnixNano);
      expect(decision!.endTimeUnixNano).toBeGreaterThanOrEqual(post.endTimeUnixNano);
      const submit = receiver.logs.find((l) => l.eventName === 'order_submit' && l.attributes.client_id === clientId);
      expect(submit?.spanId, `order_submit of ${clientId}`).toBe(decision?.spanId);
    }
  });

  it('finds the fills reported by the user stream under the order trace id', () => {
    const fills = receiver.logs.filter((l) => l.eventName === 'order_filled');
    expect(fills.length).toBeGreaterThan(0);
    const traceByClient = new Map(receiver.spans.filter(isOrderRequestSpan).map((s) => [String(s.attributes['mm.order.client_id']), s.traceId]));
    for (const fill of fills) {
      const expected = traceByClient.get(String(fill.attributes.client_id));
      if (expected !== undefined) expect(fill.traceId).toBe(expected);
    }
    expect(fills.filter((f) => traceByClient.has(String(f.attributes.client_id))).length).toBeGreaterThan(0);
    expect(receiver.spans.some((s) => s.name.startsWith('mm.order.update order_filled'))).toBe(true);
  });

  it('never writes the API key, the secret or a signature to any sink', () => {
    const sinks: Record<string, string> = {
      eventLog: readFileSync(eventLog, 'utf8'),
      stdout: runner.stdout,
      stderr: runner.stderr,
      otlp: receiver.rawBodies.join('\n'),
      metrics: metricsText,
    };
    expect(sinks.otlp?.length).toBeGreaterThan(1000);
    for (const [name, text] of Object.entries(sinks)) {
      expect(text.includes(API_KEY), `${name} contains the API key`).toBe(false);
      expect(text.includes(API_SECRET), `${name} contains the API secret`).toBe(false);
      expect(text.includes(API_KEY.slice(0, 12)), `${name} contains part of the API key`).toBe(false);
      expect(/signature=[0-9a-f]{16,}/.test(text), `${name} contains a signature`).toBe(false);
    }
  });

  it('keeps the resource free of command-line arguments and carries the service identity', () => {
    const resource = receiver.spans[0]?.resource ?? {};
    expect(resource['service.name']).toBe('mm-runner');
    expect(resource['deployment.environment.name']).toBe('dev');
    expect(Object.keys(resource).some((k) => k.startsWith('process.command'))).toBe(false);
  });
});
