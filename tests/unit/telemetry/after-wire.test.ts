import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { afterWire, deferredCount } from '../../../src/telemetry/after-wire.ts';

describe('afterWire', () => {
  let server: Server;
  let pool: Pool;
  const seen: string[] = [];
  const onSent = (message: unknown) => seen.push(`sent ${(message as { request: { path: string } }).request.path}`);

  beforeEach(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 2 });
    // Two keep-alive sockets, idle and reused from now on (undici then writes from a setImmediate).
    await Promise.all([get('/warm1'), get('/warm2')]);
    seen.length = 0;
    subscribe('undici:request:bodySent', onSent);
  });
  afterEach(async () => {
    unsubscribe('undici:request:bodySent', onSent);
    await pool.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const get = (path: string) => pool.request({ method: 'GET', path }).then((r) => r.body.text());

  it('runs queued work only after the requests dispatched now and in the next check phase are written', async () => {
    const queuedAt = performance.now();
    let waitedMs = 0;
    afterWire(() => {
      waitedMs = performance.now() - queuedAt;
      seen.push('work');
    });
    const first = get('/first');
    const second = new Promise<string>((resolve) => setImmediate(() => resolve(get('/second'))));
    await Promise.all([first, second]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(deferredCount()).toBe(0);
    // Work may run before a write only through the fallback timer (2 ms), on a loaded machine.
    if (seen.indexOf('work') < seen.indexOf('sent /second')) expect(waitedMs).toBeGreaterThanOrEqual(1.9);
    else expect(seen).toEqual(['sent /first', 'sent /second', 'work']);
  });

  it('runs queued work within a few milliseconds when no request follows', async () => {
    let ran = false;
    afterWire(() => (ran = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ran).toBe(true);
  });
});
