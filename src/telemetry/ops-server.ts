/**
 * The ops HTTP server: GET /metrics (Prometheus text, rendered by the OTel Prometheus reader),
 * GET /health (the process is alive), GET /ready (200 or 503 from the runner's checks, as
 * Kubernetes probes expect); anything else is a JSON 404. Binds 127.0.0.1 unless told otherwise.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReadinessChecks {
  readonly exchange: boolean;
  readonly risk: boolean;
  readonly state: boolean;
}

export interface OpsServerOptions {
  readonly host: string;
  readonly port: number;
  readonly metrics: (req: IncomingMessage, res: ServerResponse) => void;
  readonly readiness: () => ReadinessChecks;
}

export interface OpsServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** Returns the body of /ready: checks in a fixed key order, status "ok" or "fail". */
export function readinessBody(checks: ReadinessChecks): { checks: ReadinessChecks; status: 'ok' | 'fail' } {
  const ok = checks.exchange && checks.risk && checks.state;
  return { checks: { exchange: checks.exchange, risk: checks.risk, state: checks.state }, status: ok ? 'ok' : 'fail' };
}

/** Starts the server; resolves once it listens. */
export function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: 'method not allowed', path });
      return;
    }
    switch (path) {
      case '/metrics':
        options.metrics(req, res);
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
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
