/**
 * The simulator's WebSocket side, on Binance's routed paths: `/public/ws/<stream>` and
 * `/public/stream?streams=a/b` (bookTicker, depth), `/market/...` (markPrice), and
 * `/private/ws/<listenKey>` (user data). Combined streams wrap events as {"stream","data"}.
 * Clients may SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS; the server pings on a timer and
 * answers pings itself so that a "silent" socket can stop doing both.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { SocketTarget } from './faults.ts';
import type { StreamSink } from './simulated-exchange.ts';
import { normalizeStream, type StreamCategory } from './streams.ts';

type Route = 'public' | 'market' | 'private';

interface Client {
  readonly ws: WebSocket;
  readonly route: Route;
  readonly combined: boolean;
  readonly streams: Set<string>;
  readonly listenKey: string | null;
  silent: boolean;
  awaitingPongSinceMs: number | null;
}

export interface WsHubOptions {
  readonly knownSymbols: ReadonlySet<string>;
  readonly isLiveListenKey: (key: string) => boolean;
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  /** A client buffering more than this is cut off, as Binance drops slow consumers. */
  readonly maxBufferedBytes?: number;
}

/** True when a fault target covers sockets of `route`. */
function targets(target: SocketTarget, route: Route): boolean {
  return target === 'all' || (target === 'user' ? route === 'private' : route !== 'private');
}

class UpgradeRejection extends Error {
  readonly code = 'SIM_ERR_WS_UPGRADE';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export class WsHub implements StreamSink {
  private readonly wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false });
  private readonly clients = new Set<Client>();
  /** Targets whose sockets are silent from their first moment (see silence()). */
  private readonly silentForNew = new Set<SocketTarget>();
  private readonly byStream = new Map<string, Set<Client>>();
  private readonly byListenKey = new Map<string, Set<Client>>();
  private readonly options: WsHubOptions;
  private readonly pingTimer: NodeJS.Timeout;

  constructor(options: WsHubOptions) {
    this.options = options;
    this.pingTimer = setInterval(() => this.pingAll(), options.pingIntervalMs);
    this.pingTimer.unref();
  }

  /** Handles an HTTP upgrade on one of the routed paths; refuses anything else with an HTTP error. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let setup: { route: Route; combined: boolean; streams: string[]; listenKey: string | null };
    try {
      setup = this.parsePath(req.url ?? '/');
    } catch (error) {
      const status = error instanceof UpgradeRejection ? error.status : 400;
      const message = error instanceof Error ? error.message : 'bad request';
      socket.end(
        `HTTP/1.1 ${status} Bad Request\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\nConnection: close\r\n\r\n${message}`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, setup));
  }

  publish(stream: string, build: () => object): void {
    const listeners = this.byStream.get(stream);
    if (!listeners || listeners.size === 0) return;
    let raw: string | null = null;
    let wrapped: string | null = null;
    for (const client of listeners) {
      if (client.silent) continue;
      if (client.combined) {
        raw ??= JSON.stringify(build());
        wrapped ??= `{"stream":${JSON.stringify(stream)},"data":${raw}}`;
        this.send(client, wrapped);
      } else {
        raw ??= JSON.stringify(build());
        this.send(client, raw);
      }
    }
  }

  publishUser(listenKey: string, build: () => object): void {
    const listeners = this.byListenKey.get(listenKey);
    if (!listeners || listeners.size === 0) return;
    const raw = JSON.stringify(build());
    for (const client of listeners) {
      if (client.silent) continue;
      this.send(client, client.combined ? `{"stream":${JSON.stringify(listenKey)},"data":${raw}}` : raw);
    }
  }

  expireUser(listenKey: string, event: object): void {
    const raw = JSON.stringify(event);
    for (const client of this.byListenKey.get(listenKey) ?? []) {
      if (!client.silent) this.send(client, client.combined ? `{"stream":${JSON.stringify(listenKey)},"data":${raw}}` : raw);
      client.ws.close(1000, 'listenKeyExpired');
    }
  }

  /** Closes sockets of a target: with a code as a close frame, without one abruptly. Returns how many. */
  drop(target: SocketTarget, code: number | null): number {
    let count = 0;
    for (const client of this.matching(target)) {
      if (code === null) client.ws.terminate();
      else client.ws.close(code, 'closed by simulator');
      count += 1;
    }
    return count;
  }

  /** Sends a raw text frame to every non-silent socket of a target. Returns how many. */
  inject(target: SocketTarget, text: string): number {
    let count = 0;
    for (const client of this.matching(target)) {
      if (client.silent || client.ws.readyState !== WebSocket.OPEN) continue;
      this.send(client, text);
      count += 1;
    }
    return count;
  }

  /**
   * Silences (or un-silences) sockets of a target, and with `includingNew` those it opens later.
   * Un-silencing a target ends its standing silence ('all' ends every one). Returns how many open ones.
   */
  silence(target: SocketTarget, silent: boolean, includingNew = false): number {
    if (silent && includingNew) this.silentForNew.add(target);
    else if (!silent && target === 'all') this.silentForNew.clear();
    else if (!silent) this.silentForNew.delete(target);
    let count = 0;
    for (const client of this.matching(target)) {
      client.silent = silent;
      count += 1;
    }
    return count;
  }

  /** Returns how many sockets are open per route. */
  counts(): Record<Route, number> {
    const counts: Record<Route, number> = { public: 0, market: 0, private: 0 };
    for (const client of this.clients) counts[client.route] += 1;
    return counts;
  }

  /** Closes every socket and stops the ping timer. */
  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    for (const client of this.clients) client.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private matching(target: SocketTarget): Client[] {
    return [...this.clients].filter((c) => targets(target, c.route));
  }

  private parsePath(url: string): { route: Route; combined: boolean; streams: string[]; listenKey: string | null } {
    const parsed = new URL(url, 'http://sim');
    const parts = parsed.pathname.split('/').filter((p) => p !== '');
    const [routeName, kind, ...rest] = parts;
    if (routeName !== 'public' && routeName !== 'market' && routeName !== 'private') throw new UpgradeRejection(404, 'unknown path');
    if (kind !== 'ws' && kind !== 'stream') throw new UpgradeRejection(404, 'unknown path');
    const combined = kind === 'stream';
    const names = combined ? (parsed.searchParams.get('streams') ?? '').split('/').filter((s) => s !== '') : rest;
    if (routeName === 'private') {
      const key = names[0] ?? parsed.searchParams.get('listenKey');
      if (!key || !this.options.isLiveListenKey(key)) throw new UpgradeRejection(400, 'invalid listenKey');
      return { route: 'private', combined, streams: [], listenKey: key };
    }
    return { route: routeName, combined, streams: names.map((n) => this.validStream(n, routeName)), listenKey: null };
  }

  private validStream(name: string, route: StreamCategory): string {
    const stream = normalizeStream(name, this.options.knownSymbols);
    if (!stream || stream.category !== route) throw new UpgradeRejection(400, `invalid stream ${name} for /${route}`);
    return stream.name;
  }

  private accept(ws: WebSocket, setup: { route: Route; combined: boolean; streams: string[]; listenKey: string | null }): void {
    const silent = [...this.silentForNew].some((target) => targets(target, setup.route));
    const client: Client = {
      ws,
      route: setup.route,
      combined: setup.combined,
      streams: new Set(),
      listenKey: setup.listenKey,
      silent,
      awaitingPongSinceMs: null,
    };
    this.clients.add(client);
    for (const stream of setup.streams) this.subscribe(client, stream);
    if (client.listenKey) index(this.byListenKey, client.listenKey).add(client);
    ws.on('ping', (data) => {
      if (!client.silent) ws.pong(data);
    });
    ws.on('pong', () => {
      client.awaitingPongSinceMs = null;
    });
    ws.on('message', (data) => this.onMessage(client, data));
    ws.on('close', () => this.forget(client));
    ws.on('error', () => ws.terminate());
  }

  private onMessage(client: Client, data: RawData): void {
    if (client.route === 'private') return;
    let request: { method?: unknown; params?: unknown; id?: unknown };
    try {
      request = JSON.parse(data.toString()) as typeof request;
    } catch {
      this.reply(client, { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' });
      return;
    }
    const id = typeof request.id === 'number' || typeof request.id === 'string' ? request.id : null;
    const params = Array.isArray(request.params) ? request.params.filter((p): p is string => typeof p === 'string') : [];
    const route = client.route === 'public' ? 'public' : 'market';
    switch (request.method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        const names: string[] = [];
        for (const p of params) {
          const stream = normalizeStream(p, this.options.knownSymbols);
          if (!stream || stream.category !== route) {
            this.reply(client, { code: 2, msg: `Invalid request: invalid stream ${p}`, id });
            return;
          }
          names.push(stream.name);
        }
        for (const name of names) {
          if (request.method === 'SUBSCRIBE') this.subscribe(client, name);
          else this.unsubscribe(client, name);
        }
        this.reply(client, { result: null, id });
        return;
      }
      case 'LIST_SUBSCRIPTIONS':
        this.reply(client, { result: [...client.streams], id });
        return;
      default:
        this.reply(client, { code: 2, msg: 'Invalid request: unknown method', id });
    }
  }

  private reply(client: Client, body: object): void {
    if (!client.silent) this.send(client, JSON.stringify(body));
  }

  private send(client: Client, text: string): void {
    if (client.ws.readyState !== WebSocket.OPEN) return;
    if (client.ws.bufferedAmount > (this.options.maxBufferedBytes ?? 16 * 1024 * 1024)) {
      client.ws.terminate();
      return;
    }
    client.ws.send(text);
  }

  private subscribe(client: Client, stream: string): void {
    client.streams.add(stream);
    index(this.byStream, stream).add(client);
  }

  private unsubscribe(client: Client, stream: string): void {
    client.streams.delete(stream);
    this.byStream.get(stream)?.delete(client);
  }

  private forget(client: Client): void {
    this.clients.delete(client);
    for (const stream of client.streams) this.byStream.get(stream)?.delete(client);
    if (client.listenKey) this.byListenKey.get(client.listenKey)?.delete(client);
  }

  private pingAll(): void {
    const now = performance.now();
    for (const client of this.clients) {
      if (client.silent) continue;
      if (client.awaitingPongSinceMs !== null && now - client.awaitingPongSinceMs > this.options.pongTimeoutMs) {
        client.ws.terminate();
        continue;
      }
      client.awaitingPongSinceMs ??= now;
      if (client.ws.readyState === WebSocket.OPEN) client.ws.ping();
    }
  }
}

function index<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}
