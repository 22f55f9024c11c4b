/**
 * Scenario 4: scrape. Renders /metrics (metricsRenderer over the OTel Prometheus reader, as the
 * ops server does: exporter-prometheus's own serializer) with 1, 10 and 50 symbols, alternating
 * with the hand-written serializer it replaced (the "before" tree's renderMetrics, same reader)
 * and with prom-client rendering the very same series; then, with REST orders flowing against the loopback server, scrapes every 100 ms
 * and measures the longest turn of the event loop during each scrape (the most an order decided
 * or answered during it can wait), against the longest turn in a window of the same length with
 * no scrape 50 ms later (the machine's own noise), and how much the orders overlapping a scrape
 * are delayed.
 */
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { join } from 'node:path';
import client from 'prom-client';
import { Price, Quantity } from '../../src/core/event-values.ts';
import { domainEvent } from '../../src/core/events.ts';
import type { Instrument } from '../../src/core/instrument.ts';
import type { MarketMakerView } from '../../src/core/market-maker.ts';
import { toInstrument } from '../../src/exchange/wire/exchange-info.ts';
import { fixtureSpec } from '../lib/instruments.ts';
import { createTextMasker } from '../../src/telemetry/masking.ts';
import { metricsRenderer } from '../../src/telemetry/prometheus-render.ts';
import { SystemClock } from '../../src/runner/clocks.ts';
import { globalTracerDecisions } from '../../src/runner/decision-tracing.ts';
import { nextOrder, orderPath } from '../lib/order-path.ts';
import { beforeTree } from '../lib/before-tree.ts';
import { Child, flag, tell } from '../lib/proc.ts';
import { fullStack, type Stack } from '../lib/stack.ts';
import { dist, median, p99, round } from '../lib/stats.ts';

const quick = flag('quick');
const RENDERS = quick ? 60 : 300;
const FLOW_SECONDS = quick ? 4 : 15;
const btc = fixtureSpec('BTCUSDT');

function symbolsFor(n: number): { names: string[]; instruments: Map<string, Instrument>; views: MarketMakerView[] } {
  const names = Array.from({ length: n }, (_, i) => (i === 0 ? 'BTCUSDT' : `S${i}USDT`));
  const instruments = new Map(names.map((symbol) => [symbol, toInstrument({ ...btc, symbol })]));
  const views = names.map((symbol, i): MarketMakerView => {
    const inst = instruments.get(symbol)!;
    const mid = inst.priceToTicks('65000.0', 'nearest') + i;
    return {
      symbol,
      midTicks: mid,
      bestBidTicks: mid - 1,
      bestAskTicks: mid + 1,
      ourBidTicks: mid - 3,
      ourAskTicks: mid + 3,
      positionSteps: 5 * i,
      pendingBuySteps: 5,
      pendingSellSteps: 5,
      worstLongSteps: 10,
      worstShortSteps: -10,
      worstLongNotional: 100n,
      worstShortNotional: 100n,
      positionNotional: 10n,
      riskState: 0,
      riskRatio: 0.1,
      frozenReason: null,
      suppressed: null,
      edgeBps: 1.5,
      realizedPnl: 12345n,
      unrealizedPnl: -123n,
      fees: 55n,
      fundingAccum: 7n,
      fundingRate: '0.0001',
      predictedFundingRate: '0.0001',
      entryPrice: '65000',
      openOrders: 2,
      inFlight: 0,
      ambiguous: 0,
      grindingCount: 0,
      reduceOnlyForceCount: 0,
      venuePositionMismatchSteps: null,
    } as MarketMakerView;
  });
  return { names, instruments, views };
}

const renderers = new WeakMap<Stack, () => Promise<string>>();
/** Returns the /metrics body and the time (us) to render it, as the app renders it (metricsRenderer). */
async function render(stack: Stack): Promise<{ body: string; us: number }> {
  let renderer = renderers.get(stack);
  if (renderer === undefined) {
    renderer = metricsRenderer(stack.telemetry.prometheus, createTextMasker([]));
    renderers.set(stack, renderer);
  }
  const t0 = performance.now();
  const body = await renderer();
  return { body, us: (performance.now() - t0) * 1000 };
}

/** The hand-written serializer this issue removed (the "before" tree's renderMetrics), over the same reader. */
const before = (await import(join(beforeTree(), 'src/telemetry/prometheus-text.ts'))) as {
  renderMetrics(reader: MetricReader, mask: ((text: string) => string) | null): Promise<string>;
};
async function renderBefore(stack: Stack): Promise<number> {
  const t0 = performance.now();
  await before.renderMetrics(stack.telemetry.prometheus, createTextMasker([]));
  return (performance.now() - t0) * 1000;
}

/** Builds a prom-client registry holding exactly the series of an OTel-rendered body. */
function promClientTwin(body: string): client.Registry {
  const registry = new client.Registry();
  const types = new Map<string, string>();
  for (const m of body.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1] as string, m[2] as string);
  const samples = [...body.matchAll(/^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/gm)].map((m) => ({
    name: m[1] as string,
    labels: Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1] as string, l[2] as string])),
    value: Number(m[3]),
  }));
  for (const [family, type] of types) {
    const own = samples.filter((s) =>
      type === 'histogram' ? s.name === `${family}_bucket` || s.name === `${family}_sum` || s.name === `${family}_count` : s.name === family,
    );
    if (own.length === 0) continue;
    const labelNames = [...new Set(own.flatMap((s) => Object.keys(s.labels)).filter((l) => l !== 'le'))];
    if (type === 'histogram') {
      const buckets = [...new Set(own.filter((s) => s.name.endsWith('_bucket') && s.labels.le !== '+Inf').map((s) => Number(s.labels.le)))].sort(
        (a, b) => a - b,
      );
      const h = new client.Histogram({ name: family, help: family, labelNames, buckets, registers: [registry] });
      for (const s of own.filter((x) => x.name.endsWith('_count'))) h.observe(s.labels, buckets[0] ?? 1);
    } else {
      const name = type === 'counter' && !family.endsWith('_total') ? family : family;
      const g =
        type === 'counter'
          ? new client.Counter({ name, help: family, labelNames, registers: [registry] })
          : new client.Gauge({ name, help: family, labelNames, registers: [registry] });
      for (const s of own) (g as client.Gauge).inc(s.labels, Math.max(0, s.value));
    }
  }
  return registry;
}

/**
 * Returns the longest turn of the event loop (us) from `startedAt` until `work` settles, timed by
 * a chain of setImmediate probes (one per turn): the longest any other callback, such as an
 * order's answer or a tick, can have waited meanwhile.
 */
async function longestTurn(startedAt: number, work: Promise<unknown>): Promise<number> {
  let last = startedAt;
  let longest = 0;
  let done = false;
  const probe = (): void => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (!done) setImmediate(probe);
  };
  setImmediate(probe);
  await work;
  done = true;
  return Math.max(longest, performance.now() - last) * 1000;
}

const sampleLines = (body: string) => body.split('\n').filter((l) => l.length > 0 && !l.startsWith('#')).length;

const server = new Child('servers/order-server.ts');
const restUrl = String((await server.expect('ready')).url);
const sizes: Record<string, unknown> = {};
let tenSymbolP50 = Number.NaN;
let beforeTenSymbolP50 = Number.NaN;
let ratioAt10 = Number.NaN;
let stallMax = Number.NaN;
let longestTurnMax = Number.NaN;
for (const n of [1, 10, 50]) {
  const sym = symbolsFor(n);
  const stack = fullStack({ otlpUrl: null, restUrl, symbols: sym.names, views: () => sym.views, instrument: (s) => sym.instruments.get(s) });
  for (const symbol of sym.names) {
    const inst = sym.instruments.get(symbol)!;
    const price = new Price(inst, inst.priceToTicks('65000.0'));
    const qty = new Quantity(inst, inst.qtyToSteps('0.005'));
    for (let k = 0; k < 5; k++) {
      stack.bus.publish(domainEvent('order_placed', { symbol, client_id: `c${k}`, order_id: String(k), side: 'BUY', price, qty, latency_ms: 1 }, `c${k}`));
      stack.bus.publish(
        domainEvent(
          'order_submit_result',
          {
            symbol,
            client_id: `c${k}`,
            side: 'BUY',
            type: 'LIMIT',
            price,
            qty,
            duration_ms: 0.3 + k,
            outcome: 'accepted',
            order_id: String(k),
            error: null,
            error_code: null,
            transport: 'ws',
          },
          `c${k}`,
        ),
      );
    }
  }
  for (const op of ['newOrder', 'cancelOrder', 'queryOrder', 'openOrders'])
    stack.metrics.httpDuration.record(0.0003, {
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
      'server.port': 1,
      'mm.operation': op,
      'http.response.status_code': 200,
    });
  const first = await render(stack);
  const twin = promClientTwin(first.body);
  const twinBody = await twin.metrics();
  const otel: number[] = [];
  const prom: number[] = [];
  const handWritten: number[] = [];
  const variants = ['otel', 'prom', 'before'] as const;
  for (let i = 0; i < RENDERS; i++) {
    const order = variants.map((_, k) => variants[(k + i) % variants.length]);
    for (const v of order) {
      if (v === 'otel') otel.push((await render(stack)).us);
      else if (v === 'before') handWritten.push(await renderBefore(stack));
      else {
        const t0 = performance.now();
        await twin.metrics();
        prom.push((performance.now() - t0) * 1000);
      }
    }
  }
  const lines = sampleLines(first.body);
  const promLines = sampleLines(twinBody);
  const perLineRatio = median(otel) / lines / (median(prom) / promLines);
  const entry: Record<string, unknown> = {
    sampleLines: lines,
    promClientSampleLines: promLines,
    renderUs: dist(otel),
    beforeRenderUs: dist(handWritten),
    promClientUs: dist(prom),
    perSampleLineRatio: round(perLineRatio),
  };

  if (n === 10) {
    tenSymbolP50 = median(otel);
    beforeTenSymbolP50 = median(handWritten);
    ratioAt10 = perLineRatio;
    // Orders flowing while /metrics is scraped every 100 ms.
    const path = await orderPath(restUrl, stack.bus, stack.decorate, globalTracerDecisions(new SystemClock()));
    let scraping = 0;
    let scrapes = 0;
    const turns: number[] = [];
    const quietTurns: number[] = [];
    const timer = setInterval(() => {
      scraping++;
      scrapes++;
      const startedAt = performance.now();
      const rendered = render(stack);
      void longestTurn(startedAt, rendered).then((us) => {
        turns.push(us);
        scraping--;
        const windowMs = performance.now() - startedAt;
        setTimeout(
          () => void longestTurn(performance.now(), new Promise((resolve) => setTimeout(resolve, windowMs))).then((quiet) => quietTurns.push(quiet)),
          50,
        );
      });
    }, 100);
    const during: number[] = [];
    const outside: number[] = [];
    const end = performance.now() + FLOW_SECONDS * 1000;
    while (performance.now() < end) {
      const before = scrapes;
      const t0 = performance.now();
      await path.place(nextOrder(path.instrument, 's'));
      const us = (performance.now() - t0) * 1000;
      (scraping > 0 || scrapes !== before ? during : outside).push(us);
    }
    clearInterval(timer);
    await path.close();
    const stallP99 = (p99(during) - median(outside)) / 1000;
    stallMax = (Math.max(...during) - median(outside)) / 1000;
    // The same excess for orders that overlapped no scrape: the machine's own noise floor.
    const noiseMax = (Math.max(...outside) - median(outside)) / 1000;
    longestTurnMax = Math.max(...turns) / 1000;
    entry.orderFlow = {
      scrapes,
      longestTurnDuringScrapeUs: { ...dist(turns), max: round(Math.max(...turns)) },
      longestTurnNoScrapeUs: { ...dist(quietTurns), max: round(Math.max(...quietTurns)) },
      ordersDuringScrape: dist(during),
      ordersOutside: dist(outside),
      addedP99Ms: round(stallP99),
      addedMaxMs: round(stallMax),
      outsideExcessMaxMs: round(noiseMax),
    };
  }
  sizes[`${n}`] = entry;
  await stack.close();
}
await server.stop();
tell({
  type: 'result',
  result: {
    scenario: 'scrape',
    symbols: sizes,
    headline: {
      tenSymbolsRenderUs: round(tenSymbolP50, 1),
      tenSymbolsRenderBeforeUs: round(beforeTenSymbolP50, 1),
      perLineRatio: round(ratioAt10),
      longestTurnMaxMs: round(longestTurnMax),
      overlapExcessMaxMs: round(stallMax),
    },
    targets: [
      { name: 'render /metrics, 10 symbols, p50 (ms)', value: round(tenSymbolP50 / 1000), limit: 2 },
      { name: 'longest event-loop turn during a scrape, orders flowing, max (ms)', value: round(longestTurnMax), limit: 5 },
      { name: 'per sample line, OTel / prom-client (10 symbols)', value: round(ratioAt10), limit: 1 },
    ],
  },
});
