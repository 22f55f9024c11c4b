/**
 * Binance USDⓈ-M REST client: raw methods named after endpoints, all funnelled through one
 * `RestTransport`. It signs, tracks the venue clock offset and rate-limit headers, honours
 * 429/418 back-off by refusing to send, and retries only GET/DELETE. A POST is never retried.
 * Safety requests (arming the dead-man switch, cancelling everything, and the open-orders check
 * of a stop) are urgent: a 429 back-off does not hold them, since orders left working without a
 * dead-man switch cost more than a request over the limit; a 418 ban holds everything.
 */
import { sleep, type Clock } from '../core/clock.ts';
import { RATE_LIMIT_WAIT_MS, type RateLimitUsage, type Side, type TimeInForce } from '../core/model.ts';
import { classifyHttpError, ExchangeError } from './errors.ts';
import { RateLimitGate } from './rate-limit-gate.ts';
import { RequestSigner, encodeParams, type Params } from './signing.ts';
import { UndiciTransport, type HttpMethod, type OrderInfo, type RestResponse, type RestTransport, type Security } from './rest-transport.ts';

export interface RestClientOptions {
  readonly restUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly clock: Clock;
  readonly recvWindowMs?: number;
  readonly requestTimeoutMs?: number;
  /** Decorator hook: wraps the transport (telemetry). */
  readonly transport?: (inner: RestTransport) => RestTransport;
  /** Replaces the undici transport (tests). */
  readonly baseTransport?: RestTransport;
  /** Automatic retries of GET/DELETE on network errors and 5xx. */
  readonly maxRetries?: number;
  readonly retryBaseDelayMs?: number;
  /** The venue's rate-limit back-off, shared with other transports (one of its own when absent). */
  readonly gate?: RateLimitGate;
}

export interface NewOrderParams {
  readonly symbol: string;
  readonly side: Side;
  readonly type: 'LIMIT' | 'MARKET';
  readonly quantity: string;
  readonly price?: string | undefined;
  readonly timeInForce?: TimeInForce | undefined;
  readonly reduceOnly: boolean;
  readonly newClientOrderId: string;
}

export interface UserTradesQuery {
  readonly startTime?: number;
  readonly endTime?: number;
  readonly fromId?: number;
  readonly limit?: number;
}

export interface TimeSync {
  readonly offsetMs: number;
  readonly rttMs: number;
}

interface Call {
  readonly method: HttpMethod;
  readonly path: string;
  readonly params: string;
  readonly security: Security;
  readonly operation: string;
  readonly order: OrderInfo | null;
  /** Sent even during a 429 back-off (never during a 418 ban). */
  readonly urgent?: boolean;
}

function bodyCode(body: unknown): { code: number | null; msg: string } {
  if (typeof body === 'object' && body !== null) {
    const code = (body as Record<string, unknown>)['code'];
    const msg = (body as Record<string, unknown>)['msg'];
    return { code: typeof code === 'number' ? code : null, msg: typeof msg === 'string' ? msg : '' };
  }
  return { code: null, msg: '' };
}

function networkMessage(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

export class BinanceRestClient {
  private readonly transport: RestTransport;
  private readonly signer: RequestSigner;
  private readonly clock: Clock;
  private readonly maxRetries: number;
  private readonly retryBaseDelayMs: number;
  private readonly gate: RateLimitGate;
  private offsetMs = 0;
  private reachable = false;

  constructor(options: RestClientOptions) {
    this.clock = options.clock;
    const base =
      options.baseTransport ??
      new UndiciTransport({ baseUrl: options.restUrl, apiKey: options.apiKey, requestTimeoutMs: options.requestTimeoutMs ?? 5000, clock: options.clock });
    this.transport = options.transport ? options.transport(base) : base;
    this.signer = new RequestSigner(options.apiSecret, options.recvWindowMs ?? 5000);
    this.maxRetries = options.maxRetries ?? 2;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 200;
    this.gate = options.gate ?? new RateLimitGate(options.clock);
  }

  /** Returns the venue clock offset used for signing (venue - local, ms). */
  clockOffsetMs(): number {
    return this.offsetMs;
  }

  /** Returns true when the last request got an HTTP answer from the server. */
  restReachable(): boolean {
    return this.reachable;
  }

  /** Returns the last seen rate-limit usage (of any transport sharing the gate). */
  rateLimits(): RateLimitUsage {
    return this.gate.lastUsage();
  }

  /** Returns the ms left of a 429/418 back-off (0 when none). */
  backoffRemainingMs(): number {
    return this.gate.remainingMs();
  }

  /** Measures the venue clock offset with GET /fapi/v1/time (offset at half the round trip). */
  async syncTime(): Promise<TimeSync> {
    const started = this.clock.monoNs();
    const body = await this.call({ method: 'GET', path: '/fapi/v1/time', params: '', security: 'none', operation: 'time', order: null }, false);
    const rttMs = Number(this.clock.monoNs() - started) / 1e6;
    const serverTime = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['serverTime'] : undefined;
    if (typeof serverTime !== 'number' || !Number.isFinite(serverTime)) {
      throw new ExchangeError({
        operation: 'time',
        httpStatus: 200,
        binanceCode: null,
        outcome: 'rejected',
        retryAfterMs: null,
        message: 'no serverTime in /fapi/v1/time',
      });
    }
    this.offsetMs = Math.round(serverTime - (this.clock.nowMs() - rttMs / 2));
    return { offsetMs: this.offsetMs, rttMs };
  }

  exchangeInfo(): Promise<unknown> {
    return this.get('/fapi/v1/exchangeInfo', '', 'none', 'exchangeInfo');
  }

  premiumIndex(symbol: string): Promise<unknown> {
    return this.get('/fapi/v1/premiumIndex', encodeParams({ symbol }), 'none', 'premiumIndex');
  }

  /** POST /fapi/v1/order with newOrderRespType=RESULT. Never retried. */
  newOrder(order: NewOrderParams): Promise<unknown> {
    let params = `symbol=${order.symbol}&side=${order.side}&type=${order.type}&quantity=${order.quantity}`;
    if (order.price !== undefined) params += `&price=${order.price}`;
    if (order.timeInForce !== undefined) params += `&timeInForce=${order.timeInForce}`;
    if (order.reduceOnly) params += '&reduceOnly=true';
    params += `&newClientOrderId=${encodeURIComponent(order.newClientOrderId)}&newOrderRespType=RESULT`;
    return this.call(
      {
        method: 'POST',
        path: '/fapi/v1/order',
        params,
        security: 'signed',
        operation: 'newOrder',
        order: { symbol: order.symbol, side: order.side, type: order.type, clientOrderId: order.newClientOrderId },
      },
      true,
    );
  }

  cancelOrder(symbol: string, origClientOrderId: string): Promise<unknown> {
    return this.call(
      {
        method: 'DELETE',
        path: '/fapi/v1/order',
        params: encodeParams({ symbol, origClientOrderId }),
        security: 'signed',
        operation: 'cancelOrder',
        order: { symbol, side: null, type: null, clientOrderId: origClientOrderId },
      },
      true,
    );
  }

  /** DELETE /fapi/v1/allOpenOrders; urgent (sent during a 429 back-off). */
  cancelAllOpenOrders(symbol: string): Promise<unknown> {
    return this.signed('DELETE', '/fapi/v1/allOpenOrders', { symbol }, 'cancelAllOpenOrders', true);
  }

  queryOrder(symbol: string, origClientOrderId: string): Promise<unknown> {
    return this.call(
      {
        method: 'GET',
        path: '/fapi/v1/order',
        params: encodeParams({ symbol, origClientOrderId }),
        security: 'signed',
        operation: 'queryOrder',
        order: { symbol, side: null, type: null, clientOrderId: origClientOrderId },
      },
      true,
    );
  }

  /** GET /fapi/v1/openOrders; `urgent` sends it during a 429 back-off (a stop checking that nothing is left). */
  openOrders(symbol: string, urgent = false): Promise<unknown> {
    return this.signed('GET', '/fapi/v1/openOrders', { symbol }, 'openOrders', urgent);
  }

  /**
   * GET /fapi/v1/userTrades (Account Trade List, weight 5): `fromId` (inclusive) cannot be sent
   * with `startTime`/`endTime`, which may be at most 7 days apart; `limit` at most 1000.
   */
  userTrades(symbol: string, query: UserTradesQuery = {}): Promise<unknown> {
    if (query.fromId !== undefined && (query.startTime !== undefined || query.endTime !== undefined)) {
      throw new RangeError('userTrades: fromId cannot be sent with startTime or endTime');
    }
    return this.signed('GET', '/fapi/v1/userTrades', { symbol, ...query }, 'userTrades');
  }

  /**
   * GET /fapi/v1/income (Get Income History, weight 30): one income type of one symbol from
   * `startTime`, `limit` (at most 1000) per `page` (1-based).
   */
  income(symbol: string, incomeType: string, startTime: number, limit: number, page: number): Promise<unknown> {
    return this.signed('GET', '/fapi/v1/income', { symbol, incomeType, startTime, limit, page }, 'income');
  }

  positionRisk(symbol: string): Promise<unknown> {
    return this.signed('GET', '/fapi/v3/positionRisk', { symbol }, 'positionRisk');
  }

  changeLeverage(symbol: string, leverage: number): Promise<unknown> {
    return this.signed('POST', '/fapi/v1/leverage', { symbol, leverage }, 'changeLeverage');
  }

  changeMarginType(symbol: string, marginType: 'ISOLATED' | 'CROSSED'): Promise<unknown> {
    return this.signed('POST', '/fapi/v1/marginType', { symbol, marginType }, 'changeMarginType');
  }

  /** POST /fapi/v1/countdownCancelAll (the dead-man switch); urgent (sent during a 429 back-off). */
  countdownCancelAll(symbol: string, countdownTime: number): Promise<unknown> {
    return this.signed('POST', '/fapi/v1/countdownCancelAll', { symbol, countdownTime }, 'countdownCancelAll', true);
  }

  newListenKey(): Promise<unknown> {
    return this.call({ method: 'POST', path: '/fapi/v1/listenKey', params: '', security: 'apiKey', operation: 'newListenKey', order: null }, true);
  }

  keepaliveListenKey(): Promise<unknown> {
    return this.call({ method: 'PUT', path: '/fapi/v1/listenKey', params: '', security: 'apiKey', operation: 'keepaliveListenKey', order: null }, true);
  }

  closeListenKey(): Promise<unknown> {
    return this.call({ method: 'DELETE', path: '/fapi/v1/listenKey', params: '', security: 'apiKey', operation: 'closeListenKey', order: null }, true);
  }

  /** Closes the transport's sockets. */
  close(): Promise<void> {
    return this.transport.close();
  }

  private get(path: string, params: string, security: Security, operation: string): Promise<unknown> {
    return this.call({ method: 'GET', path, params, security, operation, order: null }, true);
  }

  private signed(method: HttpMethod, path: string, params: Params, operation: string, urgent = false): Promise<unknown> {
    return this.call({ method, path, params: encodeParams(params), security: 'signed', operation, order: null, urgent }, true);
  }

  private async call(call: Call, resyncOnTimestamp: boolean): Promise<unknown> {
    const retryable = call.method === 'GET' || call.method === 'DELETE';
    let resynced = !resyncOnTimestamp;
    for (let attempt = 1; ; attempt++) {
      const refusal = this.gate.refusal(call.operation, call.urgent === true);
      if (refusal !== null) throw refusal;
      const query = call.security === 'signed' ? this.signer.signQuery(call.params, this.clock.nowMs() + this.offsetMs) : call.params;
      let response: RestResponse;
      try {
        response = await this.transport.send({
          method: call.method,
          path: call.path,
          query,
          security: call.security,
          operation: call.operation,
          order: call.order,
          attempt,
        });
      } catch (error) {
        this.reachable = false;
        if (retryable && attempt <= this.maxRetries) {
          await sleep(this.clock, this.retryBaseDelayMs * 2 ** (attempt - 1));
          continue;
        }
        throw new ExchangeError({
          operation: call.operation,
          httpStatus: null,
          binanceCode: null,
          outcome: 'ambiguous',
          retryAfterMs: null,
          message: networkMessage(error),
          cause: error,
        });
      }
      this.reachable = true;
      this.gate.recordUsage(response.rateLimits);
      if (response.status >= 200 && response.status < 300) return response.body;

      const { code, msg } = bodyCode(response.body);
      const message = `HTTP ${response.status}${code === null ? '' : ` ${code}`} ${msg || response.text}`.trim();
      if (response.status === 429 || response.status === 418) {
        const waitMs = response.retryAfterMs ?? RATE_LIMIT_WAIT_MS[response.status];
        this.gate.backOff(response.status, waitMs);
        throw new ExchangeError({
          operation: call.operation,
          httpStatus: response.status,
          binanceCode: code,
          outcome: 'rejected',
          retryAfterMs: waitMs,
          message,
        });
      }
      if (code === -1021 && !resynced) {
        resynced = true;
        await this.syncTime();
        if (retryable) continue;
      }
      if (response.status >= 500 && retryable && attempt <= this.maxRetries) {
        await sleep(this.clock, this.retryBaseDelayMs * 2 ** (attempt - 1));
        continue;
      }
      throw new ExchangeError({
        operation: call.operation,
        httpStatus: response.status,
        binanceCode: code,
        outcome: classifyHttpError(response.status, code),
        retryAfterMs: null,
        message,
      });
    }
  }
}
