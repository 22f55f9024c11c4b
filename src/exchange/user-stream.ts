/**
 * The user data stream: a listenKey from POST /fapi/v1/listenKey, a socket on
 * `/private/ws/<listenKey>`, keepalive PUTs, and recovery that never leaves the stream silently
 * dead: a -1125 keepalive answer or a `listenKeyExpired` event recreates the key and reconnects;
 * other keepalive failures are reported and retried sooner.
 */
import { type Clock, type Timer } from '../core/clock.ts';
import type { ListenKeyAction, VenueListener } from '../core/venue.ts';
import { backoffDelayMs, type BackoffOptions } from './backoff.ts';
import { ExchangeError } from './errors.ts';
import { errorText, sampleOf } from './listener-guard.ts';
import { ReconnectingSocket, type LivenessOptions } from './reconnecting-socket.ts';
import { asObject, parseJson, str } from './wire/fields.ts';
import type { InstrumentLookup } from './wire/instruments.ts';
import { parseUserEvent } from './wire/user-events.ts';

export interface ListenKeyApi {
  newListenKey(): Promise<unknown>;
  keepaliveListenKey(): Promise<unknown>;
  closeListenKey(): Promise<unknown>;
}

export interface UserStreamOptions {
  readonly wsUrl: string;
  readonly clock: Clock;
  readonly backoff: BackoffOptions;
  readonly liveness: LivenessOptions;
  readonly lookup: InstrumentLookup;
  readonly rest: ListenKeyApi;
  /** Already guarded. */
  readonly listener: VenueListener;
  /** Keepalive PUT interval (Binance: a key lives 60 min), ms. */
  readonly keepaliveIntervalMs: number;
  /** Delay before retrying a keepalive that failed for another reason than -1125, ms. */
  readonly keepaliveRetryMs: number;
}

const LISTEN_KEY_INVALID = -1125;
/**
 * Event types the adapter knows: those it acts on (a known type for another symbol is ignored
 * silently), and documented ones it does not need: TRADE_LITE repeats what ORDER_TRADE_UPDATE
 * says of a fill, ACCOUNT_CONFIG_UPDATE reports leverage or asset-mode changes (the runner sets
 * leverage itself at start).
 */
const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set([
  'ORDER_TRADE_UPDATE',
  'ACCOUNT_UPDATE',
  'MARGIN_CALL',
  'listenKeyExpired',
  'TRADE_LITE',
  'ACCOUNT_CONFIG_UPDATE',
]);
const MAX_REPORTED_TYPES = 100;

/** Returns the listenKey of a POST/PUT /fapi/v1/listenKey body. */
export function parseListenKey(body: unknown): string {
  return str(asObject(body, '$'), 'listenKey');
}

export class UserStream {
  private readonly options: UserStreamOptions;
  private readonly socket: ReconnectingSocket;
  private readonly root: string;
  private listenKey: string | null = null;
  private keyLive = false;
  private running = false;
  private keepaliveTimer: Timer | null = null;
  private recreating: Promise<void> | null = null;
  /** The back-off wait of a listenKey re-creation, cut short by stop(). */
  private backoffWait: { readonly timer: Timer; readonly wake: () => void } | null = null;
  private readonly reportedTypes = new Set<string>();

  constructor(options: UserStreamOptions) {
    this.options = options;
    this.root = options.wsUrl.replace(/\/+$/, '');
    this.socket = new ReconnectingSocket({
      clock: options.clock,
      backoff: options.backoff,
      liveness: options.liveness,
      url: () => `${this.root}/private/ws/${this.listenKey ?? ''}`,
      onOpen: () => this.state(true, 'open'),
      onMessage: (text) => this.onMessage(text),
      onClose: (reason) => this.state(false, reason),
    });
  }

  /** Returns true while the socket is open. */
  isConnected(): boolean {
    return this.socket.isOpen();
  }

  /** Returns true while the current listenKey is believed valid. */
  listenKeyLive(): boolean {
    return this.keyLive;
  }

  /** Returns the current listenKey (null before start). */
  currentListenKey(): string | null {
    return this.listenKey;
  }

  /** Creates the listenKey (throws when the venue refuses) and opens the socket. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      this.listenKey = parseListenKey(await this.options.rest.newListenKey());
    } catch (error) {
      this.running = false;
      this.listenKeyEvent('renew_failed', errorText(error));
      throw error;
    }
    this.keyLive = true;
    this.listenKeyEvent('created', null);
    this.socket.start();
    this.scheduleKeepalive(this.options.keepaliveIntervalMs);
  }

  /** Closes the socket and the listenKey (best effort). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.backoffWait?.timer.cancel();
    this.backoffWait?.wake();
    this.clearKeepalive();
    this.socket.stop();
    if (this.listenKey !== null && this.keyLive) {
      try {
        await this.options.rest.closeListenKey();
      } catch {
        // The key expires by itself within 60 minutes.
      }
    }
    this.keyLive = false;
    this.listenKeyEvent('closed', null);
  }

  private state(connected: boolean, reason: string): void {
    this.options.listener.onStreamState({
      stream: 'user',
      connected,
      reason,
      url: `${this.root}/private/ws/<listenKey>`,
      listenKey: this.listenKey,
    });
  }

  private listenKeyEvent(action: ListenKeyAction, error: string | null): void {
    this.options.listener.onListenKey({ action, listenKey: this.listenKey, error });
  }

  private onMessage(text: string): void {
    let event;
    try {
      event = parseUserEvent(parseJson(text), this.options.lookup);
    } catch (error) {
      this.options.listener.onMalformed('user-stream', errorText(error), sampleOf(text));
      return;
    }
    switch (event.kind) {
      case 'order':
        this.options.listener.onOrderUpdate(event.update);
        return;
      case 'account':
        this.options.listener.onAccountUpdate(event.update);
        return;
      case 'marginCall':
        this.options.listener.onMarginCall(event.call);
        return;
      case 'listenKeyExpired':
        this.keyLive = false;
        this.listenKeyEvent('expired', null);
        void this.recreate('listenKeyExpired');
        return;
      case 'ignored':
        // An event type we do not know (Binance adds new ones) is skipped, and reported once per
        // type so that it is logged and counted without flooding (TRADE_LITE comes with every fill).
        if (!KNOWN_EVENT_TYPES.has(event.eventType) && !this.reportedTypes.has(event.eventType) && this.reportedTypes.size < MAX_REPORTED_TYPES) {
          this.reportedTypes.add(event.eventType);
          this.options.listener.onMalformed('user-stream', `unknown event type ${event.eventType} (skipped; reported once)`, sampleOf(text));
        }
        return;
    }
  }

  private scheduleKeepalive(delayMs: number): void {
    this.clearKeepalive();
    if (!this.running) return;
    this.keepaliveTimer = this.options.clock.setTimer(() => {
      this.keepaliveTimer = null;
      void this.keepalive();
    }, delayMs);
  }

  private clearKeepalive(): void {
    this.keepaliveTimer?.cancel();
    this.keepaliveTimer = null;
  }

  private async keepalive(): Promise<void> {
    if (!this.running || this.recreating !== null) return;
    try {
      await this.options.rest.keepaliveListenKey();
      if (!this.running) return;
      this.keyLive = true;
      this.listenKeyEvent('renewed', null);
      this.scheduleKeepalive(this.options.keepaliveIntervalMs);
    } catch (error) {
      if (!this.running) return;
      this.listenKeyEvent('renew_failed', errorText(error));
      if (error instanceof ExchangeError && error.binanceCode === LISTEN_KEY_INVALID) {
        this.keyLive = false;
        await this.recreate('keepalive -1125');
      } else {
        this.scheduleKeepalive(this.options.keepaliveRetryMs);
      }
    }
  }

  /** Creates a new listenKey (retrying with back-off until it succeeds or the stream stops) and reconnects. */
  private recreate(reason: string): Promise<void> {
    if (this.recreating !== null) return this.recreating;
    this.clearKeepalive();
    this.recreating = (async () => {
      for (let attempt = 1; this.running; attempt++) {
        try {
          const key = parseListenKey(await this.options.rest.newListenKey());
          if (!this.running) return;
          this.listenKey = key;
          this.keyLive = true;
          this.listenKeyEvent('recreated', null);
          this.socket.restart(reason);
          this.scheduleKeepalive(this.options.keepaliveIntervalMs);
          return;
        } catch (error) {
          this.listenKeyEvent('renew_failed', errorText(error));
          await this.waitBackoff(backoffDelayMs(this.options.backoff, attempt));
        }
      }
    })().finally(() => {
      this.recreating = null;
    });
    return this.recreating;
  }

  /** Waits `ms` on the clock, or until stop(). */
  private waitBackoff(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        this.backoffWait = null;
        resolve();
      };
      this.backoffWait = { timer: this.options.clock.setTimer(wake, ms), wake };
    });
  }
}
