/**
 * A loopback OTLP/HTTP JSON sink that counts what it receives (spans, log records, bytes)
 * without keeping it, so it can run for as long as a benchmark does. Modes, switched by the
 * parent: `ok` answers 200; `blackhole` accepts and never answers; `down` closes the listener
 * (connection refused) until switched back. `--store` keeps every span/log like
 * tests/support/otlp-receiver.ts (for the short scenarios that check signals arrived).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { arg, tell } from '../lib/proc.ts';

type Mode = 'ok' | 'blackhole' | 'down';
let mode: Mode = 'ok';
const counts = { spans: 0, logs: 0, requests: 0, bytes: 0, hanging: 0 };
const hanging = new Set<ServerResponse>();
let port = Number(arg('port', '0'));

function count(text: string, key: string): number {
  let n = 0;
  for (let i = text.indexOf(key); i >= 0; i = text.indexOf(key, i + key.length)) n++;
  return n;
}

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    counts.requests++;
    if (mode === 'blackhole') {
      hanging.add(res);
      counts.hanging = hanging.size;
      res.on('close', () => hanging.delete(res));
      return;
    }
    const text = Buffer.concat(chunks).toString('utf8');
    counts.bytes += text.length;
    if ((req.url ?? '').endsWith('/v1/traces')) counts.spans += count(text, '"spanId"');
    else if ((req.url ?? '').endsWith('/v1/logs')) counts.logs += count(text, '"timeUnixNano"');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
});
server.keepAliveTimeout = 120_000;

function listen(): Promise<void> {
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      resolve();
    }),
  );
}

process.on('message', (raw) => {
  const m = raw as { type: string; mode?: Mode };
  if (m.type === 'mode' && m.mode !== undefined) {
    const next = m.mode;
    const was = mode;
    mode = next;
    if (next === 'down' && was !== 'down') {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      server.close();
    } else if (was === 'down' && next !== 'down') {
      void listen();
    }
    if (was === 'blackhole' && next !== 'blackhole') for (const r of hanging) r.destroy();
    tell({ type: 'mode-set', mode });
  } else if (m.type === 'counts') {
    tell({ type: 'counts', ...counts });
  }
});
process.on('SIGTERM', () => process.exit(0));
void listen().then(() => tell({ type: 'ready', url: `http://127.0.0.1:${port}` }));
