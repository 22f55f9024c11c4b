/**
 * One WebSocket API connection: it writes request frames, matches answers to requests by id,
 * and ends every request it cannot answer with a reason the caller can act on: `not-sent` (the
 * frame never left: safe to send elsewhere), `lost` (the socket closed with the request in
 * flight: the venue may have acted) or `timeout` (no answer in time: likewise). It pings on an
 * interval and cuts itself when silent (no frame, no pong) for too long.
 */
import { channel } from 'node:diagnostics_channel';
import WebSocket from 'ws';
import { every, type Clock, type Timer } from '../core/clock.ts';
import { errorText, sampleOf } from './listener-guard.ts';
import type { LivenessOptions } from './reconnecting-socket.ts';
import { parseWsApiAnswer, type WsApiAnswer } from './ws-api-answers.ts';

/**
 * Published synchronously right before a request frame is written (no message): what must be
 * on disk before a request leaves (the event log's intent lines) is written from here, as it is
 * from undici's `undici:client:sendHeaders` for REST.
 */
export const WS_API_BEFORE_SEND_CHANNEL = 'mm:ws-api:before-send';
const beforeSend = channel(WS_API_BEFORE_SEND_CHANNEL);

/** Why a request got no answer. */
export type WsApiFailureKind = 'not-sent' | 'lost' | 'timeout';

/** A request that got no answer on its connection. */
export class WsApiRequestFailure extends Error {
  readonly code = 'MM_ERR_WS_API_REQUEST';
  readonly kind: WsApiFailureKind;

  constructor(kind: WsApiFailureKind, message: string) {
    super(message);
    this.name = 'WsApiRequestFailure';
    this.kind = kind;
  }
}

export interface WsApiConnectionOptions {
  readonly url: string;
  readonly clock: Clock;
  readonly liveness: LivenessOptions;
  readonly onOpen: (connection: WsApiConnection) => void;
  readonly onClose: (connection: WsApiConnection, reason: string) => void;
  /** A frame that is not a readable answer: reported, then skipped. */
  readonly onMalformed: (error: string, sample: string) => void;
  /** An answer to a request no longer waited for (timed out): the venue did answer it. */
  readonly onLateAnswer: (answer: WsApiAnswer) => void;
}

interface Pending {
  readonly resolve: (answer: WsApiAnswer) => void;
  readonly reject: (failure: WsApiRequestFailure) => void;
  /** Armed once the frame is handed to the socket, so that arming it costs the frame nothing. */
  timer: Timer | null;
}

export class WsApiConnection {
  private readonly options: WsApiConnectionOptions;
  private readonly ws: WebSocket;
  private readonly pending = new Map<string, Pending>();
  private open = false;
  private closed = false;
  private closeReason: string | null = null;
  private retiring: string | null = null;
  private lastSeenNs: bigint;
  private openedAtNs: bigint;
  private livenessTimer: Timer | null = null;

  /** Dials `options.url` at once. */
  constructor(options: WsApiConnectionOptions) {
    this.options = options;
    this.lastSeenNs = options.clock.monoNs();
    this.openedAtNs = this.lastSeenNs;
    this.ws = new WebSocket(options.url);
    this.ws.on('open', () => {
      this.open = true;
      this.openedAtNs = this.options.clock.monoNs();
      this.seen();
      this.startLiveness();
      this.options.onOpen(this);
    });
    this.ws.on('message', (data: WebSocket.RawData) => {
      this.seen();
      this.onFrame(toText(data));
    });
    this.ws.on('pong', () => this.seen());
    this.ws.on('ping', () => this.seen());
    this.ws.on('error', (error: Error) => {
      this.closeReason ??= `error: ${error.message}`;
    });
    this.ws.on('close', (code: number) => this.onClosed(this.closeReason ?? `close ${code}`));
  }

  /** Returns true while requests can be written. */
  isOpen(): boolean {
    return this.open && !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  /** Returns how long the connection has been open, ms (0 before it opened). */
  ageMs(): number {
    return this.open ? Number(this.options.clock.monoNs() - this.openedAtNs) / 1e6 : 0;
  }

  /** Returns how many requests wait for their answer. */
  inFlight(): number {
    return this.pending.size;
  }

  /**
   * Writes one request frame and resolves with its answer. Rejects with a WsApiRequestFailure:
   * `not-sent` when the connection is not open (nothing was written), `lost` when it closes
   * first, `timeout` after `timeoutMs` without an answer.
   */
  request(id: string, frame: string, timeoutMs: number): Promise<WsApiAnswer> {
    if (!this.isOpen()) {
      return Promise.reject(new WsApiRequestFailure('not-sent', 'the WebSocket API connection is not open'));
    }
    return new Promise<WsApiAnswer>((resolve, reject) => {
      const pending: Pending = { resolve, reject, timer: null };
      this.pending.set(id, pending);
      if (beforeSend.hasSubscribers) beforeSend.publish(undefined);
      this.ws.send(frame, (error) => {
        if (error === undefined || error === null) return;
        // Part of the frame may have reached the venue: the request may have been acted on.
        this.fail(id, new WsApiRequestFailure('lost', `write failed: ${error.message}`));
      });
      // The send's callback and any answer come in later turns, so the timer is armed before either.
      pending.timer = this.options.clock.setTimer(() => {
        if (this.pending.delete(id)) reject(new WsApiRequestFailure('timeout', `no answer within ${timeoutMs} ms`));
        this.closeIfRetiredAndIdle();
      }, timeoutMs);
    });
  }

  /** Closes the connection once no request is in flight (at once when none is). */
  retire(reason: string): void {
    this.retiring = reason;
    this.closeIfRetiredAndIdle();
  }

  /** Closes the connection now; requests in flight end as `lost`. */
  close(reason: string): void {
    if (this.closed) return;
    this.closeReason ??= reason;
    this.ws.terminate();
  }

  private onFrame(text: string): void {
    let answer: WsApiAnswer;
    try {
      answer = parseWsApiAnswer(text);
    } catch (error) {
      this.options.onMalformed(errorText(error), sampleOf(text));
      return;
    }
    const pending = answer.id === null ? undefined : this.pending.get(answer.id);
    if (pending === undefined || answer.id === null) {
      this.options.onLateAnswer(answer);
      return;
    }
    this.pending.delete(answer.id);
    pending.timer?.cancel();
    pending.resolve(answer);
    this.closeIfRetiredAndIdle();
  }

  private fail(id: string, failure: WsApiRequestFailure): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    pending.timer?.cancel();
    pending.reject(failure);
  }

  private onClosed(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stopLiveness();
    for (const id of [...this.pending.keys()]) this.fail(id, new WsApiRequestFailure('lost', `connection closed before the answer (${reason})`));
    this.open = false;
    this.options.onClose(this, reason);
  }

  private closeIfRetiredAndIdle(): void {
    if (this.retiring !== null && this.pending.size === 0) this.close(this.retiring);
  }

  private startLiveness(): void {
    const { pingIntervalMs, deadAfterMs } = this.options.liveness;
    this.livenessTimer = every(this.options.clock, Math.max(1, Math.min(pingIntervalMs, deadAfterMs / 2)), () => {
      const silentMs = Number(this.options.clock.monoNs() - this.lastSeenNs) / 1e6;
      if (silentMs >= deadAfterMs) {
        this.close('ping timeout');
        return;
      }
      try {
        this.ws.ping();
      } catch {
        // The close event follows.
      }
    });
  }

  private stopLiveness(): void {
    this.livenessTimer?.cancel();
    this.livenessTimer = null;
  }

  private seen(): void {
    this.lastSeenNs = this.options.clock.monoNs();
  }
}

function toText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
