/**
 * A loopback HTTP proxy put between the runner and a REST venue (the simulator): it records
 * every request (method, path, query parameters, API key header, arrival time) and forwards it,
 * or, for the requests a test picks, answers in its place the way a web application firewall
 * or a misbehaving gateway does: an error page that echoes the request line (query string,
 * signature and all) and the API key header.
 */
import { Agent, createServer, request as forward, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly params: URLSearchParams;
  readonly apiKey: string | undefined;
  /** Date.now() when the request arrived. */
  readonly atMs: number;
}

/** Picks the requests answered with an echoing error page instead of being forwarded. */
export type EchoRule = (request: ProxiedRequest) => boolean;

export class RestProxy {
  readonly requests: ProxiedRequest[] = [];
  /** Requests answered with the echoing error page so far. */
  readonly echoed: ProxiedRequest[] = [];
  echoWhen: EchoRule = () => false;
  private server: Server | null = null;
  private readonly agent = new Agent({ keepAlive: true });
  private target: URL | null = null;

  /** Starts on 127.0.0.1 (port 0) in front of `targetUrl`; returns the proxy's base URL. */
  async start(targetUrl: string): Promise<string> {
    this.target = new URL(targetUrl);
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.agent.destroy();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const apiKey = req.headers['x-mbx-apikey'];
    const request: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      params: url.searchParams,
      apiKey: Array.isArray(apiKey) ? apiKey[0] : apiKey,
      atMs: Date.now(),
    };
    this.requests.push(request);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (this.echoWhen(request)) {
        this.echoed.push(request);
        res.writeHead(403, { 'content-type': 'text/html' });
        res.end(`<html><body>Request blocked by policy: ${request.method} ${req.url ?? ''} (X-MBX-APIKEY: ${request.apiKey ?? 'none'})</body></html>`);
        return;
      }
      const target = this.target;
      if (target === null) throw new Error('proxy not started');
      const upstream = forward(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent: this.agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  }
}
