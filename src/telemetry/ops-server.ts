/**
 * The ops HTTP server: GET /metrics (Prometheus text exposition 0.0.4, from `renderMetrics`),
 * GET /health (the process is alive), GET /ready (200 or 503 from the runner's checks, as
 * Kubernetes probes expect); anything else is a JSON 404. Binds 127.0.0.1 unless told otherwise.
 *
 * It is built to survive its clients: it holds at most `maxConnections` sockets (a new one makes
 * the oldest idle one go, so a half-open crowd cannot lock out a probe, nor take the file
 * descriptors the exchange connections need), closes idle and slow ones, renders /metrics once
 * for every scrape waiting on it, and cuts off a client that pipelines requests it never reads.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReadinessChecks {
  readonly exchange: boolean;
  readonly risk: boolean;
  readonly state: boolean;
  /** The transport orders take now (shown, never a reason to fail: REST is the designed fallback). */
  readonly orderTransport?: 'ws' | 'rest' | null;
}

/** The body of /ready. */
export interface ReadinessBody {
  readonly checks: { readonly exchange: boolean; readonly risk: boolean; readonly state: boolean };
  readonly status: 'ok' | 'fail';
  /** The transport orders take now (ws: the WebSocket API; rest: REST, configured or taking over), when the runner knows it. */
  readonly order_transport?: 'ws' | 'rest';
}

/** What one client can make the server hold. */
export interface OpsServerLimits {
  /** Most sockets held at once; beyond it the oldest socket with no request in progress is closed. */
  readonly maxConnections: number;
  /** A socket with no traffic either way for this long is closed, ms (also a client that stops reading). */
  readonly idleTimeoutMs: number;
  /** Longest time a client may take to send a request's headers, ms (slowloris). */
  readonly headersTimeoutMs: number;
  /** Most requests one socket may have awaiting their answer (pipelined); one more closes it. */
  readonly maxPipelined: number;
  /** Output a socket may have waiting unread before it is closed rather than given more, bytes. */
  readonly maxBufferedBytes: number;
}

export const DEFAULT_OPS_LIMITS: OpsServerLimits = {
  maxConnections: 32,
  idleTimeoutMs: 15_000,
  headersTimeoutMs: 5_000,
  maxPipelined: 4,
  maxBufferedBytes: 1024 * 1024,
};

/** Idle time allowed between two requests of a keep-alive connection (longer than any scrape interval), ms. */
const KEEP_ALIVE_MS = 65_000;

export interface OpsServerOptions {
  readonly host: string;
  readonly port: number;
  /** Returns the /metrics body; a rejection is answered 500 with its message as a comment. */
  readonly renderMetrics: () => Promise<string>;
  readonly readiness: () => ReadinessChecks;
  /** Overrides of DEFAULT_OPS_LIMITS. */
  readonly limits?: Partial<OpsServerLimits>;
}

/** Counters of the ops server (tests, diagnostics). */
export interface OpsServerStats {
  /** Sockets open now. */
  readonly connections: number;
  readonly requests: number;
  /** /metrics renders started (concurrent scrapes share one). */
  readonly renders: number;
  /** Sockets closed because of a limit (connection cap, pipelining, unread output). */
  readonly shed: number;
}

export interface OpsServer {
  readonly url: string;
  readonly port: number;
  stats(): OpsServerStats;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/** Returns the body of /ready: checks in a fixed key order, status "ok" or "fail". */
export function readinessBody(checks: ReadinessChecks): ReadinessBody {
  const ok = checks.exchange && checks.risk && checks.state;
  const body = { checks: { exchange: checks.exchange, risk: checks.risk, state: checks.state }, status: ok ? ('ok' as const) : ('fail' as const) };
  return checks.orderTransport === undefined || checks.orderTransport === null ? body : { ...body, order_transport: checks.orderTransport };
}

/** The sockets of one server, oldest first, with the requests each has awaiting an answer. */
class Connections {
  private readonly inProgress = new Map<Socket, number>();
  shed = 0;

  add(socket: Socket, max: number): void {
    this.inProgress.set(socket, 0);
    socket.once('close', () => this.inProgress.delete(socket));
    if (this.inProgress.size <= max) return;
    let victim: Socket = socket;
    for (const [candidate, requests] of this.inProgress) {
      if (requests === 0 && candidate !== socket) {
        victim = candidate;
        break;
      }
    }
    this.cut(victim);
  }

  /** Counts a request in; returns false (and closes the socket) when it has too many awaiting an answer. */
  begin(socket: Socket, maxPipelined: number): boolean {
    const requests = (this.inProgress.get(socket) ?? 0) + 1;
    this.inProgress.set(socket, requests);
    if (requests <= maxPipelined) return true;
    this.cut(socket);
    return false;
  }

  end(socket: Socket): void {
    const requests = this.inProgress.get(socket);
    if (requests !== undefined && requests > 0) this.inProgress.set(socket, requests - 1);
  }

  cut(socket: Socket): void {
    this.shed += 1;
    socket.destroy();
  }

  size(): number {
    return this.inProgress.size;
  }
}

/** Starts the server; resolves once it listens. */
export function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const limits: OpsServerLimits = { ...DEFAULT_OPS_LIMITS, ...options.limits };
  const connections = new Connections();
  let requests = 0;
  let renders = 0;
  let rendering: Promise<string> | null = null;
  const renderOnce = (): Promise<string> => {
    if (rendering === null) {
      renders += 1;
      rendering = options.renderMetrics().finally(() => (rendering = null));
    }
    return rendering;
  };

  const sendMetrics = (req: IncomingMessage, res: ServerResponse): void => {
    const socket = req.socket;
    const answer = (status: number, body: string): void => {
      if (res.destroyed || socket.destroyed) return;
      // A client that does not read its answers gets no more of them.
      if (socket.writableLength > limits.maxBufferedBytes) {
        connections.cut(socket);
        return;
      }
      res.writeHead(status, { 'content-type': PROMETHEUS_TEXT, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      res.end(body);
    };
    renderOnce().then(
      (body) => answer(200, body),
      (error: unknown) => answer(500, `# failed to render metrics: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  };

  const server: Server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: 2 * limits.headersTimeoutMs,
      keepAliveTimeout: KEEP_ALIVE_MS,
      // How often Node checks the two timeouts above (default 30 s).
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (req, res) => {
      requests += 1;
      const socket = req.socket;
      if (!connections.begin(socket, limits.maxPipelined)) return;
      res.once('close', () => connections.end(socket));
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendJson(res, 405, { error: 'method not allowed', path });
        return;
      }
      switch (path) {
        case '/metrics':
          sendMetrics(req, res);
          return;
        case '/health':
          sendJson(res, 200, { status: 'ok' });
          return;
        case '/ready': {
          const body = readinessBody(options.readiness());
          sendJson(res, body.status === 'ok' ? 200 : 503, body);
          return;
        }
        default:
          sendJson(res, 404, { error: 'not found', path });
      }
    },
  );
  // No traffic either way for this long closes the socket (Node destroys it when no 'timeout' listener exists).
  server.timeout = limits.idleTimeoutMs;
  server.on('connection', (socket: Socket) => connections.add(socket, limits.maxConnections));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${host}:${port}`,
        port,
        stats: () => ({ connections: connections.size(), requests, renders, shed: connections.shed }),
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
