/**
 * One WebSocket that stays connected: reconnects with capped, jittered back-off, pings on an
 * interval and replaces a socket that has been silent (no message, no pong) for too long.
 */
import WebSocket from 'ws';
import { every, type Clock, type Timer } from '../core/clock.ts';
import { backoffDelayMs, type BackoffOptions } from './backoff.ts';

export interface LivenessOptions {
  /** How often to send a ping, ms. */
  readonly pingIntervalMs: number;
  /** A socket with no message and no pong for this long is terminated, ms. */
  readonly deadAfterMs: number;
}

export const DEFAULT_LIVENESS: LivenessOptions = { pingIntervalMs: 15_000, deadAfterMs: 30_000 };

export interface ReconnectingSocketOptions {
  /** Returns the URL to dial; read on every (re)connect so a new listenKey is picked up. */
  readonly url: () => string;
  readonly clock: Clock;
  readonly backoff: BackoffOptions;
  readonly liveness: LivenessOptions;
  readonly onOpen: () => void;
  readonly onMessage: (text: string) => void;
  readonly onClose: (reason: string) => void;
}

export class ReconnectingSocket {
  private readonly options: ReconnectingSocketOptions;
  private socket: WebSocket | null = null;
  private running = false;
  private open = false;
  private attempt = 0;
  private lastSeenNs = 0n;
  private livenessTimer: Timer | null = null;
  private reconnectTimer: Timer | null = null;
  private closeReason: string | null = null;
  private immediate = false;

  constructor(options: ReconnectingSocketOptions) {
    this.options = options;
  }

  /** Returns true while the socket is open. */
  isOpen(): boolean {
    return this.open;
  }

  /** Starts dialling; reconnects until `stop`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.dial();
  }

  /** Closes the current socket now and dials again at once (e.g. a new listenKey). */
  restart(reason: string): void {
    if (!this.running) return;
    this.attempt = 0;
    if (this.socket !== null) {
      this.closeReason = reason;
      this.immediate = true;
      this.socket.terminate();
    } else {
      this.clearReconnect();
      this.dial();
    }
  }

  /** Stops for good: closes the socket and cancels timers. */
  stop(): void {
    this.running = false;
    this.clearReconnect();
    this.clearLiveness();
    const socket = this.socket;
    this.socket = null;
    if (socket !== null) {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.terminate();
    }
    if (this.open) {
      this.open = false;
      this.options.onClose('stopped');
    }
  }

  private dial(): void {
    if (!this.running) return;
    const socket = new WebSocket(this.options.url());
    this.socket = socket;
    this.closeReason = null;
    socket.on('open', () => {
      if (this.socket !== socket) return;
      this.open = true;
      this.attempt = 0;
      this.seen();
      this.startLiveness(socket);
      this.options.onOpen();
    });
    socket.on('message', (data: WebSocket.RawData) => {
      if (this.socket !== socket) return;
      this.seen();
      this.options.onMessage(toText(data));
    });
    socket.on('pong', () => this.seen());
    socket.on('ping', () => this.seen());
    socket.on('error', (error: Error) => {
      if (this.closeReason === null) this.closeReason = `error: ${error.message}`;
    });
    socket.on('close', (code: number) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearLiveness();
      const reason = this.closeReason ?? `close ${code}`;
      const wasOpen = this.open;
      this.open = false;
      if (wasOpen) this.options.onClose(reason);
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (!this.running) return;
    this.attempt++;
    const delay = this.immediate ? 0 : backoffDelayMs(this.options.backoff, this.attempt);
    this.immediate = false;
    this.reconnectTimer = this.options.clock.setTimer(() => {
      this.reconnectTimer = null;
      this.dial();
    }, delay);
  }

  private startLiveness(socket: WebSocket): void {
    this.clearLiveness();
    const { pingIntervalMs, deadAfterMs } = this.options.liveness;
    this.livenessTimer = every(this.options.clock, Math.max(1, Math.min(pingIntervalMs, deadAfterMs / 2)), () => {
      const silentMs = Number(this.options.clock.monoNs() - this.lastSeenNs) / 1e6;
      if (silentMs >= deadAfterMs) {
        this.closeReason = 'ping timeout';
        socket.terminate();
        return;
      }
      try {
        socket.ping();
      } catch {
        // The close event follows.
      }
    });
  }

  private seen(): void {
    this.lastSeenNs = this.options.clock.monoNs();
  }

  private clearLiveness(): void {
    this.livenessTimer?.cancel();
    this.livenessTimer = null;
  }

  private clearReconnect(): void {
    this.reconnectTimer?.cancel();
    this.reconnectTimer = null;
  }
}

function toText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
