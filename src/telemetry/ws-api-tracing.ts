/**
 * A WsApiCaller decorator: one CLIENT span per WebSocket API request and the
 * `rpc.client.call.duration` histogram, as rest-tracing.ts does for REST. The WebSocket API is a
 * request/response protocol over one socket ({id, method, params} -> {id, status, result|error}),
 * so the RPC semantic conventions fit it rather than HTTP's: the span is named after the method
 * (`order.place`), with `rpc.system.name` "binance_ws_api", `rpc.method`, `rpc.status_code` (the
 * answer's status, "200", "400", ...), `network.protocol.name` "websocket", the server, the
 * venue's peer service, Binance's error code and the order's identity and outcome. A request the
 * client never wrote (no open connection, so REST sends it instead) gets no span: REST's span is
 * the request's. Like REST's, the span is built after the caller has its answer, on the AfterWire.
 */
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Histogram } from '@opentelemetry/api';
import { ExchangeError } from '../exchange/errors.ts';
import { WsApiUnavailableError, type WsApiCall } from '../exchange/ws-api-client.ts';
import type { WsApiCaller } from '../exchange/ws-api-trading.ts';
import type { Clock } from '../core/clock.ts';
import type { AfterWire } from './after-wire.ts';
import { ATTR, INSTRUMENTATION_SCOPE, RPC_SYSTEM_BINANCE_WS_API } from './names.ts';
import type { OrderContexts } from './order-contexts.ts';

export interface WsApiTracingOptions {
  /** The WebSocket API URL (wss://ws-fapi.binance.com/ws-fapi/v1). */
  readonly url: string;
  /** Logical name of the venue, as on REST spans ("binance-fapi", "exchange-sim"). */
  readonly peerService: string;
  /** rpc.client.call.duration (seconds). */
  readonly duration: Histogram;
  readonly orderContexts: OrderContexts;
  readonly afterWire: AfterWire;
  /** Times the span (sub-millisecond wall time). */
  readonly clock: Pick<Clock, 'preciseNowMs'>;
}

/** The WebSocket API method that creates an order: its span starts the order's trace. */
const PLACE_METHOD = 'order.place';

/** Returns the outcome a WebSocket API call implies for an order: accepted, rejected or ambiguous. */
function outcomeOf(failure: unknown): 'accepted' | 'rejected' | 'ambiguous' {
  if (failure === null) return 'accepted';
  return failure instanceof ExchangeError && failure.outcome === 'rejected' ? 'rejected' : 'ambiguous';
}

/** Returns error.type: the answer's status, or what ended the request without one. */
function errorTypeOf(failure: unknown): string | undefined {
  if (failure === null) return undefined;
  if (failure instanceof ExchangeError) return failure.httpStatus === null ? 'ambiguous' : String(failure.httpStatus);
  const code = (failure as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return failure instanceof Error ? failure.name : 'unknown';
}

/** Returns a caller that traces and measures every request sent through `inner`. */
export function tracingWsApiCaller(inner: WsApiCaller, options: WsApiTracingOptions): WsApiCaller {
  const tracer = trace.getTracer(INSTRUMENTATION_SCOPE);
  const url = new URL(options.url);
  const serverAddress = url.hostname;
  const serverPort = url.port ? Number(url.port) : url.protocol === 'wss:' ? 443 : 80;
  return {
    async call(call: WsApiCall): Promise<unknown> {
      const parent = context.active();
      const startedAt = options.clock.preciseNowMs();
      let failure: unknown = null;
      try {
        return await inner.call(call);
      } catch (error) {
        failure = error;
        throw error;
      } finally {
        const endedAt = options.clock.preciseNowMs();
        if (!(failure instanceof WsApiUnavailableError)) options.afterWire.run(() => record(call, failure, startedAt, endedAt, parent));
      }
    },
  };

  function record(call: WsApiCall, failure: unknown, startedAt: number, endedAt: number, parent: ReturnType<typeof context.active>): void {
    const type = errorTypeOf(failure);
    const status = failure === null ? '200' : failure instanceof ExchangeError && failure.httpStatus !== null ? String(failure.httpStatus) : undefined;
    const attributes: Attributes = {
      [ATTR.rpcSystemName]: RPC_SYSTEM_BINANCE_WS_API,
      [ATTR.rpcMethod]: call.method,
      [ATTR.networkProtocolName]: 'websocket',
      [ATTR.serverAddress]: serverAddress,
      [ATTR.serverPort]: serverPort,
      [ATTR.peerService]: options.peerService,
      [ATTR.serverServiceName]: options.peerService,
      [ATTR.operation]: call.method,
    };
    if (status !== undefined) attributes[ATTR.rpcStatusCode] = status;
    if (type !== undefined) attributes[ATTR.errorType] = type;
    if (failure instanceof ExchangeError && failure.binanceCode !== null) attributes[ATTR.binanceCode] = failure.binanceCode;
    const order = call.order;
    if (order !== null) {
      attributes[ATTR.symbol] = order.symbol;
      attributes[ATTR.clientOrderId] = order.clientOrderId;
      if (order.side !== null) attributes[ATTR.orderSide] = order.side;
      if (order.type !== null) attributes[ATTR.orderType] = order.type;
      attributes[ATTR.orderOutcome] = outcomeOf(failure);
    }
    // As over REST: a request about an existing order joins that order's trace, linked to the
    // decision that sent it; a new order's span is the context of the order's later life.
    const orderContext = order !== null && call.method !== PLACE_METHOD ? options.orderContexts.get(order.clientOrderId) : undefined;
    const activeSpan = trace.getSpanContext(parent);
    const links = orderContext !== undefined && activeSpan !== undefined ? [{ context: activeSpan }] : [];
    const span = tracer.startSpan(call.method, { kind: SpanKind.CLIENT, startTime: startedAt, attributes, links }, orderContext ?? parent);
    if (type !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: type });
    span.end(endedAt);
    if (order !== null && call.method === PLACE_METHOD) options.orderContexts.set(order.clientOrderId, trace.setSpan(parent, span));

    const metricAttributes: Attributes = {
      [ATTR.rpcSystemName]: RPC_SYSTEM_BINANCE_WS_API,
      [ATTR.rpcMethod]: call.method,
      [ATTR.serverAddress]: serverAddress,
      [ATTR.serverPort]: serverPort,
    };
    if (status !== undefined) metricAttributes[ATTR.rpcStatusCode] = status;
    if (type !== undefined) metricAttributes[ATTR.errorType] = type;
    options.duration.record((endedAt - startedAt) / 1000, metricAttributes);
  }
}
