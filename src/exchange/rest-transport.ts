/**
 * The one choke point every REST request passes through. Telemetry decorates a `RestTransport`
 * (spans, latency histograms) without touching the client; tests may stub it.
 */
import { Pool } from 'undici';
import type { Side } from '../core/model.ts';
import type { Clock } from '../core/clock.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** NONE: public; API_KEY: X-MBX-APIKEY header only (listenKey); SIGNED: header + signature. */
export type Security = 'none' | 'apiKey' | 'signed';

/** Order identity carried by order requests, for spans and logs. */
export interface OrderInfo {
  readonly symbol: string;
  readonly side: Side | null;
  readonly type: string | null;
  readonly clientOrderId: string;
}

export interface RestRequest {
  readonly method: HttpMethod;
  readonly path: string;
  /** Encoded query string (signed requests include timestamp and signature); "" for none. */
  readonly query: string;
  readonly security: Security;
  /** Endpoint name, e.g. "newOrder". */
  readonly operation: string;
  readonly order: OrderInfo | null;
  /** 1 for the first try, 2+ for automatic retries of GET/DELETE. */
  readonly attempt: number;
}

/** Rate-limit usage headers of one response (absent headers stay undefined). */
export interface RateLimitHeaders {
  readonly usedWeight1m?: number;
  readonly orderCount10s?: number;
  readonly orderCount1m?: number;
}

export interface RestResponse {
  readonly status: number;
  readonly rateLimits: RateLimitHeaders;
  /** Retry-After in ms when the venue sent one. */
  readonly retryAfterMs: number | null;
  /** Parsed JSON body, or null when the body was empty or not JSON. */
  readonly body: unknown;
  /** The raw body text (kept short for error messages). */
  readonly text: string;
}

export interface RestTransport {
  /** Sends one request; resolves with any HTTP answer, rejects only on network failure or timeout. */
  send(request: RestRequest): Promise<RestResponse>;
  /** Releases sockets. */
  close(): Promise<void>;
}

const SECRET_PARAM = /^(signature|listenKey|apiKey|api_key|secret|secretKey|token)$/i;

/** Returns the request's path and query with `signature` and key-like parameter values masked. */
export function redactUrl(request: Pick<RestRequest, 'path' | 'query'>): string {
  if (request.query.length === 0) return request.path;
  const parts = request.query.split('&');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    if (SECRET_PARAM.test(key)) parts[i] = `${key}=***`;
  }
  return `${request.path}?${parts.join('&')}`;
}

export interface UndiciTransportOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly requestTimeoutMs: number;
  readonly clock: Clock;
  /** Keep-alive connections to the REST host. */
  readonly connections?: number;
}

function headerNumber(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

/** Returns Retry-After (seconds or an HTTP date) as ms from `nowMs`, or null. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return null;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** The production transport: an undici keep-alive `Pool` with a per-request timeout. */
export class UndiciTransport implements RestTransport {
  private readonly pool: Pool;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly publicHeaders: Record<string, string>;
  private readonly keyHeaders: Record<string, string>;

  constructor(options: UndiciTransportOptions) {
    const url = new URL(options.baseUrl);
    this.pool = new Pool(url.origin, { connections: options.connections ?? 4, keepAliveTimeout: 30_000, pipelining: 1 });
    this.clock = options.clock;
    this.timeoutMs = options.requestTimeoutMs;
    this.publicHeaders = Object.freeze({ accept: 'application/json' }) as Record<string, string>;
    this.keyHeaders = Object.freeze({ accept: 'application/json', 'x-mbx-apikey': options.apiKey }) as Record<string, string>;
  }

  async send(request: RestRequest): Promise<RestResponse> {
    const response = await this.pool.request({
      method: request.method,
      path: request.query.length > 0 ? `${request.path}?${request.query}` : request.path,
      headers: request.security === 'none' ? this.publicHeaders : this.keyHeaders,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const text = await response.body.text();
    const headers = response.headers;
    let body: unknown = null;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
    }
    const rateLimits: { usedWeight1m?: number; orderCount10s?: number; orderCount1m?: number } = {};
    const weight = headerNumber(headers['x-mbx-used-weight-1m']);
    if (weight !== undefined) rateLimits.usedWeight1m = weight;
    const orders10s = headerNumber(headers['x-mbx-order-count-10s']);
    if (orders10s !== undefined) rateLimits.orderCount10s = orders10s;
    const orders1m = headerNumber(headers['x-mbx-order-count-1m']);
    if (orders1m !== undefined) rateLimits.orderCount1m = orders1m;
    return {
      status: response.statusCode,
      rateLimits,
      retryAfterMs: parseRetryAfter(headers['retry-after'], this.clock.nowMs()),
      body,
      text: text.length > 300 ? text.slice(0, 300) : text,
    };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
