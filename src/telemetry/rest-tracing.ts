/**
 * A RestTransport decorator: one CLIENT span per REST request (HTTP client semantic
 * conventions plus Binance's error code, rate-limit headers and the order's identity) and the
 * `http.client.request.duration` histogram. The span is built from the recorded start and end
 * times after the caller has the answer (queued with the listeners' work on the AfterWire), so
 * nothing but two clock reads sits in front of the request on the wire or of the answer on its
 * way back to the order executor.
 */
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Histogram } from '@opentelemetry/api';
import { classifyHttpError } from '../exchange/errors.ts';
import type { RestRequest, RestResponse, RestTransport } from '../exchange/rest-transport.ts';
import { redactUrl } from '../exchange/rest-transport.ts';
import type { Clock } from '../core/clock.ts';
import type { AfterWire } from './after-wire.ts';
import { ATTR, INSTRUMENTATION_SCOPE, SPANS } from './names.ts';
import type { OrderContexts } from './order-contexts.ts';

export interface RestTracingOptions {
  /** The venue's REST base URL (credentials in it are left out of every span). */
  readonly baseUrl: string;
  /** Logical name of the venue, drawn as a node by trace backends ("binance-fapi", "exchange-sim"). */
  readonly peerService: string;
  readonly duration: Histogram;
  readonly orderContexts: OrderContexts;
  /** Where the span and the measurement are built, after the caller has its answer. */
  readonly afterWire: AfterWire;
  /** Times the span (sub-millisecond wall time). */
  readonly clock: Pick<Clock, 'preciseNowMs'>;
}

const TIMESTAMP_PARAM = /([?&])timestamp=\d+/;

/** Returns the full request URL with signature, timestamp and key-like values redacted. */
export function redactedFullUrl(baseUrl: string, request: Pick<RestRequest, 'path' | 'query'>): string {
  return baseUrl + redactUrl(request).replace(TIMESTAMP_PARAM, '$1timestamp=REDACTED');
}

function errorType(response: RestResponse | null, error: unknown): string | undefined {
  if (response === null) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string') return code;
    return error instanceof Error ? error.name : 'unknown';
  }
  return response.status >= 400 ? String(response.status) : undefined;
}

function binanceCodeOf(response: RestResponse | null): number | undefined {
  const code = (response?.body as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'number' && code < 0 ? code : undefined;
}

/** Returns the order outcome a response implies: accepted, rejected or ambiguous. */
export function orderOutcomeOf(response: RestResponse | null): 'accepted' | 'rejected' | 'ambiguous' {
  if (response === null) return 'ambiguous';
  if (response.status < 300) return 'accepted';
  return classifyHttpError(response.status, binanceCodeOf(response) ?? null);
}

/** Returns a transport that traces and measures every request sent through `inner`. */
export function tracingTransport(inner: RestTransport, options: RestTracingOptions): RestTransport {
  const tracer = trace.getTracer(INSTRUMENTATION_SCOPE);
  const url = new URL(options.baseUrl);
  const serverAddress = url.hostname;
  const serverPort = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  // Credentials in MM_REST_URL never reach url.full (undici sends none: it connects to the origin).
  url.username = '';
  url.password = '';
  const baseUrl = url.href.replace(/\/+$/, '');
  return {
    async send(request: RestRequest): Promise<RestResponse> {
      const parent = context.active();
      const startedAt = options.clock.preciseNowMs();
      let response: RestResponse | null = null;
      let failure: unknown = null;
      try {
        response = await inner.send(request);
        return response;
      } catch (error) {
        failure = error;
        throw error;
      } finally {
        const endedAt = options.clock.preciseNowMs();
        options.afterWire.run(() => record(request, response, failure, startedAt, endedAt, parent));
      }
    },
    close: () => inner.close(),
  };

  function record(
    request: RestRequest,
    response: RestResponse | null,
    failure: unknown,
    startedAt: number,
    endedAt: number,
    parent: ReturnType<typeof context.active>,
  ): void {
    const type = errorType(response, failure);
    const attributes: Attributes = {
      [ATTR.httpRequestMethod]: request.method,
      [ATTR.urlFull]: redactedFullUrl(baseUrl, request),
      [ATTR.serverAddress]: serverAddress,
      [ATTR.serverPort]: serverPort,
      [ATTR.peerService]: options.peerService,
      [ATTR.serverServiceName]: options.peerService,
      [ATTR.operation]: request.operation,
    };
    if (request.attempt > 1) attributes[ATTR.httpResendCount] = request.attempt - 1;
    if (response !== null) {
      attributes[ATTR.httpResponseStatusCode] = response.status;
      const limits = response.rateLimits;
      if (limits.usedWeight1m !== undefined) attributes[ATTR.usedWeight] = limits.usedWeight1m;
      if (limits.orderCount10s !== undefined) attributes[ATTR.orderCount10s] = limits.orderCount10s;
      if (limits.orderCount1m !== undefined) attributes[ATTR.orderCount1m] = limits.orderCount1m;
    }
    if (type !== undefined) attributes[ATTR.errorType] = type;
    const code = binanceCodeOf(response);
    if (code !== undefined) attributes[ATTR.binanceCode] = code;
    const order = request.order;
    if (order !== null) {
      attributes[ATTR.symbol] = order.symbol;
      attributes[ATTR.clientOrderId] = order.clientOrderId;
      if (order.side !== null) attributes[ATTR.orderSide] = order.side;
      if (order.type !== null) attributes[ATTR.orderType] = order.type;
      attributes[ATTR.orderOutcome] = orderOutcomeOf(response);
    }
    // A request about an existing order (cancel, status query) joins that order's trace, linked
    // to the decision that sent it, so one trace id tells the order's whole story.
    const orderContext = order !== null && request.operation !== 'newOrder' ? options.orderContexts.get(order.clientOrderId) : undefined;
    const activeSpan = trace.getSpanContext(parent);
    const links = orderContext !== undefined && activeSpan !== undefined ? [{ context: activeSpan }] : [];
    const span = tracer.startSpan(
      SPANS.restRequest(request.method, request.path),
      { kind: SpanKind.CLIENT, startTime: startedAt, attributes, links },
      orderContext ?? parent,
    );
    if (type !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: type });
    span.end(endedAt);
    if (order !== null && request.operation === 'newOrder') options.orderContexts.set(order.clientOrderId, trace.setSpan(parent, span));

    const metricAttributes: Attributes = {
      [ATTR.httpRequestMethod]: request.method,
      [ATTR.serverAddress]: serverAddress,
      [ATTR.serverPort]: serverPort,
      [ATTR.operation]: request.operation,
    };
    if (response !== null) metricAttributes[ATTR.httpResponseStatusCode] = response.status;
    if (type !== undefined) metricAttributes[ATTR.errorType] = type;
    options.duration.record((endedAt - startedAt) / 1000, metricAttributes);
  }
}
