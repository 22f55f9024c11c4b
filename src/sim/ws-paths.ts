/**
 * The WebSocket URLs the simulator accepts, on Binance's routed paths:
 * `/{public,market}/ws[/<stream>[/<stream>...]]` and `/{public,market}/stream?streams=a/b`
 * for market data; `/private/ws/<listenKey>`, `/private/{ws,stream}?listenKey=K&events=A/B`
 * (several listenKey/events pairs allowed), `/private/stream?streams=<listenKey>` and a bare
 * `/private/{ws,stream}` (subscribe with the listenKey afterwards) for user data.
 */
import { normalizeStream, type StreamCategory } from './streams.ts';

export type WsRoute = StreamCategory | 'private';

/** The user-data events Binance documents for USDⓈ-M futures: what an `events=` filter may name. */
export const USER_EVENT_TYPES: ReadonlySet<string> = new Set([
  'ACCOUNT_UPDATE',
  'ORDER_TRADE_UPDATE',
  'TRADE_LITE',
  'ACCOUNT_CONFIG_UPDATE',
  'MARGIN_CALL',
  'listenKeyExpired',
  'STRATEGY_UPDATE',
  'GRID_UPDATE',
  'CONDITIONAL_ORDER_TRIGGER_REJECT',
  'ALGO_UPDATE',
]);

/** A listenKey named in the URL, with the events it should deliver (null: all). */
export interface UrlUserKey {
  readonly key: string;
  readonly events: ReadonlySet<string> | null;
}

/** What a socket starts with. */
export interface WsSetup {
  readonly route: WsRoute;
  /** Combined (`/stream`) sockets wrap every event as {"stream","data"}. */
  readonly combined: boolean;
  readonly streams: readonly string[];
  readonly userKeys: readonly UrlUserKey[];
  /** The `events=` filter given before any listenKey: it applies to keys subscribed later. */
  readonly defaultEvents: ReadonlySet<string> | null;
}

/** An upgrade refused with an HTTP status. */
export class UpgradeRejection extends Error {
  readonly code = 'SIM_ERR_WS_UPGRADE';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface WsPathOptions {
  readonly knownSymbols: ReadonlySet<string>;
  readonly isLiveListenKey: (key: string) => boolean;
}

/**
 * Returns what a socket opened on `url` starts with, or throws an UpgradeRejection (404 for an
 * unknown path, 400 for a stream on the wrong route, an unknown event or a dead listenKey). A
 * `/ws/` path segment without `@` or `!` is not a stream (ccxt puts a connection number there).
 */
export function parseWsPath(url: string, options: WsPathOptions): WsSetup {
  const parsed = new URL(url, 'http://sim');
  const [routeName, kind, ...rest] = parsed.pathname.split('/').filter((p) => p !== '');
  if (routeName !== 'public' && routeName !== 'market' && routeName !== 'private') throw new UpgradeRejection(404, 'unknown path');
  if (kind !== 'ws' && kind !== 'stream') throw new UpgradeRejection(404, 'unknown path');
  const combined = kind === 'stream';
  const names = combined ? (parsed.searchParams.get('streams') ?? '').split('/').filter((s) => s !== '') : rest;
  if (routeName === 'private') return privateSetup(combined, names, parsed.searchParams, options);
  const streams = names.filter((n) => combined || n.includes('@') || n.startsWith('!')).map((n) => validStream(n, routeName, options));
  return { route: routeName, combined, streams, userKeys: [], defaultEvents: null };
}

function validStream(name: string, route: StreamCategory, options: WsPathOptions): string {
  const stream = normalizeStream(name, options.knownSymbols);
  if (!stream || stream.category !== route) throw new UpgradeRejection(400, `invalid stream ${name} for /${route}`);
  return stream.name;
}

function privateSetup(combined: boolean, keysInPath: readonly string[], query: URLSearchParams, options: WsPathOptions): WsSetup {
  const keys: Array<{ key: string; events: ReadonlySet<string> | null }> = keysInPath.map((key) => ({ key, events: null }));
  let defaultEvents: ReadonlySet<string> | null = null;
  for (const [name, value] of query) {
    if (name === 'listenKey') keys.push({ key: value, events: null });
    if (name !== 'events') continue;
    const events = parseEvents(value);
    const last = keys.at(-1);
    if (last !== undefined && last.events === null) last.events = events;
    else defaultEvents = events;
  }
  for (const { key } of keys) {
    if (key === '' || !options.isLiveListenKey(key)) throw new UpgradeRejection(400, 'invalid listenKey');
  }
  const userKeys = keys.map(({ key, events }) => ({ key, events: events ?? defaultEvents }));
  return { route: 'private', combined, streams: [], userKeys, defaultEvents };
}

/** Returns the event names of an `events=A/B` filter; 400 for a name Binance does not document. */
function parseEvents(text: string): ReadonlySet<string> {
  const events = text.split('/').filter((e) => e !== '');
  const unknown = events.find((e) => !USER_EVENT_TYPES.has(e));
  if (unknown !== undefined) throw new UpgradeRejection(400, `invalid event ${unknown.slice(0, 40)}`);
  return new Set(events);
}
