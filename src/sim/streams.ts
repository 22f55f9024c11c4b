/**
 * Stream names and which routed path serves them (Binance's 2026 layout): `/public` carries
 * book tickers and depth, `/market` carries mark prices, trades, tickers and klines, `/private`
 * the user data stream. Symbol parts are matched case-insensitively and written lower-case;
 * the rest is case-sensitive (a kline "1m" is a minute, "1M" a month).
 */
import { isKlineInterval } from './kline-intervals.ts';

export type StreamCategory = 'public' | 'market';

const DEPTH_SPEEDS = ['', '@100ms', '@250ms', '@500ms'] as const;
const PARTIAL_DEPTH_LEVELS = [5, 10, 20] as const;

const PUBLIC_SUFFIXES: readonly string[] = [
  '@bookTicker',
  ...DEPTH_SPEEDS.map((speed) => `@depth${speed}`),
  ...PARTIAL_DEPTH_LEVELS.flatMap((levels) => DEPTH_SPEEDS.map((speed) => `@depth${levels}${speed}`)),
];
const MARKET_SUFFIXES: readonly string[] = ['@markPrice', '@markPrice@1s', '@aggTrade', '@ticker', '@miniTicker'];
const ALL_MARKET_STREAMS: Readonly<Record<string, StreamCategory>> = {
  '!bookTicker': 'public',
  '!markPrice@arr': 'market',
  '!markPrice@arr@1s': 'market',
  '!ticker@arr': 'market',
  '!miniTicker@arr': 'market',
};

/** Returns the stream with its symbol part lower-cased, or null when it is not a stream we serve. */
export function normalizeStream(stream: string, knownSymbols: ReadonlySet<string>): { readonly name: string; readonly category: StreamCategory } | null {
  const allMarket = ALL_MARKET_STREAMS[stream];
  if (allMarket !== undefined) return { name: stream, category: allMarket };
  const at = stream.indexOf('@');
  if (at <= 0) return null;
  const symbol = stream.slice(0, at).toLowerCase();
  const suffix = stream.slice(at);
  if (!knownSymbols.has(symbol.toUpperCase())) return null;
  if (PUBLIC_SUFFIXES.includes(suffix)) return { name: symbol + suffix, category: 'public' };
  if (MARKET_SUFFIXES.includes(suffix)) return { name: symbol + suffix, category: 'market' };
  if (suffix.startsWith('@kline_') && isKlineInterval(suffix.slice('@kline_'.length))) return { name: symbol + suffix, category: 'market' };
  return null;
}

/** Returns the names of every diff-depth stream of a symbol (all speeds carry the same batches here). */
export function depthStreams(symbol: string): string[] {
  const s = symbol.toLowerCase();
  return DEPTH_SPEEDS.map((speed) => `${s}@depth${speed}`);
}

/** Returns the partial-depth stream names of a symbol with their level counts. */
export function partialDepthStreams(symbol: string): ReadonlyArray<{ readonly stream: string; readonly levels: number }> {
  const s = symbol.toLowerCase();
  return PARTIAL_DEPTH_LEVELS.flatMap((levels) => DEPTH_SPEEDS.map((speed) => ({ stream: `${s}@depth${levels}${speed}`, levels })));
}
