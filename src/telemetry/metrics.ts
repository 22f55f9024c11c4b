/**
 * The runner's metrics. Counters follow domain events (subscribed to the EventBus); gauges are
 * observed at scrape time from the runner's state, so the order path pays nothing for them.
 */
import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';
import type { Attributes, Counter, Histogram, Meter, ObservableGauge } from '@opentelemetry/api';
import type { DomainEvent } from '../core/events.ts';
import type { Instrument, Steps, Ticks } from '../core/instrument.ts';
import { EDGE_FREEZE_REASON, RISK_LIMIT_FREEZE, type MarketMakerView } from '../core/market-maker.ts';
import { SUPPRESSION_PRECEDENCE } from '../core/suppression.ts';
import { formatMoney } from '../core/money.ts';
import type { RateLimitUsage } from '../core/model.ts';
import type { VenueStatus } from '../core/venue.ts';
import { reasonSlug } from '../exchange/errors.ts';
import { HTTP_DURATION_BUCKETS_S, LABEL, METRICS, ORDER_LATENCY_BUCKETS_MS, type MetricDef } from './names.ts';
import { LISTENERS } from './listener-errors.ts';
import type { PrimedHistogram } from './histogram-priming.ts';
import type { SdkDrops } from './self-observation.ts';

/**
 * mm_order_latency_ms's series from the start, one per symbol and transport orders may take
 * (specification 002: the histogram exists before the first order).
 */
export function primedOrderLatency(symbols: readonly string[], transports: readonly string[]): PrimedHistogram {
  return {
    name: METRICS.orderLatency.name,
    description: METRICS.orderLatency.description,
    unit: METRICS.orderLatency.unit,
    boundaries: ORDER_LATENCY_BUCKETS_MS,
    attributeSets: symbols.flatMap((symbol) => transports.map((transport) => ({ [LABEL.symbol]: symbol, [LABEL.transport]: transport }))),
  };
}

/** What the gauges read at scrape time. */
export interface MetricsSource {
  views(): MarketMakerView[];
  instrument(symbol: string): Instrument | undefined;
  venueStatus(): VenueStatus | null;
  rateLimits(): RateLimitUsage;
  /** The checks behind /ready. */
  readiness(): { readonly exchange: boolean; readonly risk: boolean; readonly state: boolean };
  /** Telemetry items dropped outside the OTel SDK (e.g. event-log lines), by signal. */
  droppedOutsideSdk(): Readonly<Record<string, number>>;
  /** Event-log faults detected so far, by kind (EventLogStats.faults). */
  eventLogFaults(): Readonly<Record<string, number>>;
}

/** Series created at zero so dashboards and rate() have data before the first occurrence. */
const PRIMED_REJECT_REASONS = ['post_only_rejected', 'reduce_only_rejected', 'min_notional', 'margin_insufficient', 'rate_limited', 'other'] as const;
const PRIMED_MALFORMED_SOURCES = ['public-stream', 'market-stream', 'user-stream'] as const;

function counter(meter: Meter, d: MetricDef): Counter {
  return meter.createCounter(d.name, { description: d.description, unit: d.unit });
}

function gauge(meter: Meter, d: MetricDef): ObservableGauge {
  return meter.createObservableGauge(d.name, { description: d.description, unit: d.unit });
}

/** Returns a decimal string as a number for display (metrics only; never money arithmetic). */
function num(text: string | null): number | null {
  if (text === null) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

export class RunnerMetrics {
  readonly httpDuration: Histogram;
  readonly rpcDuration: Histogram;
  readonly orderLatency: Histogram;
  private readonly placed: Counter;
  private readonly filled: Counter;
  private readonly fills: Counter;
  private readonly rejected: Counter;
  private readonly ambiguous: Counter;
  private readonly freezes: Counter;
  private readonly reduceOnly: Counter;
  private readonly grinding: Counter;
  private readonly rateLimited: Counter;
  private readonly renewals: Counter;
  private readonly renewalFailures: Counter;
  private readonly malformed: Counter;
  private readonly symbolAttrs = new Map<string, Attributes>();
  private readonly streamConnected = new Map<string, number>([
    ['market', 0],
    ['user', 0],
  ]);
  private lastOrderPlacedSeconds = 0;
  private readonly loopDelay: ELDHistogram;
  private lastLoopDelay: readonly [number, number, number] = [0, 0, 0];
  private readonly listenerErrors: Counter;
  private readonly sdkDropped: () => Promise<SdkDrops>;

  constructor(meter: Meter, source: MetricsSource, sdkDropped: () => Promise<SdkDrops>) {
    this.sdkDropped = sdkDropped;
    this.httpDuration = meter.createHistogram(METRICS.httpClientDuration.name, {
      description: METRICS.httpClientDuration.description,
      unit: 's',
      advice: { explicitBucketBoundaries: [...HTTP_DURATION_BUCKETS_S] },
    });
    this.rpcDuration = meter.createHistogram(METRICS.rpcClientDuration.name, {
      description: METRICS.rpcClientDuration.description,
      unit: 's',
      advice: { explicitBucketBoundaries: [...HTTP_DURATION_BUCKETS_S] },
    });
    this.orderLatency = meter.createHistogram(METRICS.orderLatency.name, {
      description: METRICS.orderLatency.description,
      unit: 'ms',
      advice: { explicitBucketBoundaries: [...ORDER_LATENCY_BUCKETS_MS] },
    });
    this.placed = counter(meter, METRICS.ordersPlaced);
    this.filled = counter(meter, METRICS.ordersFilled);
    this.fills = counter(meter, METRICS.fills);
    this.rejected = counter(meter, METRICS.ordersRejected);
    this.ambiguous = counter(meter, METRICS.ordersAmbiguous);
    this.freezes = counter(meter, METRICS.freezeEvents);
    this.reduceOnly = counter(meter, METRICS.reduceOnlyForce);
    this.grinding = counter(meter, METRICS.grinding);
    this.rateLimited = counter(meter, METRICS.rateLimited);
    this.renewals = counter(meter, METRICS.listenKeyRenewals);
    this.renewalFailures = counter(meter, METRICS.listenKeyFailures);
    this.malformed = counter(meter, METRICS.malformed);
    this.listenerErrors = counter(meter, METRICS.listenerErrors);
    this.loopDelay = monitorEventLoopDelay({ resolution: 10 });
    this.loopDelay.enable();

    const dropped = meter.createObservableCounter(METRICS.telemetryDropped.name, {
      description: METRICS.telemetryDropped.description,
      unit: METRICS.telemetryDropped.unit,
    });
    dropped.addCallback(async (result) => {
      const all = { event_log: 0, ...(await this.sdkDropped()), ...source.droppedOutsideSdk() };
      for (const [signal, count] of Object.entries(all)) result.observe(count, { [LABEL.signal]: signal });
    });
    const eventLogFaults = meter.createObservableCounter(METRICS.eventLogFaults.name, {
      description: METRICS.eventLogFaults.description,
      unit: METRICS.eventLogFaults.unit,
    });
    eventLogFaults.addCallback((result) => {
      for (const [fault, count] of Object.entries(source.eventLogFaults())) result.observe(count, { [LABEL.fault]: fault });
    });

    const g = {
      edge: gauge(meter, METRICS.edgeBps),
      riskRatio: gauge(meter, METRICS.riskRatio),
      lastPlaced: gauge(meter, METRICS.lastOrderPlaced),
      riskState: gauge(meter, METRICS.riskState),
      pending: gauge(meter, METRICS.pendingExposure),
      mid: gauge(meter, METRICS.mid),
      bid: gauge(meter, METRICS.bid),
      ask: gauge(meter, METRICS.ask),
      marketBid: gauge(meter, METRICS.marketBid),
      marketAsk: gauge(meter, METRICS.marketAsk),
      position: gauge(meter, METRICS.position),
      worst: gauge(meter, METRICS.worstCase),
      fundingRate: gauge(meter, METRICS.fundingRate),
      fundingPredicted: gauge(meter, METRICS.fundingPredicted),
      fundingAccum: gauge(meter, METRICS.fundingAccum),
      ws: gauge(meter, METRICS.wsConnected),
      suppressed: gauge(meter, METRICS.quoteSuppressed),
      frozen: gauge(meter, METRICS.frozen),
      realized: gauge(meter, METRICS.realizedPnl),
      unrealized: gauge(meter, METRICS.unrealizedPnl),
      fees: gauge(meter, METRICS.fees),
      weight: gauge(meter, METRICS.rateLimitWeight),
      orders10s: gauge(meter, METRICS.rateLimitOrders10s),
      orders1m: gauge(meter, METRICS.rateLimitOrders1m),
      loop: gauge(meter, METRICS.eventLoopDelay),
      ready: gauge(meter, METRICS.ready),
      transport: gauge(meter, METRICS.orderTransport),
    };

    meter.addBatchObservableCallback((r) => {
      let riskRatio = 0;
      for (const v of source.views()) {
        const instrument = source.instrument(v.symbol);
        if (!instrument) continue;
        const a = this.attrs(v.symbol);
        const price = (ticks: Ticks | null) => (ticks === null ? null : num(instrument.formatPrice(ticks)));
        const qty = (steps: Steps) => num(instrument.formatQty(steps)) ?? 0;
        const money = (value: bigint) => num(formatMoney(value)) ?? 0;
        const observe = (target: ObservableGauge, value: number | null, attributes: Attributes = a) => {
          if (value !== null) r.observe(target, value, attributes);
        };
        riskRatio = Math.max(riskRatio, v.riskRatio);
        observe(g.edge, v.edgeBps ?? 0);
        observe(g.riskState, v.riskState);
        observe(g.pending, qty(v.pendingBuySteps), { [LABEL.symbol]: v.symbol, [LABEL.side]: 'buy' });
        observe(g.pending, qty(v.pendingSellSteps), { [LABEL.symbol]: v.symbol, [LABEL.side]: 'sell' });
        observe(g.mid, price(v.midTicks));
        observe(g.bid, price(v.ourBidTicks));
        observe(g.ask, price(v.ourAskTicks));
        observe(g.marketBid, price(v.bestBidTicks));
        observe(g.marketAsk, price(v.bestAskTicks));
        observe(g.position, qty(v.positionSteps));
        observe(g.worst, qty(v.worstLongSteps), { [LABEL.symbol]: v.symbol, [LABEL.side]: 'long' });
        observe(g.worst, qty(v.worstShortSteps), { [LABEL.symbol]: v.symbol, [LABEL.side]: 'short' });
        observe(g.fundingRate, num(v.fundingRate) ?? 0);
        observe(g.fundingPredicted, num(v.predictedFundingRate) ?? 0);
        observe(g.fundingAccum, money(v.fundingAccum));
        observe(g.realized, money(v.realizedPnl));
        observe(g.unrealized, money(v.unrealizedPnl));
        observe(g.fees, money(v.fees));
        for (const reason of SUPPRESSION_PRECEDENCE)
          observe(g.suppressed, v.suppressed === reason ? 1 : 0, { [LABEL.symbol]: v.symbol, [LABEL.reason]: reason });
        observe(g.frozen, v.frozenReason === EDGE_FREEZE_REASON ? 1 : 0, { [LABEL.symbol]: v.symbol, [LABEL.reason]: EDGE_FREEZE_REASON });
        observe(g.frozen, v.riskState >= 2 ? 1 : 0, { [LABEL.symbol]: v.symbol, [LABEL.reason]: RISK_LIMIT_FREEZE });
      }
      r.observe(g.riskRatio, riskRatio);
      r.observe(g.lastPlaced, this.lastOrderPlacedSeconds);
      const status = source.venueStatus();
      if (status !== null) {
        this.streamConnected.set('market', status.marketConnected ? 1 : 0);
        this.streamConnected.set('user', status.userConnected && status.listenKeyLive ? 1 : 0);
      }
      for (const [stream, value] of this.streamConnected) r.observe(g.ws, value, { [LABEL.stream]: stream });
      const transport = status?.orderTransport;
      if (transport !== undefined) for (const t of ['ws', 'rest']) r.observe(g.transport, t === transport ? 1 : 0, { [LABEL.transport]: t });
      const checks = source.readiness();
      r.observe(g.ready, checks.exchange ? 1 : 0, { [LABEL.check]: 'exchange' });
      r.observe(g.ready, checks.risk ? 1 : 0, { [LABEL.check]: 'risk' });
      r.observe(g.ready, checks.state ? 1 : 0, { [LABEL.check]: 'state' });
      r.observe(g.ready, checks.exchange && checks.risk && checks.state ? 1 : 0, { [LABEL.check]: 'all' });
      const limits = source.rateLimits();
      r.observe(g.weight, limits.usedWeight1m ?? 0);
      r.observe(g.orders10s, limits.orderCount10s ?? 0);
      r.observe(g.orders1m, limits.orderCount1m ?? 0);
      this.observeLoopDelay(r, g.loop);
    }, Object.values(g));
  }

  /** Returns an EventBus listener that updates the counters. */
  listener(): (event: DomainEvent) => void {
    return (event) => this.onEvent(event);
  }

  /** Counts one exception thrown by a listener (`listener` names it: a venue handler or an event-bus listener). */
  recordListenerError(listener: string): void {
    this.listenerErrors.add(1, { [LABEL.listener]: listener });
  }

  /** Creates the per-symbol counter series at zero, so rate() has data from the first scrape. */
  prime(symbols: readonly string[]): void {
    for (const symbol of symbols) {
      const a = this.attrs(symbol);
      this.placed.add(0, a);
      this.filled.add(0, a);
      this.ambiguous.add(0, a);
      this.reduceOnly.add(0, a);
      this.grinding.add(0, a);
      this.fills.add(0, { [LABEL.symbol]: symbol, [LABEL.liquidity]: 'maker' });
      this.fills.add(0, { [LABEL.symbol]: symbol, [LABEL.liquidity]: 'taker' });
    }
    this.freezes.add(0);
    this.renewals.add(0);
    this.renewalFailures.add(0);
    for (const status of ['429', '418']) this.rateLimited.add(0, { [LABEL.status]: status });
    for (const source of PRIMED_MALFORMED_SOURCES) this.malformed.add(0, { [LABEL.source]: source });
    for (const listener of LISTENERS) this.listenerErrors.add(0, { [LABEL.listener]: listener });
    for (const symbol of symbols) for (const reason of PRIMED_REJECT_REASONS) this.rejected.add(0, { [LABEL.symbol]: symbol, [LABEL.reason]: reason });
  }

  /** Stops the event-loop monitor. */
  close(): void {
    this.loopDelay.disable();
  }

  private observeLoopDelay(r: { observe(g: ObservableGauge, v: number, a?: Attributes): void }, target: ObservableGauge): void {
    const h = this.loopDelay;
    // Reading a percentile walks every bucket when the histogram is empty (scrapes closer than its
    // 10 ms resolution): report the last window's figures again instead.
    if (h.count > 0) {
      this.lastLoopDelay = [h.percentile(50) / 1e6, h.percentile(99) / 1e6, h.max / 1e6];
      h.reset();
    }
    const [p50, p99, max] = this.lastLoopDelay;
    r.observe(target, p50, { [LABEL.quantile]: '0.5' });
    r.observe(target, p99, { [LABEL.quantile]: '0.99' });
    r.observe(target, max, { [LABEL.quantile]: '1' });
  }

  private attrs(symbol: string): Attributes {
    let a = this.symbolAttrs.get(symbol);
    if (!a) {
      a = { [LABEL.symbol]: symbol };
      this.symbolAttrs.set(symbol, a);
    }
    return a;
  }

  private onEvent(event: DomainEvent): void {
    switch (event.event) {
      case 'order_placed': {
        const f = event.fields;
        this.placed.add(1, this.attrs(f.symbol));
        this.lastOrderPlacedSeconds = event.atMs / 1000;
        return;
      }
      case 'order_submit_result': {
        const f = event.fields;
        if (f.outcome === 'accepted') this.orderLatency.record(f.duration_ms, { [LABEL.symbol]: f.symbol, [LABEL.transport]: f.transport ?? 'unknown' });
        if (f.outcome === 'ambiguous') this.ambiguous.add(1, this.attrs(f.symbol));
        return;
      }
      case 'order_filled': {
        const f = event.fields;
        this.fills.add(1, { [LABEL.symbol]: f.symbol, [LABEL.liquidity]: f.is_maker ? 'maker' : 'taker' });
        if (f.full) this.filled.add(1, this.attrs(f.symbol));
        return;
      }
      case 'order_rejected': {
        const f = event.fields;
        const reason = f.source === 'venue' || f.code !== null ? reasonSlug(f.code) : `denied_${f.reason}`.replace(/[^a-z0-9_]/gi, '_').slice(0, 40);
        this.rejected.add(1, { [LABEL.symbol]: f.symbol, [LABEL.reason]: reason });
        return;
      }
      case 'freeze_triggered':
        this.freezes.add(1);
        return;
      case 'reduce_only_force':
        this.reduceOnly.add(1, this.attrs(event.fields.symbol));
        return;
      case 'grinding':
        this.grinding.add(1, this.attrs(event.fields.symbol));
        return;
      case 'rate_limited':
        this.rateLimited.add(1, { [LABEL.status]: String(event.fields.status) });
        return;
      case 'listen_key_event': {
        const action = event.fields.action;
        if (action === 'renewed' || action === 'recreated') this.renewals.add(1);
        if (action === 'renew_failed') this.renewalFailures.add(1);
        return;
      }
      case 'malformed_message':
        this.malformed.add(1, { [LABEL.source]: event.fields.source });
        return;
      case 'ws_connected':
        this.streamConnected.set(event.fields.stream, 1);
        return;
      case 'ws_disconnected':
        this.streamConnected.set(event.fields.stream, 0);
        return;
      default:
        return;
    }
  }
}
