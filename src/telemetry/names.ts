/**
 * The one registry of telemetry names: every metric (scraped name, type, unit, labels,
 * meaning), span name and attribute key lives here. README "Metrics" is checked against it.
 * The Prometheus exporter adds `_total` to counters and no unit suffix, so the OTel name is
 * the scraped name without `_total`.
 */

import {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_NETWORK_PROTOCOL_NAME,
  ATTR_RPC_METHOD,
  ATTR_RPC_STATUS_CODE,
  ATTR_RPC_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  METRIC_HTTP_CLIENT_REQUEST_DURATION,
  METRIC_RPC_CLIENT_CALL_DURATION,
} from '@opentelemetry/semantic-conventions';

export type MetricKind = 'counter' | 'gauge' | 'histogram' | 'updown';

export interface MetricDef {
  /** OTel instrument name. */
  readonly name: string;
  /** Name as scraped from /metrics (histograms add _bucket/_sum/_count). */
  readonly scraped: string;
  readonly kind: MetricKind;
  readonly unit: string;
  readonly labels: readonly string[];
  readonly description: string;
}

function def(name: string, kind: MetricKind, unit: string, labels: readonly string[], description: string): MetricDef {
  return { name, scraped: kind === 'counter' ? `${name}_total` : name, kind, unit, labels, description };
}

export const METRICS = {
  ordersPlaced: def('mm_orders_placed', 'counter', '{order}', ['symbol'], 'Orders accepted by the venue (REST ack).'),
  ordersFilled: def('mm_orders_filled', 'counter', '{order}', ['symbol'], 'Orders that reached FILLED.'),
  fills: def('mm_fills', 'counter', '{fill}', ['symbol', 'liquidity'], 'Executions (partial or full) reported by the user stream; liquidity maker|taker.'),
  ordersRejected: def('mm_orders_rejected', 'counter', '{order}', ['symbol', 'reason'], 'Orders rejected by the venue or denied locally, by reason slug.'),
  ordersAmbiguous: def('mm_orders_ambiguous', 'counter', '{order}', ['symbol'], 'Order submissions whose outcome was unknown (timeout, reset, 5xx, 503).'),
  orderLatency: def(
    'mm_order_latency_ms',
    'histogram',
    'ms',
    ['symbol', 'transport'],
    'Order submit to venue acknowledgement, by transport (ws: the WebSocket API, rest).',
  ),
  orderTransport: def('mm_order_transport', 'gauge', '1', ['transport'], '1 for the transport orders take now (ws: the WebSocket API, rest), 0 for the other.'),
  edgeBps: def('mm_edge_bps', 'gauge', 'bps', ['symbol'], 'Rolling edge captured per fill, net of fees.'),
  riskRatio: def('mm_risk_ratio', 'gauge', '1', [], 'Highest exposure-to-limit ratio across symbols (1 = at the limit).'),
  freezeEvents: def('mm_freeze_events', 'counter', '{event}', [], 'Quoting freezes (edge below threshold or risk limit).'),
  lastOrderPlaced: def('mm_last_order_placed_timestamp_seconds', 'gauge', 's', [], 'Unix time of the last order the venue accepted.'),
  riskState: def('mm_runner_risk_state', 'gauge', '1', ['symbol'], 'Risk state: 0 normal, 1 soft reduce, 2 hard reduce.'),
  reduceOnlyForce: def('mm_reduce_only_force', 'counter', '{order}', ['symbol'], 'Reduce-only orders forced in hard reduce.'),
  pendingExposure: def('mm_pending_exposure', 'gauge', '{base}', ['symbol', 'side'], 'Quantity of open and in-flight orders per side (base asset).'),
  mid: def('mm_mid', 'gauge', '{quote}', ['symbol'], 'Market mid price.'),
  bid: def('mm_bid', 'gauge', '{quote}', ['symbol'], 'Our best resting bid.'),
  ask: def('mm_ask', 'gauge', '{quote}', ['symbol'], 'Our best resting ask.'),
  marketBid: def('mm_market_bid', 'gauge', '{quote}', ['symbol'], 'Market best bid.'),
  marketAsk: def('mm_market_ask', 'gauge', '{quote}', ['symbol'], 'Market best ask.'),
  position: def('mm_position', 'gauge', '{base}', ['symbol'], 'Net position (base asset; negative is short).'),
  worstCase: def('mm_worst_case', 'gauge', '{base}', ['symbol', 'side'], 'Worst-case long/short: position plus every resting order on that side filled.'),
  fundingRate: def('mm_funding_rate', 'gauge', '1', ['symbol'], 'Last funding rate.'),
  fundingPredicted: def('mm_funding_predicted_rate', 'gauge', '1', ['symbol'], 'Predicted funding rate for the next settlement (markPrice r).'),
  fundingAccum: def('mm_funding_accum_pnl', 'gauge', '{quote}', ['symbol'], 'Funding received (+) or paid (-) since start.'),
  wsConnected: def('mm_ws_connected', 'gauge', '1', ['stream'], '1 when the stream (market, user) is connected.'),
  frozen: def(
    'mm_frozen',
    'gauge',
    '1',
    ['symbol', 'reason'],
    '1 while quoting is frozen for the reason (edge_below_minimum, risk_limit), whatever else suppresses it; else 0.',
  ),
  quoteSuppressed: def('mm_quote_suppressed', 'gauge', '1', ['symbol', 'reason'], '1 for the reason quoting is currently suppressed, 0 for the others.'),
  grinding: def('mm_grinding', 'counter', '{order}', ['symbol'], 'Grinding clips placed.'),
  realizedPnl: def('mm_realized_pnl', 'gauge', '{quote}', ['symbol'], 'Realized PnL since start (before fees and funding).'),
  unrealizedPnl: def('mm_unrealized_pnl', 'gauge', '{quote}', ['symbol'], 'Unrealized PnL at mark price.'),
  fees: def('mm_fees_paid', 'gauge', '{quote}', ['symbol'], 'Commissions paid since start.'),
  rateLimitWeight: def('mm_rate_limit_used_weight_1m', 'gauge', '1', [], 'X-MBX-USED-WEIGHT-1M of the last response.'),
  rateLimitOrders10s: def('mm_rate_limit_order_count_10s', 'gauge', '1', [], 'X-MBX-ORDER-COUNT-10S of the last response.'),
  rateLimitOrders1m: def('mm_rate_limit_order_count_1m', 'gauge', '1', [], 'X-MBX-ORDER-COUNT-1M of the last response.'),
  rateLimited: def('mm_rate_limited', 'counter', '{event}', ['status'], 'HTTP 429/418 answers (quoting backs off).'),
  listenKeyRenewals: def('mm_listen_key_renewals', 'counter', '{renewal}', [], 'Successful listenKey keepalives and recreations.'),
  listenKeyFailures: def('mm_listen_key_renewal_failures', 'counter', '{failure}', [], 'Failed listenKey keepalives (the key is then recreated).'),
  malformed: def('mm_malformed_messages', 'counter', '{message}', ['source'], 'Exchange frames or bodies that failed to parse (skipped).'),
  telemetryDropped: def(
    'mm_telemetry_dropped',
    'counter',
    '{item}',
    ['signal'],
    'Spans, log records or event-log lines dropped (exporter failures, full queues, disk errors).',
  ),
  eventLogFaults: def(
    'mm_event_log_faults',
    'counter',
    '{fault}',
    ['fault'],
    'Event-log faults detected and handled: write_failed (a flush left lines unwritten), rotation_failed (each failed attempt), file_deleted and file_replaced (reopened), torn_line (repaired at open).',
  ),
  ready: def('mm_ready', 'gauge', '1', ['check'], '1 when the /ready check passes (check = exchange, risk, state, or all), else 0.'),
  listenerErrors: def(
    'mm_listener_errors',
    'counter',
    '{error}',
    ['listener'],
    'Exceptions thrown by a listener of the exchange streams or of the event bus (caught, logged with their stack; trading goes on).',
  ),
  eventLoopDelay: def('mm_event_loop_delay_ms', 'gauge', 'ms', ['quantile'], 'Event-loop delay over the last scrape interval (p50, p99, max).'),
  httpClientDuration: def(
    METRIC_HTTP_CLIENT_REQUEST_DURATION,
    'histogram',
    's',
    [ATTR_HTTP_REQUEST_METHOD, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_ERROR_TYPE, 'mm.operation'],
    'Duration of REST calls to the venue (OTel HTTP semantic conventions).',
  ),
  rpcClientDuration: def(
    METRIC_RPC_CLIENT_CALL_DURATION,
    'histogram',
    's',
    [ATTR_RPC_SYSTEM_NAME, ATTR_RPC_METHOD, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT, ATTR_RPC_STATUS_CODE, ATTR_ERROR_TYPE],
    'Duration of WebSocket API requests to the venue (OTel RPC semantic conventions).',
  ),
} as const satisfies Record<string, MetricDef>;

/** Bucket boundaries of mm_order_latency_ms, as the seed dashboard expects. */
export const ORDER_LATENCY_BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500] as const;
/** Semantic-convention boundaries for http.client.request.duration (seconds). */
export const HTTP_DURATION_BUCKETS_S = [0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] as const;

/** `rpc.system.name` of Binance's WebSocket API (not a well-known value of the convention: ours). */
export const RPC_SYSTEM_BINANCE_WS_API = 'binance_ws_api';

export const SPANS = {
  decision: 'mm.quote.decide',
  restRequest: (method: string, path: string) => `${method} ${path}`,
  orderUpdate: 'mm.order.update',
  reconcile: 'mm.reconcile',
  reconnect: 'mm.stream.connect',
  listenKey: 'mm.listen_key',
} as const;

/**
 * Attribute keys: OpenTelemetry's semantic conventions where one exists (stable ones from the
 * package root; incubating ones copied here, since their entry point may rename them), ours
 * (`mm.*`, `binance.*`) otherwise.
 */
export const ATTR = {
  httpRequestMethod: ATTR_HTTP_REQUEST_METHOD,
  httpResponseStatusCode: ATTR_HTTP_RESPONSE_STATUS_CODE,
  httpResendCount: ATTR_HTTP_REQUEST_RESEND_COUNT,
  urlFull: ATTR_URL_FULL,
  serverAddress: ATTR_SERVER_ADDRESS,
  serverPort: ATTR_SERVER_PORT,
  errorType: ATTR_ERROR_TYPE,
  rpcSystemName: ATTR_RPC_SYSTEM_NAME,
  rpcMethod: ATTR_RPC_METHOD,
  rpcStatusCode: ATTR_RPC_STATUS_CODE,
  networkProtocolName: ATTR_NETWORK_PROTOCOL_NAME,
  exceptionStacktrace: ATTR_EXCEPTION_STACKTRACE,
  deploymentEnvironmentName: ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  // Incubating (semantic-conventions/incubating), copied.
  peerService: 'peer.service',
  serverServiceName: 'server.service.name',
  serviceInstanceId: 'service.instance.id',
  processRuntimeName: 'process.runtime.name',
  processRuntimeVersion: 'process.runtime.version',
  eventName: 'event.name',
  // Ours.
  symbol: 'mm.symbol',
  decisionCommands: 'mm.decision.commands',
  clientOrderId: 'mm.order.client_id',
  orderSide: 'mm.order.side',
  orderType: 'mm.order.type',
  orderOutcome: 'mm.order.outcome',
  operation: 'mm.operation',
  binanceCode: 'binance.error_code',
  usedWeight: 'binance.rate_limit.used_weight_1m',
  orderCount10s: 'binance.rate_limit.order_count_10s',
  orderCount1m: 'binance.rate_limit.order_count_1m',
} as const;

/** Attribute key of a domain-event field carried on a connection span (`mm.stream`, `mm.reason`, ...). */
export const connectionAttr = (field: 'stream' | 'reason' | 'action' | 'error'): string => `mm.${field}`;
/** Attribute key of a domain-event field carried on an order-life span (`mm.order.status`, ...). */
export const orderLifeAttr = (field: string): string => `mm.order.${field}`;

/** Labels of our metrics (the `labels` of METRICS). */
export const LABEL = {
  symbol: 'symbol',
  side: 'side',
  reason: 'reason',
  liquidity: 'liquidity',
  status: 'status',
  source: 'source',
  stream: 'stream',
  check: 'check',
  quantile: 'quantile',
  signal: 'signal',
  fault: 'fault',
  listener: 'listener',
  transport: 'transport',
} as const;

/** The batch processors' own metrics (semantic-conventions incubating, copied), read to count drops. */
export const SDK_METRICS = {
  spanProcessed: 'otel.sdk.processor.span.processed',
  logProcessed: 'otel.sdk.processor.log.processed',
} as const;

export const SERVICE_NAME = 'mm-runner';
export const INSTRUMENTATION_SCOPE = 'mm-runner';
