/**
 * Market data over Binance's routed combined streams: `/public/stream` carries bookTicker,
 * `/market/stream` carries markPrice. "Connected" means both sockets are open. The quoting reads
 * only the top of the book, so no depth stream is subscribed: a local depth book would feed no
 * decision (it comes back with the first quoting rule that needs depth).
 */
import type { Clock } from '../core/clock.ts';
import type { VenueListener } from '../core/venue.ts';
import type { BackoffOptions } from './backoff.ts';
import { errorText, sampleOf } from './listener-guard.ts';
import { ReconnectingSocket, type LivenessOptions } from './reconnecting-socket.ts';
import { parseJson } from './wire/fields.ts';
import type { InstrumentLookup } from './wire/instruments.ts';
import { parseBookTicker, parseCombinedFrame, parseMarkPriceUpdate } from './wire/market.ts';

export interface MarketStreamOptions {
  /** Host root under which /public and /market live, e.g. wss://fstream.binance.com. */
  readonly wsUrl: string;
  readonly symbols: readonly string[];
  readonly clock: Clock;
  readonly backoff: BackoffOptions;
  readonly liveness: LivenessOptions;
  readonly lookup: InstrumentLookup;
  /** Already guarded. */
  readonly listener: VenueListener;
}

/** Returns the combined-stream URLs of the public and market routes. */
export function marketStreamUrls(wsUrl: string, symbols: readonly string[]): { publicUrl: string; marketUrl: string } {
  const root = wsUrl.replace(/\/+$/, '');
  const lower = symbols.map((s) => s.toLowerCase());
  const publicStreams = lower.map((s) => `${s}@bookTicker`).join('/');
  const marketStreams = lower.map((s) => `${s}@markPrice@1s`).join('/');
  return { publicUrl: `${root}/public/stream?streams=${publicStreams}`, marketUrl: `${root}/market/stream?streams=${marketStreams}` };
}

export class MarketStream {
  private readonly options: MarketStreamOptions;
  private readonly publicSocket: ReconnectingSocket;
  private readonly marketSocket: ReconnectingSocket;
  private readonly publicUrl: string;
  private readonly marketUrl: string;
  private connected = false;
  private readonly reportedStreams = new Set<string>();

  constructor(options: MarketStreamOptions) {
    this.options = options;
    const urls = marketStreamUrls(options.wsUrl, options.symbols);
    this.publicUrl = urls.publicUrl;
    this.marketUrl = urls.marketUrl;
    const common = { clock: options.clock, backoff: options.backoff, liveness: options.liveness };
    this.publicSocket = new ReconnectingSocket({
      ...common,
      url: () => this.publicUrl,
      onOpen: () => this.updateState('open public'),
      onMessage: (text) => this.onPublic(text),
      onClose: (reason) => this.updateState(`public ${reason}`),
    });
    this.marketSocket = new ReconnectingSocket({
      ...common,
      url: () => this.marketUrl,
      onOpen: () => this.updateState('open market'),
      onMessage: (text) => this.onMarket(text),
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
  }

  /** Returns true when both sockets are open. */
  isConnected(): boolean {
    return this.connected;
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
      if (frame.stream.endsWith('@bookTicker')) this.options.listener.onBookTop(parseBookTicker(frame.data, this.options.lookup));
      else this.unknownStream('public-stream', frame.stream, text);
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
