/**
 * The simulator's WebSocket side, on Binance's routed paths (see ws-paths.ts): market streams
 * on `/public` and `/market`, user data on `/private`. Combined (`/stream`) sockets wrap events
 * as {"stream","data"} (a user event's stream is its listenKey). Every socket answers
 * SUBSCRIBE, UNSUBSCRIBE and LIST_SUBSCRIPTIONS: market streams on market routes, listenKeys on
 * `/private` (several per socket, each with its `events=` filter). The server pings on a timer
 * and answers pings itself so that a "silent" socket can stop doing both.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { SocketTarget } from './faults.ts';
import type { StreamSink } from './simulated-exchange.ts';
import { normalizeStream } from './streams.ts';
import type { Clock } from '../core/clock.ts';
import { startPinging } from './ws-liveness.ts';
import { parseWsPath, UpgradeRejection, type WsRoute, type WsSetup } from './ws-paths.ts';

/** A listenKey a socket follows: the events it wants (null: all), and whether its URL named it (then the socket closes when the key expires). */
interface UserSubscription {
  readonly events: ReadonlySet<string> | null;
  readonly boundByUrl: boolean;
}

interface Client {
  readonly ws: WebSocket;
  readonly route: WsRoute;
  readonly combined: boolean;
  readonly streams: Set<string>;
  readonly userKeys: Map<string, UserSubscription>;
  /** The filter of listenKeys subscribed after connecting. */
  readonly defaultEvents: ReadonlySet<string> | null;
  silent: boolean;
  awaitingPongSinceMs: number | null;
}

export interface WsHubOptions {
  readonly knownSymbols: ReadonlySet<string>;
  readonly isLiveListenKey: (key: string) => boolean;
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  /** The network edge's clock (pings). */
  readonly timers: Clock;
  /** A client buffering more than this is cut off, as Binance drops slow consumers. */
  readonly maxBufferedBytes?: number;
}

interface Request {
  readonly method: unknown;
  readonly params: unknown;
  readonly id: unknown;
}

/** True when a fault target covers stream sockets of `route` (the WebSocket API's are not the hub's). */
function targets(target: SocketTarget, route: WsRoute): boolean {
  switch (target) {
    case 'all':
      return true;
    case 'user':
      return route === 'private';
    case 'market':
      return route !== 'private';
    case 'api':
      return false;
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
  private readonly stopPinging: () => void;

  constructor(options: WsHubOptions) {
    this.options = options;
    this.stopPinging = startPinging(() => this.clients, options.timers, options.pingIntervalMs, options.pongTimeoutMs);
  }

  /** Handles an HTTP upgrade on one of the routed paths; refuses anything else with an HTTP error. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let setup: WsSetup;
    try {
      setup = parseWsPath(req.url ?? '/', this.options);
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

  listens(stream: string): boolean {
    const listeners = this.byStream.get(stream);
    return listeners !== undefined && listeners.size > 0;
  }

  publish(stream: string, build: () => object): void {
    const listeners = this.byStream.get(stream);
    if (!listeners || listeners.size === 0) return;
    let raw: string | null = null;
    let wrapped: string | null = null;
    for (const client of listeners) {
      if (client.silent) continue;
      raw ??= JSON.stringify(build());
      if (client.combined) {
        wrapped ??= `{"stream":${JSON.stringify(stream)},"data":${raw}}`;
        this.send(client, wrapped);
      } else {
        this.send(client, raw);
      }
    }
  }

  publishUser(listenKey: string, eventType: string, build: () => object): void {
    const listeners = this.byListenKey.get(listenKey);
    if (!listeners || listeners.size === 0) return;
    let raw: string | null = null;
    for (const client of listeners) {
      const events = client.userKeys.get(listenKey)?.events ?? null;
      if (client.silent || (events !== null && !events.has(eventType))) continue;
      raw ??= JSON.stringify(build());
      this.send(client, client.combined ? `{"stream":${JSON.stringify(listenKey)},"data":${raw}}` : raw);
    }
  }

  /** Sends listenKeyExpired (whatever the filter) to the key's sockets; closes those whose URL named the key, unsubscribes the others. */
  expireUser(listenKey: string, event: object): void {
    const raw = JSON.stringify(event);
    for (const client of [...(this.byListenKey.get(listenKey) ?? [])]) {
      if (!client.silent) this.send(client, client.combined ? `{"stream":${JSON.stringify(listenKey)},"data":${raw}}` : raw);
      if (client.userKeys.get(listenKey)?.boundByUrl) client.ws.close(1000, 'listenKeyExpired');
      else this.unfollow(client, listenKey);
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
  counts(): Record<WsRoute, number> {
    const counts: Record<WsRoute, number> = { public: 0, market: 0, private: 0 };
    for (const client of this.clients) counts[client.route] += 1;
    return counts;
  }

  /** Closes every socket and stops the ping timer. */
  async close(): Promise<void> {
    this.stopPinging();
    for (const client of this.clients) client.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private matching(target: SocketTarget): Client[] {
    return [...this.clients].filter((c) => targets(target, c.route));
  }

  private accept(ws: WebSocket, setup: WsSetup): void {
    const silent = [...this.silentForNew].some((target) => targets(target, setup.route));
    const client: Client = {
      ws,
      route: setup.route,
      combined: setup.combined,
      streams: new Set(),
      userKeys: new Map(),
      defaultEvents: setup.defaultEvents,
      silent,
      awaitingPongSinceMs: null,
    };
    this.clients.add(client);
    for (const stream of setup.streams) this.subscribe(client, stream);
    for (const { key, events } of setup.userKeys) this.follow(client, key, { events, boundByUrl: true });
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
    let request: Request;
    try {
      request = JSON.parse(data.toString()) as Request;
    } catch {
      this.reply(client, { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' });
      return;
    }
    const id = typeof request.id === 'number' || typeof request.id === 'string' ? request.id : null;
    const params = Array.isArray(request.params) ? request.params.filter((p): p is string => typeof p === 'string') : [];
    switch (request.method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        const subscribe = request.method === 'SUBSCRIBE';
        const error = client.route === 'private' ? this.changeUserKeys(client, params, subscribe) : this.changeStreams(client, params, subscribe);
        this.reply(client, error === null ? { result: null, id } : { code: 2, msg: `Invalid request: ${error}`, id });
        return;
      }
      case 'LIST_SUBSCRIPTIONS':
        this.reply(client, { result: client.route === 'private' ? [...client.userKeys.keys()] : [...client.streams], id });
        return;
      default:
        this.reply(client, { code: 2, msg: 'Invalid request: unknown method', id });
    }
  }

  /** Subscribes or unsubscribes market streams of the socket's route; returns the problem, or null when all were valid (then all apply). */
  private changeStreams(client: Client, params: readonly string[], subscribe: boolean): string | null {
    const names: string[] = [];
    for (const p of params) {
      const stream = normalizeStream(p, this.options.knownSymbols);
      if (!stream || stream.category !== client.route) return `invalid stream ${p.slice(0, 60)}`;
      names.push(stream.name);
    }
    for (const name of names) {
      if (subscribe) this.subscribe(client, name);
      else this.unsubscribe(client, name);
    }
    return null;
  }

  /** Follows or stops following listenKeys (each must be live to follow); returns the problem, or null when all applied. */
  private changeUserKeys(client: Client, keys: readonly string[], subscribe: boolean): string | null {
    if (subscribe && keys.some((key) => !this.options.isLiveListenKey(key))) return 'invalid listenKey';
    for (const key of keys) {
      if (subscribe) this.follow(client, key, { events: client.defaultEvents, boundByUrl: false });
      else this.unfollow(client, key);
    }
    return null;
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

  private follow(client: Client, key: string, subscription: UserSubscription): void {
    client.userKeys.set(key, subscription);
    index(this.byListenKey, key).add(client);
  }

  private unfollow(client: Client, key: string): void {
    client.userKeys.delete(key);
    this.byListenKey.get(key)?.delete(client);
  }

  private forget(client: Client): void {
    this.clients.delete(client);
    for (const stream of client.streams) this.byStream.get(stream)?.delete(client);
    for (const key of client.userKeys.keys()) this.byListenKey.get(key)?.delete(client);
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
