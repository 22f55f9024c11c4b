/**
 * The Binance USDⓈ-M WebSocket API client (wss://ws-fapi.binance.com/ws-fapi/v1): one live
 * connection at a time, reconnected with capped, jittered back-off when it drops, and replaced
 * before Binance's 24-hour limit by a new one opened first (make before break), so that the
 * renewal costs no request. Requests are signed as the WebSocket API pages say, matched to
 * answers by id, and end as REST calls do: the result, or an ExchangeError with the same
 * outcome semantics (a request in flight when the connection drops, or unanswered within the
 * timeout, is ambiguous and never sent again), or WsApiUnavailableError when nothing was sent.
 * The rate-limit back-off and the venue clock offset are the REST client's (shared).
 */
import { randomBytes } from 'node:crypto';
import { type Clock, type Timer } from '../core/clock.ts';
import { backoffDelayMs, type BackoffOptions } from './backoff.ts';
import { ExchangeError } from './errors.ts';
import type { RateLimitGate } from './rate-limit-gate.ts';
import type { LivenessOptions } from './reconnecting-socket.ts';
import type { OrderInfo } from './rest-transport.ts';
import { answerError } from './ws-api-answers.ts';
import { WsApiConnection, WsApiRequestFailure } from './ws-api-connection.ts';
import { WsApiSigner, type WsApiParams } from './ws-api-signing.ts';

/** Binance closes a WebSocket API connection after 24 hours. */
export const WS_API_MAX_CONNECTION_AGE_MS = 24 * 60 * 60 * 1000;

export interface WsApiClientOptions {
  /** e.g. wss://ws-fapi.binance.com/ws-fapi/v1. */
  readonly url: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly clock: Clock;
  readonly recvWindowMs: number;
  /** How long a request waits for its answer before it is ambiguous, ms. */
  readonly requestTimeoutMs: number;
  readonly backoff: BackoffOptions;
  readonly liveness: LivenessOptions;
  /** Age at which a connection is replaced by a new one, ms (below WS_API_MAX_CONNECTION_AGE_MS). */
  readonly renewAfterMs: number;
  /** The venue's rate-limit back-off, shared with REST. */
  readonly gate: RateLimitGate;
  /** Returns the venue clock estimate (local clock + measured offset), ms. */
  readonly venueNowMs: () => number;
  /** Measures the venue clock offset again (after a -1021). */
  readonly resyncTime: () => Promise<void>;
  /** Reports each change of readiness, with why. */
  readonly onState: (change: WsApiStateChange) => void;
  /** Reports a frame that is not a readable answer (skipped). */
  readonly onMalformed: (source: string, error: string, sample: string) => void;
}

/** The client became able, or unable, to send requests. */
export interface WsApiStateChange {
  readonly ready: boolean;
  /** "open", "close 1006", "ping timeout", "error: ...", "stopped", ... */
  readonly reason: string;
}

/** One request. */
export interface WsApiCall {
  /** e.g. "order.place". */
  readonly method: string;
  readonly params: WsApiParams;
  /** Safe to send again after a -1021 (it changes nothing twice): queries and cancels. */
  readonly idempotent: boolean;
  /** The order it concerns, for spans and logs (null for other requests). */
  readonly order: OrderInfo | null;
}

/** A request that was never written (no open connection): safe to send over another transport. */
export class WsApiUnavailableError extends Error {
  readonly code = 'MM_ERR_WS_API_UNAVAILABLE';
  constructor(method: string) {
    super(`${method}: not sent, the WebSocket API is not connected`);
    this.name = 'WsApiUnavailableError';
  }
}

const TIMESTAMP_OUTSIDE_RECV_WINDOW = -1021;

export class WsApiClient {
  private readonly options: WsApiClientOptions;
  private readonly signer: WsApiSigner;
  private readonly idPrefix = randomBytes(4).toString('hex');
  private active: WsApiConnection | null = null;
  /** A connection being opened: the first one, a reconnection, or the successor of `active`. */
  private dialing: WsApiConnection | null = null;
  private readonly retiring = new Set<WsApiConnection>();
  private running = false;
  private ready = false;
  private attempt = 0;
  private sequence = 0;
  private openedCount = 0;
  private reconnectTimer: Timer | null = null;
  private renewTimer: Timer | null = null;

  constructor(options: WsApiClientOptions) {
    this.options = options;
    this.signer = new WsApiSigner(options.apiKey, options.apiSecret, options.recvWindowMs);
  }

  /** Starts connecting; keeps a connection until `stop`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.dial();
  }

  /** Closes every connection (requests in flight end as ambiguous) and stops reconnecting. */
  stop(): void {
    this.running = false;
    this.clearTimers();
    const connections = [this.active, this.dialing, ...this.retiring];
    this.active = null;
    this.dialing = null;
    this.retiring.clear();
    for (const connection of connections) connection?.close('stopped');
    this.setReady(false, 'stopped');
  }

  /** Returns true while a connection is open for requests. */
  isReady(): boolean {
    return this.active?.isOpen() === true;
  }

  /** Returns how many connections have opened (the first, reconnections and renewals). */
  connectionsOpened(): number {
    return this.openedCount;
  }

  /**
   * Sends one signed request and returns its `result`. Throws WsApiUnavailableError when it was
   * not sent, or an ExchangeError: rejected (the venue refused it, or the shared back-off holds
   * it), or ambiguous (the connection dropped with it in flight, no answer in time, 5xx).
   */
  async call(call: WsApiCall): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const refusal = this.options.gate.refusal(call.method, false);
      if (refusal !== null) throw refusal;
      const connection = this.active;
      if (connection === null || !connection.isOpen()) throw new WsApiUnavailableError(call.method);
      const id = `${this.idPrefix}-${++this.sequence}`;
      const params = this.signer.sign(call.params, Math.round(this.options.venueNowMs()));
      let answer;
      try {
        answer = await connection.request(id, JSON.stringify({ id, method: call.method, params }), this.options.requestTimeoutMs);
      } catch (error) {
        if (error instanceof WsApiRequestFailure && error.kind === 'not-sent') throw new WsApiUnavailableError(call.method);
        throw new ExchangeError({
          operation: call.method,
          httpStatus: null,
          binanceCode: null,
          outcome: 'ambiguous',
          retryAfterMs: null,
          message: error instanceof Error ? error.message : String(error),
          cause: error,
        });
      }
      if (answer.usage !== null) this.options.gate.recordUsage(answer.usage);
      if (answer.error === null) return answer.result;
      const failure = answerError(call.method, answer.status, answer.error, this.options.venueNowMs());
      if ((answer.status === 429 || answer.status === 418) && failure.retryAfterMs !== null) this.options.gate.backOff(answer.status, failure.retryAfterMs);
      if (answer.error.code === TIMESTAMP_OUTSIDE_RECV_WINDOW) {
        await this.options.resyncTime();
        // A -1021 changed nothing at the venue; only a query or a cancel goes again.
        if (call.idempotent && attempt === 1) continue;
      }
      throw failure;
    }
  }

  private dial(): void {
    if (!this.running || this.dialing !== null) return;
    this.dialing = new WsApiConnection({
      url: this.options.url,
      clock: this.options.clock,
      liveness: this.options.liveness,
      onOpen: (connection) => this.opened(connection),
      onClose: (connection, reason) => this.closed(connection, reason),
      onMalformed: (error, sample) => this.options.onMalformed('ws-api', error, sample),
      // An answer after its timeout changes nothing (the request stays ambiguous), but its usage is current.
      onLateAnswer: (answer) => {
        if (answer.usage !== null) this.options.gate.recordUsage(answer.usage);
      },
    });
  }

  private opened(connection: WsApiConnection): void {
    if (connection !== this.dialing) {
      connection.close('superseded');
      return;
    }
    this.dialing = null;
    this.attempt = 0;
    this.openedCount += 1;
    const previous = this.active;
    this.active = connection;
    if (previous !== null) {
      // Requests already written on the old connection still get their answers there.
      this.retiring.add(previous);
      previous.retire(`renewed before the ${WS_API_MAX_CONNECTION_AGE_MS / 3_600_000} h limit`);
    }
    this.scheduleRenewal();
    this.setReady(true, previous === null ? 'open' : 'renewed');
  }

  private closed(connection: WsApiConnection, reason: string): void {
    this.retiring.delete(connection);
    if (connection === this.dialing) {
      // A dial that failed: a reconnection, or a renewal while the old connection still works.
      this.dialing = null;
      this.scheduleReconnect();
      return;
    }
    if (connection !== this.active) return;
    this.active = null;
    this.clearRenewal();
    this.setReady(false, reason);
    if (this.dialing === null) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.running || this.reconnectTimer !== null) return;
    this.attempt += 1;
    this.reconnectTimer = this.options.clock.setTimer(
      () => {
        this.reconnectTimer = null;
        this.dial();
      },
      backoffDelayMs(this.options.backoff, this.attempt),
    );
  }

  private scheduleRenewal(): void {
    this.clearRenewal();
    this.renewTimer = this.options.clock.setTimer(() => {
      this.renewTimer = null;
      this.dial();
    }, this.options.renewAfterMs);
  }

  private clearRenewal(): void {
    this.renewTimer?.cancel();
    this.renewTimer = null;
  }

  private clearTimers(): void {
    this.clearRenewal();
    this.reconnectTimer?.cancel();
    this.reconnectTimer = null;
  }

  private setReady(ready: boolean, reason: string): void {
    if (ready === this.ready) return;
    this.ready = ready;
    this.options.onState({ ready, reason });
  }
}
