/**
 * Market data over Binance's routed combined streams: `/public/stream` carries bookTicker and
 * diff depth, `/market/stream` carries markPrice. "Connected" means both sockets are open.
 * A book ticker is handled at once (it drives decisions). Depth and mark price frames wait, in
 * their order, until the order requests being dispatched are on the wire (write-gate.ts): the
 * simulator and the venue often send a depth frame in the same socket read as the ticker, and
 * applying it used to hold the ticker's order back by a few hundred microseconds.
 */
import type { Clock } from '../core/clock.ts';
import type { DepthSnapshot } from '../core/model.ts';
import type { VenueListener } from '../core/venue.ts';
import type { BackoffOptions } from './backoff.ts';
import { LocalBook } from './local-book.ts';
import { errorText, sampleOf } from './listener-guard.ts';
import { ReconnectingSocket, type LivenessOptions } from './reconnecting-socket.ts';
import { WriteGate } from './write-gate.ts';
import { parseJson } from './wire/fields.ts';
import type { InstrumentLookup } from './wire/instruments.ts';
import { parseBookTicker, parseCombinedFrame, parseDepthUpdate, parseMarkPriceUpdate } from './wire/market.ts';

export interface MarketStreamOptions {
  /** Host root under which /public and /market live, e.g. wss://fstream.binance.com. */
  readonly wsUrl: string;
  readonly symbols: readonly string[];
  readonly clock: Clock;
  readonly backoff: BackoffOptions;
  readonly liveness: LivenessOptions;
  readonly lookup: InstrumentLookup;
  readonly fetchSnapshot: (symbol: string) => Promise<DepthSnapshot>;
  /** Already guarded. */
  readonly listener: VenueListener;
  /** Depth update speed suffix: "@100ms", "@500ms" or "" (250 ms). */
  readonly depthSpeed?: string;
}

/** Returns the combined-stream URLs of the public and market routes. */
export function marketStreamUrls(wsUrl: string, symbols: readonly string[], depthSpeed = '@100ms'): { publicUrl: string; marketUrl: string } {
  const root = wsUrl.replace(/\/+$/, '');
  const lower = symbols.map((s) => s.toLowerCase());
  const publicStreams = lower.flatMap((s) => [`${s}@bookTicker`, `${s}@depth${depthSpeed}`]).join('/');
  const marketStreams = lower.map((s) => `${s}@markPrice@1s`).join('/');
  return { publicUrl: `${root}/public/stream?streams=${publicStreams}`, marketUrl: `${root}/market/stream?streams=${marketStreams}` };
}

/** Longest time a depth or mark price frame waits behind order requests, ms. */
const MAX_HOLD_MS = 2;
const STREAM_PREFIX = '{"stream":"';
const BOOK_TICKER = '@bookTicker';

/** True for a book ticker frame, read from the stream name the frame starts with (no parse); a frame of another shape counts as urgent. */
function isBookTickerFrame(text: string): boolean {
  if (!text.startsWith(STREAM_PREFIX)) return true;
  const end = text.indexOf('"', STREAM_PREFIX.length);
  return end < 0 || text.startsWith(BOOK_TICKER, end - BOOK_TICKER.length);
}

export class MarketStream {
  private readonly options: MarketStreamOptions;
  private readonly publicSocket: ReconnectingSocket;
  private readonly marketSocket: ReconnectingSocket;
  private readonly books = new Map<string, LocalBook>();
  private readonly publicUrl: string;
  private readonly marketUrl: string;
  private connected = false;
  private readonly reportedStreams = new Set<string>();
  private readonly behindOrders = new WriteGate({ maxHoldMs: MAX_HOLD_MS, holdAlways: false });

  constructor(options: MarketStreamOptions) {
    this.options = options;
    const urls = marketStreamUrls(options.wsUrl, options.symbols, options.depthSpeed);
    this.publicUrl = urls.publicUrl;
    this.marketUrl = urls.marketUrl;
    for (const symbol of options.symbols) {
      this.books.set(
        symbol,
        new LocalBook({ symbol, fetchSnapshot: options.fetchSnapshot, onResync: (s, reason) => options.listener.onBookResync?.(s, reason) }),
      );
    }
    const common = { clock: options.clock, backoff: options.backoff, liveness: options.liveness };
    this.publicSocket = new ReconnectingSocket({
      ...common,
      url: () => this.publicUrl,
      onOpen: () => this.updateState('open public'),
      onMessage: (text) => (isBookTickerFrame(text) ? this.onPublic(text) : this.behindOrders.run(() => this.onPublic(text))),
      onClose: (reason) => {
        this.behindOrders.drain();
        for (const book of this.books.values()) book.reset();
        this.updateState(`public ${reason}`);
      },
    });
    this.marketSocket = new ReconnectingSocket({
      ...common,
      url: () => this.marketUrl,
      onOpen: () => this.updateState('open market'),
      onMessage: (text) => this.behindOrders.run(() => this.onMarket(text)),
      onClose: (reason) => this.updateState(`market ${reason}`),
    });
  }

  /** Opens both sockets (reconnecting until `stop`). */
  start(): void {
    this.publicSocket.start();
    this.marketSocket.start();
  }

  /** Closes both sockets. */
  stop(): void {
    this.publicSocket.stop();
    this.marketSocket.stop();
    this.behindOrders.drain();
    for (const book of this.books.values()) book.reset();
  }

  /** Returns true when both sockets are open. */
  isConnected(): boolean {
    return this.connected;
  }

  /** Returns the local depth book of a symbol. */
  book(symbol: string): LocalBook | undefined {
    return this.books.get(symbol);
  }

  private updateState(reason: string): void {
    const now = this.publicSocket.isOpen() && this.marketSocket.isOpen();
    if (now === this.connected) return;
    this.connected = now;
    this.options.listener.onStreamState({
      stream: 'market',
      connected: now,
      reason: now ? 'open' : reason,
      url: `${this.publicUrl} ${this.marketUrl}`,
      listenKey: null,
    });
  }

  private onPublic(text: string): void {
    try {
      const frame = parseCombinedFrame(parseJson(text));
      if (frame.stream.endsWith('@bookTicker')) {
        this.options.listener.onBookTop(parseBookTicker(frame.data, this.options.lookup));
      } else if (frame.stream.includes('@depth')) {
        const diff = parseDepthUpdate(frame.data, this.options.lookup);
        this.books.get(diff.symbol)?.apply(diff);
      } else {
        this.unknownStream('public-stream', frame.stream, text);
      }
    } catch (error) {
      this.options.listener.onMalformed('public-stream', errorText(error), sampleOf(text));
    }
  }

  private onMarket(text: string): void {
    try {
      const frame = parseCombinedFrame(parseJson(text));
      if (frame.stream.includes('@markPrice')) this.options.listener.onMarkPrice(parseMarkPriceUpdate(frame.data));
      else this.unknownStream('market-stream', frame.stream, text);
    } catch (error) {
      this.options.listener.onMalformed('market-stream', errorText(error), sampleOf(text));
    }
  }

  /** Reports a frame of a stream we never subscribed to, once per stream name. */
  private unknownStream(source: string, stream: string, text: string): void {
    const key = `${source} ${stream.slice(0, 80)}`;
    if (this.reportedStreams.has(key) || this.reportedStreams.size >= 100) return;
    this.reportedStreams.add(key);
    this.options.listener.onMalformed(source, `unknown stream ${stream.slice(0, 80)} (skipped; reported once)`, sampleOf(text));
  }
}
