/**
 * A fake Binance USDⓈ-M server built from the documented sample payloads in
 * tests/fixtures/binance: REST (node:http), routed WebSocket streams (ws) and the WebSocket API
 * (/ws-fapi/v1, fake-ws-api.ts) on 127.0.0.1, port 0.
 * It verifies API keys and HMAC signatures, enforces the recvWindow timing rule, and lets a test
 * queue replies (errors, hangs, dropped connections) and push stream frames.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { FakeWsApi } from './fake-ws-api.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'binance');

/** Returns a documentation fixture parsed as JSON. */
export function loadFixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as unknown;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly rawQuery: string;
  readonly body: string;
  readonly apiKey: string | undefined;
  /** null for requests without a signature. */
  readonly signatureValid: boolean | null;
}

export type Reply =
  | { readonly kind: 'json'; readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> }
  | { readonly kind: 'hang' }
  | { readonly kind: 'destroy' };

export type Route = 'public' | 'market' | 'user' | 'api';

export interface SocketRecord {
  readonly route: Route;
  readonly url: string;
  readonly socket: WebSocket;
}

/** Returns a JSON reply. */
export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return headers === undefined ? { kind: 'json', status, body } : { kind: 'json', status, body, headers };
}

export interface FakeBinanceOptions {
  readonly apiKey?: string;
  readonly apiSecret?: string;
}

export class FakeBinance {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly requests: RecordedRequest[] = [];
  readonly sockets: SocketRecord[] = [];
  /** Server clock = local clock + this offset (ms). */
  timeOffsetMs = 0;
  /** Routes whose sockets ignore pings and send nothing (a silent connection). */
  readonly silent = new Set<Route>();
  /** The GET /fapi/v1/exchangeInfo body (the documented sample unless a test changes it). */
  exchangeInfo: unknown = loadFixture('exchange-info');
  /** Answers every POST /fapi/v1/order when set (after queued replies), e.g. a standing rejection. */
  orderReply: ((request: RecordedRequest) => Reply) | null = null;
  readonly listenKeys = new Set<string>();
  private keyCounter = 0;
  private readonly queues = new Map<string, Reply[]>();
  private readonly hanging: ServerResponse[] = [];
  private server!: Server;
  private wss!: WebSocketServer;
  restUrl = '';
  wsUrl = '';
  wsApiUrl = '';
  readonly wsApi: FakeWsApi;

  private constructor(options: FakeBinanceOptions) {
    this.apiKey = options.apiKey ?? 'test-api-key';
    this.apiSecret = options.apiSecret ?? 'test-api-secret';
    this.wsApi = new FakeWsApi(this.apiKey, this.apiSecret, () => this.serverTime());
  }

  /** Starts a fake on 127.0.0.1 with an OS-assigned port. */
  static async start(options: FakeBinanceOptions = {}): Promise<FakeBinance> {
    const fake = new FakeBinance(options);
    fake.server = createServer((req, res) => fake.handle(req, res));
    fake.wss = new WebSocketServer({ server: fake.server, autoPong: false });
    fake.wss.on('connection', (socket, req) => fake.onSocket(socket, req));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    const { port } = fake.server.address() as AddressInfo;
    fake.restUrl = `http://127.0.0.1:${port}`;
    fake.wsUrl = `ws://127.0.0.1:${port}`;
    fake.wsApiUrl = `ws://127.0.0.1:${port}/ws-fapi/v1`;
    return fake;
  }

  /** Queues replies for `METHOD path`, served before the default behaviour. */
  queue(method: string, path: string, ...replies: Reply[]): void {
    const key = `${method} ${path}`;
    this.queues.set(key, [...(this.queues.get(key) ?? []), ...replies]);
  }

  /** Returns the recorded requests for `METHOD path`. */
  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  /** Returns the open sockets of a route. */
  open(route: Route): SocketRecord[] {
    return this.sockets.filter((s) => s.route === route && s.socket.readyState === s.socket.OPEN);
  }

  /** Sends a raw text frame to every open socket of a route. */
  sendRaw(route: Route, text: string): void {
    for (const s of this.open(route)) s.socket.send(text);
  }

  /** Sends a combined-stream frame to every open socket of a route. */
  pushStream(route: 'public' | 'market', stream: string, data: unknown): void {
    this.sendRaw(route, JSON.stringify({ stream, data }));
  }

  /** Sends a user-data event to every open user socket. */
  pushUser(event: unknown): void {
    this.sendRaw('user', JSON.stringify(event));
  }

  /** Drops every socket of a route without a close handshake. */
  drop(route: Route): void {
    for (const s of this.open(route)) s.socket.terminate();
  }

  /** Returns the server's clock (ms). */
  serverTime(): number {
    return Date.now() + this.timeOffsetMs;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const s of this.sockets) s.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onSocket(socket: WebSocket, req: IncomingMessage): void {
    const url = req.url ?? '';
    const path = url.split('?')[0] ?? '';
    let route: Route;
    if (path === '/public/stream') route = 'public';
    else if (path === '/market/stream') route = 'market';
    else if (path.startsWith('/private/ws/') && this.listenKeys.has(path.slice('/private/ws/'.length))) route = 'user';
    else if (path === '/ws-fapi/v1') {
      this.sockets.push({ route: 'api', url, socket });
      this.wsApi.accept(socket, () => this.silent.has('api'));
      return;
    } else {
      socket.close(1008, 'unknown path or listenKey');
      return;
    }
    this.sockets.push({ route, url, socket });
    socket.on('ping', (data) => {
      if (!this.silent.has(route)) socket.pong(data);
    });
    socket.on('error', () => {});
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => this.route(req, res, body));
  }

  private route(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const rawQuery = url.search.startsWith('?') ? url.search.slice(1) : '';
    const apiKeyHeader = req.headers['x-mbx-apikey'];
    const apiKey = Array.isArray(apiKeyHeader) ? apiKeyHeader[0] : apiKeyHeader;
    const signatureValid = this.verifySignature(rawQuery, body);
    const method = req.method ?? 'GET';
    const request: RecordedRequest = { method, path: url.pathname, query: url.searchParams, rawQuery, body, apiKey, signatureValid };
    this.requests.push(request);

    const queued = this.queues.get(`${method} ${url.pathname}`);
    const reply = queued !== undefined && queued.length > 0 ? (queued.shift() as Reply) : this.defaultReply(request);
    switch (reply.kind) {
      case 'hang':
        this.hanging.push(res);
        return;
      case 'destroy':
        res.socket?.destroy();
        return;
      case 'json':
        res.writeHead(reply.status, { 'content-type': 'application/json', 'x-mbx-used-weight-1m': String(this.requests.length), ...reply.headers });
        res.end(JSON.stringify(reply.body));
    }
  }

  /** Returns whether `signature` is the HMAC of totalParams (query + body, signature removed); null when unsigned. */
  private verifySignature(rawQuery: string, body: string): boolean | null {
    const tail = /&?signature=([0-9a-f]+)$/;
    const inQuery = tail.exec(rawQuery);
    const inBody = inQuery === null ? tail.exec(body) : null;
    const found = inQuery ?? inBody;
    if (found === null) return null;
    const payload = inQuery !== null ? rawQuery.slice(0, inQuery.index) + body : rawQuery + body.slice(0, found.index);
    return createHmac('sha256', this.apiSecret).update(payload).digest('hex') === found[1];
  }

  private defaultReply(r: RecordedRequest): Reply {
    const needsKey = r.signatureValid !== null || r.path === '/fapi/v1/listenKey';
    if (needsKey && r.apiKey !== this.apiKey) return json(401, { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
    if (r.signatureValid === false) return json(400, { code: -1022, msg: 'Signature for this request is not valid.' });
    if (r.signatureValid === true) {
      const timestamp = Number(r.query.get('timestamp'));
      const recvWindow = Number(r.query.get('recvWindow') ?? '5000');
      const serverTime = this.serverTime();
      if (!(timestamp < serverTime + 1000 && serverTime - timestamp <= recvWindow)) {
        return json(400, { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' });
      }
    }
    const key = `${r.method} ${r.path}`;
    switch (key) {
      case 'GET /fapi/v1/ping':
        return json(200, {});
      case 'GET /fapi/v1/time':
        return json(200, { serverTime: this.serverTime() });
      case 'GET /fapi/v1/exchangeInfo':
        return json(200, this.exchangeInfo);
      case 'GET /fapi/v1/premiumIndex':
        return json(200, loadFixture('premium-index'));
      case 'GET /fapi/v3/positionRisk':
        return json(200, loadFixture('position-risk-v3'));
      case 'GET /fapi/v1/openOrders':
        return json(200, []);
      case 'GET /fapi/v1/userTrades':
        return json(200, this.userTrades(r));
      case 'POST /fapi/v1/order':
        if (this.orderReply !== null) return this.orderReply(r);
        return json(200, this.orderEcho(r), { 'x-mbx-order-count-10s': '1', 'x-mbx-order-count-1m': '1' });
      case 'GET /fapi/v1/order':
      case 'DELETE /fapi/v1/order':
        return json(400, { code: r.method === 'GET' ? -2013 : -2011, msg: 'Order does not exist.' });
      case 'DELETE /fapi/v1/allOpenOrders':
        return json(200, { code: 200, msg: 'The operation of cancel all open order is done.' });
      case 'POST /fapi/v1/marginType':
        return json(400, { code: -4046, msg: 'No need to change margin type.' });
      case 'POST /fapi/v1/leverage':
        return json(200, { leverage: Number(r.query.get('leverage')), maxNotionalValue: '1000000', symbol: r.query.get('symbol') });
      case 'POST /fapi/v1/countdownCancelAll':
        return json(200, { symbol: r.query.get('symbol'), countdownTime: r.query.get('countdownTime') });
      case 'POST /fapi/v1/listenKey': {
        const listenKey = `fakeListenKey${++this.keyCounter}`;
        this.listenKeys.add(listenKey);
        return json(200, { listenKey });
      }
      case 'PUT /fapi/v1/listenKey': {
        const current = [...this.listenKeys].at(-1);
        return current === undefined ? json(400, { code: -1125, msg: 'This listenKey does not exist.' }) : json(200, { listenKey: current });
      }
      case 'DELETE /fapi/v1/listenKey':
        this.listenKeys.clear();
        return json(200, {});
      default:
        return json(404, { code: -1000, msg: `fake has no route ${key}` });
    }
  }

  /**
   * Returns the documented trade (on BTCUSDT's grid, dated a minute before the server time) for
   * a start time before it or a fromId at or below its id; nothing otherwise.
   */
  private userTrades(r: RecordedRequest): unknown {
    const trades = (loadFixture('user-trades-one-way') as Array<{ id: number; time: number }>).map((t) => ({ ...t, time: this.serverTime() - 60_000 }));
    const fromId = r.query.get('fromId');
    const startTime = r.query.get('startTime');
    return trades.filter((t) => (fromId !== null ? t.id >= Number(fromId) : startTime === null || t.time >= Number(startTime)));
  }

  private orderEcho(r: RecordedRequest): unknown {
    const base = loadFixture('new-order-response-limit') as Record<string, unknown>;
    return {
      ...base,
      symbol: r.query.get('symbol'),
      side: r.query.get('side'),
      type: r.query.get('type'),
      timeInForce: r.query.get('timeInForce') ?? 'GTC',
      price: r.query.get('price') ?? '0',
      origQty: r.query.get('quantity'),
      reduceOnly: r.query.get('reduceOnly') === 'true',
      clientOrderId: r.query.get('newClientOrderId'),
      updateTime: this.serverTime(),
    };
  }
}
