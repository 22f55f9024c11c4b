/**
 * The simulator's HTTP front: Binance REST semantics (API key, HMAC signature, timestamp and
 * recvWindow, request weight and order counts in X-MBX-* headers, Binance error bodies and
 * statuses), fault injection on every request, the admin API, and WebSocket upgrades (the
 * WebSocket API on /ws-fapi/v1, streams everywhere else).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { sleep, type Clock } from '../core/clock.ts';
import { AdminRequestError, adminHandler, type AdminContext } from './admin-routes.ts';
import { apiErrors, BinanceApiError } from './errors.ts';
import { describeRequestPlan, type FaultController, type RequestPlan } from './faults.ts';
import type { RateLimiter } from './rate-limits.ts';
import { checkTiming } from './request-timing.ts';
import type { Route } from './rest-route.ts';
import { restRoutes } from './rest-routes.ts';
import { checkSignature } from './signature.ts';
import type { SimulatedExchange } from './simulated-exchange.ts';
import { WS_API_PATH, type WsApiServer } from './ws-api-server.ts';
import type { WsHub } from './ws-hub.ts';

export interface SimServerOptions {
  readonly exchange: SimulatedExchange;
  readonly faults: FaultController;
  readonly hub: WsHub;
  readonly wsApi: WsApiServer;
  readonly apiKey: string;
  readonly apiSecret: string;
  /** Shared with the WebSocket API: Binance counts both against the same limits. */
  readonly limiter: RateLimiter;
  readonly step: (n: number) => void;
  /** The network edge's clock (delayed and held answers). */
  readonly timers: Clock;
}

const MAX_BODY_BYTES = 1024 * 1024;

export class SimServer {
  readonly http: Server;
  private readonly options: SimServerOptions;
  private readonly routes = restRoutes();
  private readonly limiter: RateLimiter;
  private readonly sockets = new Set<Socket>();
  private readonly admin: AdminContext;

  constructor(options: SimServerOptions) {
    this.options = options;
    this.limiter = options.limiter;
    this.admin = { exchange: options.exchange, faults: options.faults, step: options.step };
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => this.sendJson(res, 500, { code: -1000, msg: error instanceof Error ? error.message : String(error) }));
    });
    this.http.keepAliveTimeout = 65_000;
    this.http.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.http.on('upgrade', (req, socket, head) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === WS_API_PATH) options.wsApi.handleUpgrade(req, socket, head);
      else options.hub.handleUpgrade(req, socket, head);
    });
  }

  /** Listens on host:port (0 picks a free port); returns the port bound. */
  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    const address = this.http.address();
    if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
    return address.port;
  }

  /** Stops listening and destroys every open connection (held requests included). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = req.method ?? 'GET';
    const rawQuery = url.search.startsWith('?') ? url.search.slice(1) : url.search;
    const rawBody = await readBody(req);
    if (url.pathname.startsWith('/sim/admin/')) {
      this.handleAdmin(method, url.pathname, rawBody, res);
      return;
    }
    const route = this.routes.get(`${method} ${url.pathname}`);
    const plan = this.options.faults.planRequest(route?.orderEndpoint ?? false, route?.security === 'SIGNED');
    const params = (): Record<string, string> => {
      const all = new URLSearchParams(rawQuery);
      for (const [k, v] of new URLSearchParams(rawBody)) all.append(k, v);
      return Object.fromEntries(all);
    };
    this.options.faults.recordRequest(method, url.pathname, params, plan.order503, describeRequestPlan(plan));
    if (plan.reset) {
      req.socket.destroy();
      return;
    }
    if (plan.delayMs > 0) await sleep(this.options.timers, plan.delayMs);
    // A held request is processed even when the client has given up: the order may exist.
    if (plan.holdMs > 0) await sleep(this.options.timers, plan.holdMs);
    if (!route) {
      this.sendJson(res, 404, { code: -1000, msg: `Unknown endpoint ${method} ${url.pathname}` });
      return;
    }
    const headers: Record<string, string> = {};
    try {
      const body = this.process(route, plan, rawQuery, rawBody, req, headers);
      this.sendJson(res, 200, body, headers);
    } catch (error) {
      if (!(error instanceof BinanceApiError)) throw error;
      Object.assign(headers, error.headers);
      this.sendJson(res, error.httpStatus, error.body(), headers);
    }
  }

  private process(route: Route, plan: RequestPlan, rawQuery: string, rawBody: string, req: IncomingMessage, headers: Record<string, string>): unknown {
    const exchange = this.options.exchange;
    const nowMs = exchange.clock.nowMs();
    const params = new URLSearchParams(rawQuery);
    for (const [k, v] of new URLSearchParams(rawBody)) params.append(k, v);

    const usage = this.limiter.record(route.weight(params), route.orders, nowMs);
    headers['X-MBX-USED-WEIGHT-1M'] = String(usage.weight1m);
    if (route.orders.per10s > 0 || route.orders.per1m > 0) {
      headers['X-MBX-ORDER-COUNT-10S'] = String(usage.orders10s);
      headers['X-MBX-ORDER-COUNT-1M'] = String(usage.orders1m);
    }
    if (plan.banRemainingMs > 0) throw apiErrors.banned(nowMs + plan.banRemainingMs, Math.ceil(plan.banRemainingMs / 1000));
    if (plan.forced429RetryAfterSec !== null) throw apiErrors.tooManyRequests(this.limiter.configured().weight1m, plan.forced429RetryAfterSec);
    if (usage.exceeded) {
      const limits = this.limiter.configured();
      const { limit, retryAfterSec } = usage.exceeded;
      if (limit === 'weight') throw apiErrors.tooManyRequests(limits.weight1m, retryAfterSec);
      throw limit === 'orders10s'
        ? apiErrors.tooManyOrders(limits.orders10s, '10 seconds', retryAfterSec)
        : apiErrors.tooManyOrders(limits.orders1m, 'minute', retryAfterSec);
    }
    if (plan.httpError === 500) throw apiErrors.unknown();
    if (plan.httpError === 502) throw new BinanceApiError(-1000, 'Bad Gateway', 502);

    if (route.security !== 'NONE') this.authenticate(req);
    if (route.security === 'SIGNED') this.verify(params, rawQuery, rawBody, nowMs, plan.forceTimestampError);

    if (plan.order503 === 'not-created') throw apiErrors.unknownAfterTimeout();
    const ctx = { params, nowMs, exchange, faults: this.options.faults, limits: this.limiter.configured() };
    if (plan.order503 === 'created') {
      try {
        route.handle(ctx);
      } catch (error) {
        if (!(error instanceof BinanceApiError)) throw error;
      }
      throw apiErrors.unknownAfterTimeout();
    }
    return route.handle(ctx);
  }

  private authenticate(req: IncomingMessage): void {
    const key = req.headers['x-mbx-apikey'];
    if (typeof key !== 'string' || key === '') throw apiErrors.apiKeyFormat();
    if (key !== this.options.apiKey) throw apiErrors.apiKeyInvalid();
  }

  private verify(params: URLSearchParams, rawQuery: string, rawBody: string, nowMs: number, forceTimestampError: boolean): void {
    const signature = checkSignature(this.options.apiSecret, rawQuery, rawBody);
    if (signature === 'missing') throw apiErrors.mandatory('signature');
    if (signature === 'invalid') throw apiErrors.signature();
    checkTiming(params, nowMs, forceTimestampError);
  }

  private handleAdmin(method: string, path: string, rawBody: string, res: ServerResponse): void {
    const handler = adminHandler(method, path);
    if (!handler) {
      this.sendJson(res, 404, { error: `unknown admin endpoint ${method} ${path}` });
      return;
    }
    try {
      const body: unknown = rawBody === '' ? {} : JSON.parse(rawBody);
      this.sendJson(res, 200, handler(this.admin, body));
    } catch (error) {
      if (error instanceof AdminRequestError || error instanceof SyntaxError || error instanceof RangeError) {
        this.sendJson(res, 400, { error: error.message });
        return;
      }
      throw error;
    }
  }

  private sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) break;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
