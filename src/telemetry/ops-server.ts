/**
 * The ops HTTP server: GET /metrics (Prometheus text exposition 0.0.4, from `renderMetrics`),
 * GET /health (the process is alive), GET /ready (200 or 503 from the runner's checks, as
 * Kubernetes probes expect); anything else is a JSON 404. Binds 127.0.0.1 unless told otherwise.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReadinessChecks {
  readonly exchange: boolean;
  readonly risk: boolean;
  readonly state: boolean;
}

export interface OpsServerOptions {
  readonly host: string;
  readonly port: number;
  /** Returns the /metrics body; a rejection is answered 500 with its message as a comment. */
  readonly renderMetrics: () => Promise<string>;
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

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

function sendMetrics(res: ServerResponse, render: () => Promise<string>): void {
  render().then(
    (body) => {
      res.writeHead(200, { 'content-type': PROMETHEUS_TEXT, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      res.end(body);
    },
    (error: unknown) => {
      const body = `# failed to render metrics: ${error instanceof Error ? error.message : String(error)}\n`;
      res.writeHead(500, { 'content-type': PROMETHEUS_TEXT, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    },
  );
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
        sendMetrics(res, options.renderMetrics);
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
