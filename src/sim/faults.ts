/**
 * Fault injection, adjustable while the simulator runs: REST latency, 5xx answers, Binance's
 * ambiguous 503 on order endpoints (order not created, or created anyway), forced 429/418,
 * forced -1021, held requests, connection resets, WebSocket drops and silent sockets, and
 * listenKey trouble. The server asks `planRequest` what to do with each REST request; the
 * WebSocket API asks `planWsApiRequest` (its one-shot faults are armed apart from REST's, so a
 * REST call in between cannot consume them; latency, the IP ban and the 503 rate are shared).
 */
import type { Prng } from './prng.ts';

/** Which sockets a fault acts on: market streams, user streams, WebSocket API connections, or all. */
export type SocketTarget = 'market' | 'user' | 'api' | 'all';
export type Order503Mode = 'not-created' | 'created';

/** Sockets and keys the fault controller acts on; the server provides them. */
export interface FaultActions {
  dropSockets(target: SocketTarget, code: number | null): number;
  silenceSockets(target: SocketTarget, silent: boolean, includingNew: boolean): number;
  expireListenKey(): void;
  /** Sends a raw text frame (malformed on purpose, or an unknown event) to the target's sockets. */
  injectFrame(target: SocketTarget, text: string): number;
}

/**
 * One request as it reached the server (before any fault was applied): a REST request (`method`
 * GET/POST/..., `path` /fapi/...), or a WebSocket API request (`method` "WS", `path` its method
 * name such as order.place). `params` are its parameters (query and body, or the JSON params).
 */
export interface ObservedRequest {
  readonly atMs: number;
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  /**
   * The unknown-outcome fault planned for this very request (an order answered 503 "Unknown
   * error", created or not), so that a test judges each order by what was done to it, not by when
   * a fault mode was switched.
   */
  readonly order503: Order503Mode | null;
  /** Every fault planned for this request, in words (`reset`, `hold 3000 ms`, `500`, `429`, `-1021`, `drop (processed)`, `unknown (created)`...), or null. */
  readonly fault: string | null;
}

/** Returns the faults a REST plan applies, in words (ObservedRequest.fault). */
export function describeRequestPlan(plan: RequestPlan): string | null {
  const parts = [
    plan.reset ? 'reset' : null,
    plan.holdMs > 0 ? `hold ${plan.holdMs} ms` : null,
    plan.banRemainingMs > 0 ? '418' : null,
    plan.forced429RetryAfterSec !== null ? '429' : null,
    plan.httpError !== null ? String(plan.httpError) : null,
    plan.forceTimestampError ? '-1021' : null,
    plan.order503 !== null ? `unknown (${plan.order503})` : null,
  ].filter((p) => p !== null);
  return parts.length === 0 ? null : parts.join(', ');
}

/** Returns the faults a WebSocket API plan applies, in words (ObservedRequest.fault). */
export function describeWsApiPlan(plan: WsApiPlan): string | null {
  const f = plan.fault;
  const armed =
    f === null
      ? null
      : f.kind === 'drop'
        ? `drop (${f.processed ? 'processed' : 'not processed'})`
        : f.kind === 'hold'
          ? `hold ${f.ms} ms`
          : f.kind === 'rate-limit'
            ? '429'
            : f.kind === 'timestamp'
              ? '-1021'
              : `unknown (${f.mode})`;
  const parts = [armed, plan.banRemainingMs > 0 ? '418' : null, plan.order503 !== null ? `unknown (${plan.order503})` : null].filter((p) => p !== null);
  return parts.length === 0 ? null : parts.join(', ');
}

/** A one-shot fault for WebSocket API requests. */
export type WsApiFault =
  /** The connection is cut without an answer; `processed`: the request took effect first. */
  | { readonly kind: 'drop'; readonly processed: boolean }
  /** The request waits `ms`, then is processed and answered (the client has likely given up). */
  | { readonly kind: 'hold'; readonly ms: number }
  /** Answered 429 / -1003 with a retry time `retryAfterSec` ahead. */
  | { readonly kind: 'rate-limit'; readonly retryAfterSec: number }
  /** Answered -1021 (a signed request only). */
  | { readonly kind: 'timestamp' }
  /** Answered 503 "Unknown error": the order is not created, or created anyway. */
  | { readonly kind: 'unknown'; readonly mode: Order503Mode };

/** What the WebSocket API does with one request. */
export interface WsApiPlan {
  readonly delayMs: number;
  readonly banRemainingMs: number;
  /** The standing 503 rate's draw (order methods only). */
  readonly order503: Order503Mode | null;
  readonly fault: WsApiFault | null;
}

interface ArmedWsApiFault {
  readonly fault: WsApiFault;
  /** Only requests of this method take it (null: any). */
  readonly method: string | null;
  remaining: number;
}

/** Standing knobs (probabilities in [0, 1], times in ms). */
export interface FaultSettings {
  readonly latencyMs: number;
  readonly latencyJitterMs: number;
  readonly http500Probability: number;
  readonly http502Probability: number;
  readonly order503Probability: number;
  readonly order503Mode: Order503Mode;
}

/** What the server does with one REST request. */
export interface RequestPlan {
  readonly delayMs: number;
  /** Destroy the connection without an answer (the request is not processed). */
  readonly reset: boolean;
  /** Hold this long without answering, then process and answer (the client has likely given up). */
  readonly holdMs: number;
  readonly banRemainingMs: number;
  readonly forced429RetryAfterSec: number | null;
  readonly httpError: 500 | 502 | null;
  readonly order503: Order503Mode | null;
  readonly forceTimestampError: boolean;
}

export interface FaultSnapshot {
  readonly settings: FaultSettings;
  readonly pending429: number;
  readonly retryAfterSec: number;
  readonly bannedUntilMs: number | null;
  readonly timestampErrors: number;
  readonly holds: number;
  readonly holdMs: number;
  readonly resets: number;
  readonly keepaliveRejections: number;
  readonly wsApi: {
    readonly down: boolean;
    readonly armed: ReadonlyArray<{ readonly fault: WsApiFault; readonly method: string | null; readonly remaining: number }>;
  };
}

const NO_FAULTS: FaultSettings = {
  latencyMs: 0,
  latencyJitterMs: 0,
  http500Probability: 0,
  http502Probability: 0,
  order503Probability: 0,
  order503Mode: 'not-created',
};

export class FaultController {
  private settings: FaultSettings = NO_FAULTS;
  private pending429 = 0;
  private retryAfterSec = 1;
  private bannedUntilMs: number | null = null;
  private timestampErrors = 0;
  private holds = 0;
  private holdMs = 0;
  private resets = 0;
  private keepaliveRejections = 0;
  private wsApiArmed: ArmedWsApiFault[] = [];
  private wsApiDown = false;
  private actions: FaultActions | null = null;
  private readonly requestObservers = new Set<(request: ObservedRequest) => void>();
  private readonly prng: Prng;
  private readonly nowMs: () => number;

  constructor(prng: Prng, nowMs: () => number) {
    this.prng = prng;
    this.nowMs = nowMs;
  }

  /** Connects the socket/key actions (done by the server at start). */
  bind(actions: FaultActions): void {
    this.actions = actions;
  }

  /** Changes standing knobs; unspecified knobs keep their value. Returns the knobs now in force. */
  configure(change: Partial<FaultSettings>): FaultSettings {
    const next = { ...this.settings, ...change };
    for (const key of ['http500Probability', 'http502Probability', 'order503Probability'] as const) {
      if (!(next[key] >= 0 && next[key] <= 1)) throw new RangeError(`${key} must be within [0, 1]`);
    }
    if (!(next.latencyMs >= 0 && next.latencyJitterMs >= 0)) throw new RangeError('latency must be >= 0');
    this.settings = next;
    return next;
  }

  /** Adds REST latency of `ms` plus a uniform jitter of up to `jitterMs`. */
  setLatency(ms: number, jitterMs = 0): void {
    this.configure({ latencyMs: ms, latencyJitterMs: jitterMs });
  }

  /** Answers a fraction of REST requests with HTTP 500 / 502 (not processed). */
  setHttpErrorRates(http500Probability: number, http502Probability = 0): void {
    this.configure({ http500Probability, http502Probability });
  }

  /** Answers a fraction of order requests with 503 "Unknown error...": the order is not created, or created anyway. */
  setOrder503(probability: number, mode: Order503Mode): void {
    this.configure({ order503Probability: probability, order503Mode: mode });
  }

  /** Answers the next `count` requests with 429 / -1003 and a Retry-After header. */
  force429(count = 1, retryAfterSec = 1): void {
    this.pending429 = count;
    this.retryAfterSec = retryAfterSec;
  }

  /** Bans the client (418) for `ms`. */
  ban(ms: number): void {
    this.bannedUntilMs = this.nowMs() + ms;
  }

  /** Answers the next `count` signed requests with -1021. */
  forceTimestampErrors(count = 1): void {
    this.timestampErrors = count;
  }

  /** Holds the next `count` requests `ms` before answering (a client-side timeout). */
  holdRequests(ms: number, count = 1): void {
    this.holds = count;
    this.holdMs = ms;
  }

  /** Destroys the connection of the next `count` requests without an answer. */
  resetConnections(count = 1): void {
    this.resets = count;
  }

  /** Closes market and/or user sockets: with `code` a close frame, without it an abrupt end (1006). Returns how many. */
  dropSockets(target: SocketTarget, code: number | null = null): number {
    return this.actions?.dropSockets(target, code) ?? 0;
  }

  /**
   * Makes sockets go silent (no data, no pings, no pongs, still open), or talk again. With
   * `includingNew`, sockets the target opens later are silent from their first moment too (a
   * venue whose stream stays mute across reconnects), until the target is un-silenced. Returns
   * how many open sockets were affected.
   */
  silenceSockets(target: SocketTarget, silent = true, options: { includingNew?: boolean } = {}): number {
    return this.actions?.silenceSockets(target, silent, options.includingNew ?? false) ?? 0;
  }

  /** Expires the live listenKey now (listenKeyExpired is sent and its sockets close). */
  expireListenKeyNow(): void {
    this.actions?.expireListenKey();
  }

  /** Sends a raw text frame to market and/or user sockets (a malformed or unknown message). Returns how many. */
  injectFrame(target: SocketTarget, text: string): number {
    return this.actions?.injectFrame(target, text) ?? 0;
  }

  /** Calls `observer` with every REST and WebSocket API request the server receives; returns a function that stops it. */
  observeRequests(observer: (request: ObservedRequest) => void): () => void {
    this.requestObservers.add(observer);
    return () => this.requestObservers.delete(observer);
  }

  /**
   * Reports one request, with the fault planned for it, to the observers (called by the servers
   * once the request is planned); `params` is read only when someone observes.
   */
  recordRequest(
    method: string,
    path: string,
    params: () => Readonly<Record<string, string>>,
    order503: Order503Mode | null,
    fault: string | null = null,
  ): void {
    if (this.requestObservers.size === 0) return;
    const request = { atMs: this.nowMs(), method, path, params: params(), order503, fault };
    for (const observer of this.requestObservers) observer(request);
  }

  /**
   * Arms a one-shot fault for the next `count` (default 1) WebSocket API requests, of `method`
   * only when given. Armed faults are taken in the order they were armed.
   */
  armWsApiFault(fault: WsApiFault, options: { readonly method?: string; readonly count?: number } = {}): void {
    const count = options.count ?? 1;
    if (!(Number.isInteger(count) && count >= 1)) throw new RangeError('count must be a positive integer');
    this.wsApiArmed.push({ fault, method: options.method ?? null, remaining: count });
  }

  /**
   * Takes the WebSocket API down (new connections are refused with HTTP 503 and open ones are
   * cut) or brings it back up. Returns how many open connections were cut.
   */
  setWsApiDown(down: boolean): number {
    this.wsApiDown = down;
    return down ? (this.actions?.dropSockets('api', null) ?? 0) : 0;
  }

  /** Returns true while the WebSocket API refuses connections. */
  isWsApiDown(): boolean {
    return this.wsApiDown;
  }

  /** Decides the fate of one WebSocket API request (consuming the first armed fault that matches it). */
  planWsApiRequest(method: string, isOrderMethod: boolean): WsApiPlan {
    const s = this.settings;
    const now = this.nowMs();
    const banRemainingMs = this.bannedUntilMs !== null && now < this.bannedUntilMs ? this.bannedUntilMs - now : 0;
    const index = this.wsApiArmed.findIndex((armed) => armed.method === null || armed.method === method);
    let fault: WsApiFault | null = null;
    const armed = index < 0 ? undefined : this.wsApiArmed[index];
    if (armed !== undefined) {
      fault = armed.fault;
      armed.remaining -= 1;
      if (armed.remaining <= 0) this.wsApiArmed.splice(index, 1);
    }
    const order503 = isOrderMethod && s.order503Probability > 0 && this.prng.chance(s.order503Probability) ? s.order503Mode : null;
    return { delayMs: s.latencyMs + (s.latencyJitterMs > 0 ? this.prng.next() * s.latencyJitterMs : 0), banRemainingMs, order503, fault };
  }

  /** Answers the next `count` keepalives (PUT listenKey) with -1125. */
  rejectNextKeepalive(count = 1): void {
    this.keepaliveRejections = count;
  }

  /** Returns true (once per armed rejection) when a keepalive must fail. */
  takeKeepaliveRejection(): boolean {
    if (this.keepaliveRejections <= 0) return false;
    this.keepaliveRejections -= 1;
    return true;
  }

  /** Clears every fault. */
  reset(): void {
    this.settings = NO_FAULTS;
    this.pending429 = 0;
    this.bannedUntilMs = null;
    this.timestampErrors = 0;
    this.holds = 0;
    this.resets = 0;
    this.keepaliveRejections = 0;
    this.wsApiArmed = [];
    this.wsApiDown = false;
    this.actions?.silenceSockets('all', false, false);
  }

  /** Returns the knobs and armed one-shot faults. */
  snapshot(): FaultSnapshot {
    return {
      settings: this.settings,
      pending429: this.pending429,
      retryAfterSec: this.retryAfterSec,
      bannedUntilMs: this.bannedUntilMs,
      timestampErrors: this.timestampErrors,
      holds: this.holds,
      holdMs: this.holdMs,
      resets: this.resets,
      keepaliveRejections: this.keepaliveRejections,
      wsApi: { down: this.wsApiDown, armed: this.wsApiArmed.map((a) => ({ fault: a.fault, method: a.method, remaining: a.remaining })) },
    };
  }

  /** Decides the fate of one REST request (consuming one-shot faults). */
  planRequest(isOrderEndpoint: boolean, isSigned: boolean): RequestPlan {
    const s = this.settings;
    const now = this.nowMs();
    const banRemainingMs = this.bannedUntilMs !== null && now < this.bannedUntilMs ? this.bannedUntilMs - now : 0;
    if (this.bannedUntilMs !== null && banRemainingMs === 0) this.bannedUntilMs = null;
    const reset = this.take('resets');
    const holdMs = !reset && this.take('holds') ? this.holdMs : 0;
    const forced429 = !reset && banRemainingMs === 0 && this.take('pending429') ? this.retryAfterSec : null;
    const roll = this.prng.next();
    const httpError = roll < s.http500Probability ? 500 : roll < s.http500Probability + s.http502Probability ? 502 : null;
    const order503 = isOrderEndpoint && this.prng.chance(s.order503Probability) ? s.order503Mode : null;
    return {
      delayMs: s.latencyMs + (s.latencyJitterMs > 0 ? this.prng.next() * s.latencyJitterMs : 0),
      reset,
      holdMs,
      banRemainingMs,
      forced429RetryAfterSec: forced429,
      httpError,
      order503,
      forceTimestampError: isSigned && this.take('timestampErrors'),
    };
  }

  private take(counter: 'resets' | 'holds' | 'pending429' | 'timestampErrors'): boolean {
    if (this[counter] <= 0) return false;
    this[counter] -= 1;
    return true;
  }
}
