/**
 * A loopback HTTP proxy in front of a REST server (the simulator) that records every request as
 * it arrives, before forwarding it: what a test reads here is a superset of what the server
 * received, observed from the test's side without touching the server.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly params: URLSearchParams;
}

export class RecordingProxy {
  /** Every request, in order of arrival. */
  readonly requests: readonly ProxiedRequest[];
  readonly url: string;
  private readonly server: Server;
  private readonly agent: Agent;

  private constructor(server: Server, agent: Agent, url: string, requests: readonly ProxiedRequest[]) {
    this.server = server;
    this.agent = agent;
    this.url = url;
    this.requests = requests;
  }

  /** Starts a proxy to `target` (http://host:port) on 127.0.0.1, port 0; `onRequest` sees each request before it is forwarded. */
  static start(target: string, onRequest: (request: ProxiedRequest) => void = () => {}): Promise<RecordingProxy> {
    const upstream = new URL(target);
    const agent = new Agent({ keepAlive: true });
    const requests: ProxiedRequest[] = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      const seen: ProxiedRequest = { method: req.method ?? 'GET', path: url.pathname, params: url.searchParams };
      requests.push(seen);
      onRequest(seen);
      const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(new RecordingProxy(server, agent, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests)));
    });
  }

  /** Closes every connection and stops listening. */
  close(): Promise<void> {
    this.server.closeAllConnections();
    this.agent.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
