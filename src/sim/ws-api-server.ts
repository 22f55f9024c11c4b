/**
 * The simulator's WebSocket API on /ws-fapi/v1 (Binance: wss://ws-fapi.binance.com/ws-fapi/v1).
 * Requests `{"id","method","params"}` are answered `{"id","status","result"|"error","rateLimits"}`
 * by the REST route each method stands for (ws-api-methods.ts): the same matching engine,
 * validation and error codes, the same rate limiter as REST (Binance counts both together, and
 * a handshake as 5 weight), the
 * API key and HMAC signature in the params (ws-api-security.ts), and the fault controller's
 * WebSocket API faults: a connection cut with no answer (before or after the request took
 * effect), a held answer, 429 and 418, -1021, an unknown outcome (503, the order created or
 * not), and an outage that refuses connections. The server pings every `pingIntervalMs`, cuts a
 * connection that leaves a ping unanswered for `pongTimeoutMs`, and closes each connection once
 * it is `connectionLifetimeMs` old (Binance: 24 hours).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { apiErrors, BinanceApiError } from './errors.ts';
import { describeWsApiPlan, type FaultController, type SocketTarget, type WsApiPlan } from './faults.ts';
import { NO_ORDERS, rateLimitsJson, type RateLimiter, type RateLimitJson } from './rate-limits.ts';
import { checkTiming } from './request-timing.ts';
import type { Route } from './rest-route.ts';
import type { SimulatedExchange } from './simulated-exchange.ts';
import { sleep, type Clock, type Timer } from '../core/clock.ts';
import { startPinging } from './ws-liveness.ts';
import { wsApiMethods } from './ws-api-methods.ts';
import type { WsApiParamValue } from './ws-api-security.ts';
import { authenticate, logon, logout, SESSION_METHODS, sessionJson, type ApiKeys, type Ed25519ApiKey, type SessionState } from './ws-api-session.ts';

/** The path the WebSocket API listens on. */
export const WS_API_PATH = '/ws-fapi/v1';

export interface WsApiServerOptions {
  readonly exchange: SimulatedExchange;
  readonly faults: FaultController;
  readonly limiter: RateLimiter;
  readonly restRoutes: ReadonlyMap<string, Route>;
  readonly apiKey: string;
  readonly apiSecret: string;
  /** An Ed25519 key the venue also knows (what session.logon needs), or null. */
  readonly ed25519ApiKey: Ed25519ApiKey | null;
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  readonly connectionLifetimeMs: number;
  /** The network edge's clock (pings, held answers, connection lifetimes). */
  readonly timers: Clock;
}

interface ApiClient {
  readonly ws: WebSocket;
  /** The connection's default for `returnRateLimits` (its URL's query). */
  readonly returnRateLimits: boolean;
  silent: boolean;
  awaitingPongSinceMs: number | null;
  readonly lifetime: Timer;
  readonly session: SessionState;
}

type Params = Readonly<Record<string, WsApiParamValue>>;

interface Request {
  readonly id: string | number | null;
  readonly method: string;
  readonly params: Params;
}

/** An answer without its id. */
interface Answer {
  readonly status: number;
  readonly result?: unknown;
  readonly error?: Readonly<Record<string, unknown>>;
  readonly rateLimits?: readonly RateLimitJson[];
}

const MAX_ID_LENGTH = 36;
/** The weight of each session method. */
const SESSION_WEIGHT = 2;
/** Binance: "WebSocket handshake attempt costs 5 weight." */
const HANDSHAKE_WEIGHT = 5;

export class WsApiServer {
  private readonly wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false });
  private readonly clients = new Set<ApiClient>();
  private readonly options: WsApiServerOptions;
  private readonly methods: ReadonlyMap<string, Route>;
  private readonly keys: ApiKeys;
  private readonly stopPinging: () => void;

  constructor(options: WsApiServerOptions) {
    this.options = options;
    this.methods = wsApiMethods(options.restRoutes);
    this.keys = { hmac: { apiKey: options.apiKey, secret: options.apiSecret }, ed25519: options.ed25519ApiKey };
    this.stopPinging = startPinging(() => this.clients, options.timers, options.pingIntervalMs, options.pongTimeoutMs);
  }

  /** Accepts a connection on WS_API_PATH, or refuses it with HTTP 503 while the API is down. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.options.faults.isWsApiDown()) {
      const text = 'WebSocket API unavailable';
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\nConnection: close\r\n\r\n${text}`);
      return;
    }
    this.options.limiter.record(HANDSHAKE_WEIGHT, NO_ORDERS, this.options.exchange.clock.nowMs());
    const returnRateLimits = new URL(req.url ?? '/', 'http://sim').searchParams.get('returnRateLimits') !== 'false';
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, returnRateLimits));
  }

  /** Closes connections of a target ('api' or 'all'): with a code as a close frame, without one abruptly. Returns how many. */
  drop(target: SocketTarget, code: number | null): number {
    if (target !== 'api' && target !== 'all') return 0;
    for (const client of this.clients) {
      if (code === null) client.ws.terminate();
      else client.ws.close(code, 'closed by simulator');
    }
    return this.clients.size;
  }

  /** Silences (no answers, pings or pongs) or un-silences the connections of a target. Returns how many. */
  silence(target: SocketTarget, silent: boolean): number {
    if (target !== 'api' && target !== 'all') return 0;
    for (const client of this.clients) client.silent = silent;
    return this.clients.size;
  }

  /** Sends a raw text frame on every talking connection of a target. Returns how many. */
  inject(target: SocketTarget, text: string): number {
    if (target !== 'api' && target !== 'all') return 0;
    let count = 0;
    for (const client of this.clients) {
      if (client.silent || client.ws.readyState !== WebSocket.OPEN) continue;
      client.ws.send(text);
      count += 1;
    }
    return count;
  }

  /** Returns how many connections are open. */
  count(): number {
    return this.clients.size;
  }

  /** Closes every connection and stops the ping timer. */
  async close(): Promise<void> {
    this.stopPinging();
    for (const client of this.clients) client.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket, returnRateLimits: boolean): void {
    const lifetime = this.options.timers.setTimer(() => ws.close(1000, 'connection lifetime reached'), this.options.connectionLifetimeMs, { background: true });
    const session: SessionState = { apiKey: null, authorizedSinceMs: null, connectedSinceMs: this.options.exchange.clock.nowMs() };
    const client: ApiClient = { ws, returnRateLimits, silent: false, awaitingPongSinceMs: null, lifetime, session };
    this.clients.add(client);
    ws.on('ping', (data) => {
      if (!client.silent) ws.pong(data);
    });
    ws.on('pong', () => {
      client.awaitingPongSinceMs = null;
    });
    ws.on('message', (data) => this.onMessage(client, data));
    ws.on('close', () => {
      client.lifetime.cancel();
      this.clients.delete(client);
    });
    ws.on('error', () => ws.terminate());
  }

  private onMessage(client: ApiClient, data: RawData): void {
    const request = readRequest(rawText(data));
    if (request instanceof RequestError) {
      this.reply(client, request.id, { status: request.error.httpStatus, error: request.error.body() }, client.returnRateLimits);
      return;
    }
    const returnRateLimits = typeof request.params['returnRateLimits'] === 'boolean' ? request.params['returnRateLimits'] : client.returnRateLimits;
    const route = this.methods.get(request.method) ?? null;
    if (route === null && !SESSION_METHODS.has(request.method)) {
      this.reply(client, request.id, { status: 400, error: apiErrors.unsupported().body() }, returnRateLimits);
      return;
    }
    const { faults } = this.options;
    const plan = faults.planWsApiRequest(request.method, route?.orderEndpoint ?? false);
    const order503 = plan.fault?.kind === 'unknown' ? plan.fault.mode : plan.order503;
    faults.recordRequest('WS', request.method, () => stringParams(request.params), order503, describeWsApiPlan(plan));
    if (plan.fault?.kind === 'drop' && !plan.fault.processed) {
      client.ws.terminate();
      return;
    }
    const holdMs = plan.fault?.kind === 'hold' ? plan.fault.ms : 0;
    // Without a wait, answer in this turn, so answers keep their requests' order.
    if (plan.delayMs <= 0 && holdMs <= 0) this.finish(client, request, route, plan, returnRateLimits);
    else void this.finishLater(client, request, route, plan, returnRateLimits, plan.delayMs + holdMs);
  }

  private async finishLater(
    client: ApiClient,
    request: Request,
    route: Route | null,
    plan: WsApiPlan,
    returnRateLimits: boolean,
    waitMs: number,
  ): Promise<void> {
    await sleep(this.options.timers, waitMs);
    // A held request is processed even when its connection is gone: the order may exist.
    this.finish(client, request, route, plan, returnRateLimits);
  }

  private finish(client: ApiClient, request: Request, route: Route | null, plan: WsApiPlan, returnRateLimits: boolean): void {
    const answer = this.process(client, request, route, plan);
    if (plan.fault?.kind === 'drop') {
      client.ws.terminate();
      return;
    }
    this.reply(client, request.id, answer, returnRateLimits);
  }

  /** Answers one request: a REST route's, or a session method's (route null). */
  private process(client: ApiClient, request: Request, route: Route | null, plan: WsApiPlan): Answer {
    const { exchange, faults, limiter } = this.options;
    const { params } = request;
    const nowMs = exchange.clock.nowMs();
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) query.set(name, String(value));
    const orders = route?.orders ?? NO_ORDERS;
    const countsOrders = orders.per10s > 0 || orders.per1m > 0;
    const usage = limiter.record(route === null ? SESSION_WEIGHT : route.weight(query), orders, nowMs);
    const rateLimits = rateLimitsJson(usage, limiter.configured(), countsOrders);
    try {
      const limits = limiter.configured();
      if (plan.banRemainingMs > 0) throw apiErrors.banned(nowMs + plan.banRemainingMs, Math.ceil(plan.banRemainingMs / 1000));
      if (plan.fault?.kind === 'rate-limit') throw apiErrors.tooManyRequests(limits.weight1m, plan.fault.retryAfterSec);
      if (usage.exceeded) {
        const { limit, retryAfterSec } = usage.exceeded;
        if (limit === 'weight') throw apiErrors.tooManyRequests(limits.weight1m, retryAfterSec);
        throw limit === 'orders10s'
          ? apiErrors.tooManyOrders(limits.orders10s, '10 seconds', retryAfterSec)
          : apiErrors.tooManyOrders(limits.orders1m, 'minute', retryAfterSec);
      }
      const timing = (): void => checkTiming(query, nowMs, plan.fault?.kind === 'timestamp');
      if (route === null) return { status: 200, result: this.session(client, request.method, params, nowMs, timing), rateLimits };
      if (route.security !== 'NONE') authenticate(this.keys, client.session, params, route.security === 'SIGNED');
      if (route.security === 'SIGNED') timing();
      const unknown = plan.fault?.kind === 'unknown' ? plan.fault.mode : plan.order503;
      if (unknown === 'not-created') throw apiErrors.unknownAfterTimeout();
      const ctx = { params: query, nowMs, exchange, faults, limits };
      if (unknown === 'created') {
        try {
          route.handle(ctx);
        } catch (error) {
          if (!(error instanceof BinanceApiError)) throw error;
        }
        throw apiErrors.unknownAfterTimeout();
      }
      return { status: 200, result: route.handle(ctx), rateLimits };
    } catch (error) {
      if (error instanceof BinanceApiError) return { status: error.httpStatus, error: errorJson(error, nowMs), rateLimits };
      return { status: 500, error: { code: -1000, msg: error instanceof Error ? error.message : String(error) }, rateLimits };
    }
  }

  /** Answers session.logon, session.status or session.logout. */
  private session(client: ApiClient, method: string, params: Params, nowMs: number, timing: () => void): Record<string, unknown> {
    if (method === 'session.logon') logon(this.keys, client.session, params, nowMs, timing);
    else if (method === 'session.logout') logout(client.session);
    return sessionJson(client.session, client.returnRateLimits, nowMs);
  }

  private reply(client: ApiClient, id: string | number | null, answer: Answer, returnRateLimits: boolean): void {
    if (client.silent || client.ws.readyState !== WebSocket.OPEN) return;
    const { rateLimits, ...rest } = answer;
    client.ws.send(JSON.stringify(returnRateLimits && rateLimits !== undefined ? { id, ...rest, rateLimits } : { id, ...rest }));
  }
}

/** A request that cannot be read, with the id to answer under (null when none could be read). */
class RequestError {
  readonly id: string | number | null;
  readonly error: BinanceApiError;
  constructor(id: string | number | null, error: BinanceApiError) {
    this.id = id;
    this.error = error;
  }
}

/** Returns the request in a text frame, or what is wrong with it. */
function readRequest(text: string): Request | RequestError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return new RequestError(null, apiErrors.mandatory('method'));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return new RequestError(null, apiErrors.mandatory('method'));
  const frame = parsed as Record<string, unknown>;
  const rawId = frame['id'];
  const id = typeof rawId === 'string' || (typeof rawId === 'number' && Number.isSafeInteger(rawId)) || rawId === null ? rawId : undefined;
  if (id === undefined || (typeof id === 'string' && id.length > MAX_ID_LENGTH)) return new RequestError(null, apiErrors.mandatory('id'));
  const method = frame['method'];
  if (typeof method !== 'string' || method === '') return new RequestError(id, apiErrors.mandatory('method'));
  const rawParams = frame['params'] ?? {};
  if (typeof rawParams !== 'object' || rawParams === null || Array.isArray(rawParams)) return new RequestError(id, apiErrors.illegalValue('params'));
  const params: Record<string, WsApiParamValue> = {};
  for (const [name, value] of Object.entries(rawParams)) {
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) params[name] = value;
    else return new RequestError(id, apiErrors.illegalValue(name));
  }
  return { id, method, params };
}

/** Returns the error object of an answer; 429 and 418 carry when to retry (`data.retryAfter`, epoch ms), as Binance's WebSocket API does. */
function errorJson(error: BinanceApiError, nowMs: number): Record<string, unknown> {
  const retryAfterSec = Number(error.headers['Retry-After']);
  if ((error.httpStatus === 429 || error.httpStatus === 418) && Number.isFinite(retryAfterSec)) {
    return { ...error.body(), data: { serverTime: nowMs, retryAfter: nowMs + retryAfterSec * 1000 } };
  }
  return error.body();
}

function stringParams(params: Params): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, String(value)]));
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
