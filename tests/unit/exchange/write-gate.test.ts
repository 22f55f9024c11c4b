import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Pool } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestsAwaitingWrite, WriteGate } from '../../../src/exchange/write-gate.ts';

describe('WriteGate (hold only while requests await their write)', () => {
  let server: Server;
  let pool: Pool;
  let release: (() => void) | null = null;
  const seen: string[] = [];
  const onSent = (message: unknown) => seen.push(`sent ${(message as { request: { path: string } }).request.path}`);

  beforeEach(async () => {
    server = createServer((req, res) => {
      if (req.url === '/slow') release = () => res.end('ok');
      else res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 1 });
    await get('/warm'); // one keep-alive socket, reused from now on (undici then writes from a setImmediate)
    await new Promise((resolve) => setTimeout(resolve, 10)); // the connection is idle again
    seen.length = 0;
    subscribe('undici:request:bodySent', onSent);
  });
  afterEach(async () => {
    unsubscribe('undici:request:bodySent', onSent);
    release?.();
    release = null;
    await pool.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const get = (path: string) => pool.request({ method: 'GET', path }).then((r) => r.body.text());

  it('runs work at once when no request awaits its write', () => {
    const gate = new WriteGate({ maxHoldMs: 50, holdAlways: false });
    gate.run(() => seen.push('work'));
    expect(seen).toEqual(['work']);
    expect(gate.size()).toBe(0);
  });

  it('holds work behind a request dispatched now, then runs it in order, including work queued once the request is written', async () => {
    const gate = new WriteGate({ maxHoldMs: 50, holdAlways: false });
    const answered = get('/order');
    expect(requestsAwaitingWrite()).toBe(1);
    gate.run(() => seen.push('work 1'));
    gate.run(() => seen.push('work 2'));
    expect(seen).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve)); // the request is written in this check phase
    expect(seen).toEqual(['sent /order']);
    gate.run(() => seen.push('work 3')); // behind held work, even with nothing awaiting its write
    await answered;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(seen).toEqual(['sent /order', 'work 1', 'work 2', 'work 3']);
  });

  it('holds work at most maxHoldMs behind a request that waits for its connection', async () => {
    const gate = new WriteGate({ maxHoldMs: 5, holdAlways: false });
    const client = new Client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const send = (path: string) => client.request({ method: 'GET', path }).then((r) => r.body.text());
    const slow = send('/slow');
    await new Promise((resolve) => setTimeout(resolve, 20)); // /slow occupies the connection
    const queued = send('/queued'); // created, queued behind /slow until its answer
    expect(requestsAwaitingWrite()).toBe(1);
    const heldAt = performance.now();
    let heldMs = -1;
    gate.run(() => {
      heldMs = performance.now() - heldAt;
      seen.push('work');
    });
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(seen).toEqual(['sent /slow', 'work']);
    expect(heldMs).toBeGreaterThanOrEqual(4.5);
    release?.();
    await Promise.all([slow, queued]);
    await client.close();
    expect(seen).toEqual(['sent /slow', 'work', 'sent /queued']);
  });

  it('holdAlways queues even with nothing to wait for, and drain() runs everything now', () => {
    const gate = new WriteGate({ maxHoldMs: 50, holdAlways: true });
    gate.run(() => seen.push('work 1'));
    gate.run(() => {
      throw new Error('one failing piece');
    });
    gate.run(() => seen.push('work 2'));
    expect(seen).toEqual([]);
    gate.drain();
    expect(seen).toEqual(['work 1', 'work 2']);
    expect(gate.size()).toBe(0);
  });
});
