/**
 * The fake Binance's WebSocket API (/ws-fapi/v1), built from the documented samples in
 * tests/fixtures/binance (ws-api-*.json): it checks the API key, the HMAC signature over the
 * sorted params and the recvWindow timing, answers order.place and order.modify with the
 * documented answer echoing the request, order.cancel with -2011 and order.status with -2013
 * (Binance's "unknown order"), v2/account.position with the documented v3 position, and lets a
 * test queue replies per method (any answer, no answer, a dropped connection, a raw frame).
 */
import { createHmac } from 'node:crypto';
import type { WebSocket } from 'ws';
import { loadFixture } from './fake-binance.ts';

export type WsApiReply =
  | { readonly kind: 'answer'; readonly status: number; readonly result?: unknown; readonly error?: unknown; readonly rateLimits?: unknown }
  /** The documented sample `fixture` (a whole answer frame), under the request's id. */
  | { readonly kind: 'fixture'; readonly fixture: string }
  | { readonly kind: 'silent' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'raw'; readonly text: string };

export interface WsApiRecordedRequest {
  readonly id: unknown;
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** null when the request carried no signature. */
  readonly signatureValid: boolean | null;
}

type Frame = { id: unknown; status: number; result?: unknown; error?: unknown; rateLimits?: unknown };

export class FakeWsApi {
  readonly requests: WsApiRecordedRequest[] = [];
  readonly sockets: WebSocket[] = [];
  private readonly queues = new Map<string, WsApiReply[]>();
  private readonly apiKey: string;
  private readonly apiSecret: string;
  private readonly serverTime: () => number;

  constructor(apiKey: string, apiSecret: string, serverTime: () => number) {
    this.apiKey = apiKey;
    this.apiSecret = apiSecret;
    this.serverTime = serverTime;
  }

  /** Queues replies for `method`, served before the default behaviour. */
  queue(method: string, ...replies: WsApiReply[]): void {
    this.queues.set(method, [...(this.queues.get(method) ?? []), ...replies]);
  }

  /** Returns the recorded requests of `method`. */
  requestsTo(method: string): WsApiRecordedRequest[] {
    return this.requests.filter((r) => r.method === method);
  }

  /** Returns the open connections. */
  open(): WebSocket[] {
    return this.sockets.filter((s) => s.readyState === s.OPEN);
  }

  /** Takes one connection. */
  accept(socket: WebSocket, silent: () => boolean): void {
    this.sockets.push(socket);
    socket.on('ping', (data) => {
      if (!silent()) socket.pong(data);
    });
    socket.on('message', (data) => this.onMessage(socket, data.toString()));
    socket.on('error', () => {});
  }

  private onMessage(socket: WebSocket, text: string): void {
    const request = JSON.parse(text) as { id: unknown; method: string; params?: Record<string, unknown> };
    const params = request.params ?? {};
    const signatureValid = this.verify(params);
    this.requests.push({ id: request.id, method: request.method, params, signatureValid });
    const queued = this.queues.get(request.method);
    const reply = queued !== undefined && queued.length > 0 ? (queued.shift() as WsApiReply) : this.defaultReply(request.method, params, signatureValid);
    switch (reply.kind) {
      case 'silent':
        return;
      case 'drop':
        socket.terminate();
        return;
      case 'raw':
        socket.send(reply.text);
        return;
      case 'fixture':
        socket.send(JSON.stringify({ ...(loadFixture(reply.fixture) as Frame), id: request.id }));
        return;
      case 'answer': {
        const { kind: _kind, ...answer } = reply;
        socket.send(JSON.stringify({ id: request.id, ...answer }));
      }
    }
  }

  /** Returns whether `signature` is the HMAC of the other params sorted by name; null when unsigned. */
  private verify(params: Readonly<Record<string, unknown>>): boolean | null {
    const signature = params['signature'];
    if (typeof signature !== 'string') return null;
    const payload = Object.keys(params)
      .filter((k) => k !== 'signature')
      .sort()
      .map((k) => `${k}=${String(params[k])}`)
      .join('&');
    return createHmac('sha256', this.apiSecret).update(payload).digest('hex') === signature;
  }

  private defaultReply(method: string, params: Readonly<Record<string, unknown>>, signatureValid: boolean | null): WsApiReply {
    const error = (status: number, code: number, msg: string): WsApiReply => ({ kind: 'answer', status, error: { code, msg } });
    if (params['apiKey'] !== this.apiKey) return error(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    if (signatureValid !== true) return error(400, -1022, 'Signature for this request is not valid.');
    const timestamp = Number(params['timestamp']);
    const recvWindow = Number(params['recvWindow'] ?? 5000);
    const now = this.serverTime();
    if (!(timestamp < now + 1000 && now - timestamp <= recvWindow)) return error(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
    switch (method) {
      case 'order.place':
      case 'order.modify':
        return this.orderEcho(method, params);
      case 'order.cancel':
        return error(400, -2011, 'Unknown order sent.');
      case 'order.status':
        return error(400, -2013, 'Order does not exist.');
      case 'v2/account.position':
        return {
          kind: 'answer',
          status: 200,
          result: loadFixture('position-risk-v3'),
          rateLimits: (loadFixture('ws-api-account-position-v2') as Frame).rateLimits,
        };
      default:
        return error(400, -1020, 'This operation is not supported.');
    }
  }

  /** The documented order.place / order.modify answer, echoing the request. */
  private orderEcho(method: string, params: Readonly<Record<string, unknown>>): WsApiReply {
    const documented = loadFixture(method === 'order.place' ? 'ws-api-order-place' : 'ws-api-order-modify') as Frame & { result: Record<string, unknown> };
    const result = {
      ...documented.result,
      symbol: params['symbol'],
      side: params['side'],
      type: params['type'] ?? 'LIMIT',
      timeInForce: params['timeInForce'] ?? 'GTC',
      price: params['price'] ?? '0',
      origQty: params['quantity'],
      reduceOnly: params['reduceOnly'] === 'true',
      clientOrderId: params['newClientOrderId'] ?? params['origClientOrderId'],
      positionSide: 'BOTH',
      updateTime: this.serverTime(),
    };
    return { kind: 'answer', status: 200, result, rateLimits: documented.rateLimits };
  }
}
