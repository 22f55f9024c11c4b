/**
 * Stream names and which routed path serves them (Binance's 2026 layout): `/public` carries
 * bookTicker and diff depth, `/market` carries markPrice, `/private` the user data stream.
 */

export type StreamCategory = 'public' | 'market';

const PUBLIC_SUFFIXES = ['@bookTicker', '@depth', '@depth@100ms', '@depth@250ms', '@depth@500ms'] as const;
const MARKET_SUFFIXES = ['@markPrice', '@markPrice@1s'] as const;

/** Returns the stream with its symbol part lower-cased, or null when it is not a stream we serve. */
export function normalizeStream(stream: string, knownSymbols: ReadonlySet<string>): { readonly name: string; readonly category: StreamCategory } | null {
  const at = stream.indexOf('@');
  if (at <= 0) return null;
  const symbol = stream.slice(0, at).toLowerCase();
  const suffix = stream.slice(at);
  if (!knownSymbols.has(symbol.toUpperCase())) return null;
  if ((PUBLIC_SUFFIXES as readonly string[]).includes(suffix)) return { name: symbol + suffix, category: 'public' };
  if ((MARKET_SUFFIXES as readonly string[]).includes(suffix)) return { name: symbol + suffix, category: 'market' };
  return null;
}

/** Returns the names of every depth stream of a symbol (all speeds carry the same batches here). */
export function depthStreams(symbol: string): string[] {
  const s = symbol.toLowerCase();
  return [`${s}@depth`, `${s}@depth@100ms`, `${s}@depth@250ms`, `${s}@depth@500ms`];
}
