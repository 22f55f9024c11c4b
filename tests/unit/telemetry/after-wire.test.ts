import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Pool } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../src/runner/clocks.ts';
import { AfterWire } from '../../../src/telemetry/after-wire.ts';
import { ManualTime } from '../../support/manual-time.ts';

describe('AfterWire', () => {
  let server: Server;
  let pool: Pool;
  let afterWire: AfterWire;
  let release: (() => void) | null = null;
  const seen: string[] = [];
  const onSent = (message: unknown) => seen.push(`sent ${(message as { request: { path: string } }).request.path}`);

  beforeEach(async () => {
    server = createServer((req, res) => {
      if (req.url === '/slow') release = () => res.end('ok');
      else res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 2 });
    // Two keep-alive sockets, idle and reused from now on (undici then writes from a setImmediate).
    await Promise.all([get('/warm1'), get('/warm2')]);
    seen.length = 0;
    subscribe('undici:request:bodySent', onSent);
    afterWire = new AfterWire(new SystemClock());
  });
  afterEach(async () => {
    afterWire.close();
    unsubscribe('undici:request:bodySent', onSent);
    release?.();
    release = null;
    await pool.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const get = (path: string) => pool.request({ method: 'GET', path }).then((r) => r.body.text());

  it('runs queued work only after the requests dispatched now and in the next check phase are written', async () => {
    // A hold bound that never passes (a manual clock nobody moves): what is checked is the order, not how fast the machine is.
    const patient = new AfterWire(new ManualTime());
    try {
      let ran: () => void = () => {};
      const workRan = new Promise<void>((resolve) => (ran = resolve));
      patient.run(() => {
        seen.push('work');
        ran();
      });
      const first = get('/first');
      const second = new Promise<string>((resolve) => setImmediate(() => resolve(get('/second'))));
      await Promise.all([first, second, workRan]);
      expect(patient.size()).toBe(0);
      expect(seen).toEqual(['sent /first', 'sent /second', 'work']);
    } finally {
      patient.close();
    }
  });

  it('runs queued work within a few milliseconds when no request follows', async () => {
    let ran = false;
    afterWire.run(() => (ran = true));
    expect(ran).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ran).toBe(true);
  });

  it('holds work at most maxHoldMs behind a request that waits for its connection', async () => {
    const client = new Client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const send = (path: string) => client.request({ method: 'GET', path }).then((r) => r.body.text());
    const slow = send('/slow');
    // /slow occupies the connection once the server has it.
    while (release === null) await new Promise((resolve) => setTimeout(resolve, 1));
    const queued = send('/queued'); // created, queued behind /slow until its answer
    let ran: () => void = () => {};
    const workRan = new Promise<void>((resolve) => (ran = resolve));
    afterWire.run(() => {
      seen.push('work');
      ran();
    });
    // Held: the check phase after the dispatch passes without it (a request is still unwritten)...
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['sent /slow']);
    // ...and it runs anyway once the bound has passed, though /queued is still not written.
    await workRan;
    expect(seen).toEqual(['sent /slow', 'work']);
    release?.();
    await Promise.all([slow, queued]);
    await client.close();
    expect(seen).toEqual(['sent /slow', 'work', 'sent /queued']);
  });

  it('drain() runs everything now, in order, past a failing piece; close() stops following requests', async () => {
    afterWire.run(() => seen.push('work 1'));
    afterWire.run(() => {
      throw new Error('one failing piece');
    });
    afterWire.run(() => {
      seen.push('work 2');
      afterWire.run(() => seen.push('work 3, queued while draining'));
    });
    expect(seen).toEqual([]);
    afterWire.drain();
    expect(seen).toEqual(['work 1', 'work 2', 'work 3, queued while draining']);
    expect(afterWire.size()).toBe(0);
    afterWire.close();
    seen.length = 0;
    afterWire.run(() => seen.push('after close'));
    await get('/after-close');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual(['sent /after-close', 'after close']);
  });
});
