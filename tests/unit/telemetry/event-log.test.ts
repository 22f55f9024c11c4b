import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Pool } from 'undici';
import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { domainEvent, EventBus, type DomainEvent } from '../../../src/core/events.ts';
import { midOf, published, px, qty } from '../core/fixtures.ts';
import { DEFAULT_LIVENESS } from '../../../src/exchange/reconnecting-socket.ts';
import { WsApiConnection } from '../../../src/exchange/ws-api-connection.ts';
import { FrozenClock, SystemClock, UtcNanosFormatter } from '../../../src/runner/clocks.ts';
import { ManualTime } from '../../support/manual-time.ts';
import { EventLog, type EventLogFs, type EventLogNotice, type EventLogWriteError } from '../../../src/telemetry/event-log.ts';

const FROZEN = new UtcNanosFormatter(new FrozenClock('2026-11-21T19:52:44.123Z')).now;
const logs: EventLog[] = [];

function tempPath(name = 'runner_events.log'): string {
  return join(mkdtempSync(join(tmpdir(), 'mm-event-log-')), 'nested', 'dir', name);
}

function open(options: Partial<ConstructorParameters<typeof EventLog>[0]> & { path: string }): EventLog {
  const log = new EventLog({ timestamp: FROZEN, clock: new SystemClock(), ...options });
  logs.push(log);
  return log;
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}

function jqAvailable(): boolean {
  try {
    execFileSync('jq', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A buffered line (an order's later life). */
function filled(i: number): DomainEvent {
  return published(
    domainEvent('order_placed', {
      symbol: 'BTCUSDT',
      client_id: `mm-${i}`,
      order_id: String(1000 + i),
      side: i % 2 === 0 ? 'BUY' : 'SELL',
      price: px('65000.1'),
      qty: qty('0.005'),
      latency_ms: 1.5,
    }),
  );
}

/** A write-ahead line (an order's intent). */
function submit(i: number): DomainEvent {
  return published(
    domainEvent('order_submit', {
      symbol: 'BTCUSDT',
      client_id: `mm-${i}`,
      side: i % 2 === 0 ? 'BUY' : 'SELL',
      type: 'LIMIT',
      price: px('65000.1'),
      qty: qty('0.005'),
      reduce_only: false,
      time_in_force: 'GTX',
      purpose: 'quote',
    }),
  );
}

afterEach(() => {
  for (const log of logs.splice(0)) log.close();
});

describe('EventLog lines', () => {
  it('writes one sorted, masked, parseable object per line', () => {
    const path = tempPath();
    const log = open({ path, knownSecrets: ['SuperSecretApiKey0123'] });
    const bus = new EventBus(new SystemClock());
    bus.subscribe(log.listener);
    bus.emit('ws_connected', { stream: 'user', listenKey: 'pqrstuvwxyz0123456789', url: 'wss://x/ws/pqrstuvwxyz0123456789' });
    bus.emit('runner_start', { symbol: 'BTCUSDT', marginType: 'CROSSED', exchange: 'sim', shadow: false, config: { zeta: 1, alpha: { b: 2, a: null } } });
    bus.emit('exchange_error', {
      operation: 'newOrder',
      error: 'timeout on /fapi/v1/order?signature=ab12cd34ef56ab12 key SuperSecretApiKey0123\u2028next\u0007',
      code: null,
      http_status: Number.NaN,
    });
    bus.emit('risk_freeze', { symbol: 'BTCUSDT', reason: 'x', risk_ratio: Number.POSITIVE_INFINITY, freezes_total: 1 });
    log.flush();

    const written = lines(path);
    expect(written).toHaveLength(4);
    expect(written[0]).toBe(
      '{"event":"ws_connected","listenKey":"pqr*****","stream":"user","ts":"2026-11-21T19:52:44.123000000Z","url":"wss://x/ws/pqrstuvwxyz0123456789"}',
    );
    expect(written[1]).toBe(
      '{"config":{"alpha":{"a":null,"b":2},"zeta":1},"event":"runner_start","exchange":"sim","marginType":"CROSSED","shadow":false,"symbol":"BTCUSDT","ts":"2026-11-21T19:52:44.123000000Z"}',
    );
    const error = JSON.parse(written[2] as string) as Record<string, unknown>;
    expect(error.http_status).toBeNull();
    expect(error.error).toBe('timeout on /fapi/v1/order?signature=ab1***** key Sup*****\u2028next\u0007');
    expect(written[2]).toContain('\\u2028');
    expect(JSON.parse(written[3] as string)).toMatchObject({ risk_ratio: null });
    for (const line of written) expect(Object.keys(JSON.parse(line) as object)).toEqual(Object.keys(JSON.parse(line) as object).sort());
  });

  it('passes jq line by line', (ctx) => {
    if (!jqAvailable()) {
      ctx.skip('jq is not installed on this machine: the jq check is skipped (JSON.parse checks still run)');
      return;
    }
    const path = tempPath();
    const log = open({ path });
    for (let i = 0; i < 200; i++) log.write(filled(i));
    log.write(published(domainEvent('malformed_message', { source: 'ws', error: 'bad \u2029 "quote" \\ \n', sample: '\u0000\u001f\ud83d\ude00' })));
    log.flush();
    const out = execFileSync('jq', ['-c', '.', path], { encoding: 'utf8' });
    expect(out.trim().split('\n')).toHaveLength(201);
    const raw = lines(path);
    for (const [i, line] of out.trim().split('\n').entries()) expect(JSON.parse(line)).toEqual(JSON.parse(raw[i] as string));
  });

  it('stamps ts with nanosecond UTC time from the injected clock', async () => {
    const clock = new ManualTime(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    const path = tempPath();
    const log = open({ path, timestamp: new UtcNanosFormatter(clock).now });
    log.write(filled(1));
    await clock.advance(0.000_789);
    log.write(filled(2));
    log.flush();
    expect(lines(path).map((line) => (JSON.parse(line) as { ts: string }).ts)).toEqual(['2026-01-02T03:04:05.006000000Z', '2026-01-02T03:04:05.006000789Z']);
  });

  it('buffers until the size threshold or flush, and counts what it wrote', () => {
    const path = tempPath();
    const log = open({ path, flushBytes: 10_000, flushIntervalMs: 60_000 });
    log.write(filled(1));
    expect(fs.existsSync(path)).toBe(false);
    for (let i = 0; i < 100; i++) log.write(filled(i));
    expect(lines(path).length).toBeGreaterThan(0);
    log.flush();
    expect(lines(path)).toHaveLength(101);
    expect(log.stats()).toMatchObject({ linesWritten: 101, bytesWritten: fs.statSync(path).size, writeErrors: 0, linesDropped: 0, linesPending: 0 });
  });
});

describe('EventLog rotation', () => {
  it('rotates by size keeping N files, never splitting a line', () => {
    const path = tempPath();
    const log = open({ path, maxBytes: 2_000, keep: 3, flushBytes: 700 });
    const total = 120;
    for (let i = 0; i < total; i++) log.write(filled(i));
    log.flush();
    const dir = join(path, '..');
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['runner_events.log', 'runner_events.log.1', 'runner_events.log.2', 'runner_events.log.3']);
    let count = 0;
    const ids: number[] = [];
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(2_000);
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.split('\n').filter(Boolean)) {
        ids.push(Number((JSON.parse(line) as { client_id: string }).client_id.slice(3)));
        count += 1;
      }
    }
    const stats = log.stats();
    expect(stats.rotations).toBeGreaterThan(3);
    // The newest lines survive: the kept files hold a contiguous tail of the sequence.
    const lineBytes = Buffer.byteLength(lines(path)[0] as string) + 1;
    expect(count).toBeGreaterThanOrEqual(3 * Math.floor(2_000 / lineBytes));
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => total - count + i));
  });

  it('counts every line across files when nothing is rotated away', () => {
    const path = tempPath();
    const log = open({ path, maxBytes: 1_500, keep: 100, flushBytes: 5_000 });
    for (let i = 0; i < 500; i++) log.write(filled(i));
    log.flush();
    const dir = join(path, '..');
    let count = 0;
    for (const file of readdirSync(dir)) count += lines(join(dir, file)).length;
    expect(count).toBe(500);
    expect(log.stats().linesWritten).toBe(500);
  });

  it('writes a line longer than maxBytes alone into a fresh file', () => {
    const path = tempPath();
    const log = open({ path, maxBytes: 100, keep: 2 });
    log.write(filled(1));
    log.write(published(domainEvent('malformed_message', { source: 'ws', error: 'big', sample: 'x'.repeat(500) })));
    log.write(filled(2));
    log.flush();
    expect(lines(`${path}.1`)).toHaveLength(1);
    expect(lines(`${path}.1`)[0]).toContain('x'.repeat(500));
    expect(lines(path)).toHaveLength(1);
  });
});

describe('EventLog disk failures', () => {
  function failingFs(): { fs: EventLogFs; fail: (code: string | null) => void } {
    let failure: string | null = null;
    const failable: EventLogFs = {
      ...fs,
      writeSync: ((...args: Parameters<typeof fs.writeSync>) => {
        if (failure !== null) throw Object.assign(new Error(`${failure}: simulated`), { code: failure });
        return (fs.writeSync as (...a: unknown[]) => number)(...args);
      }) as typeof fs.writeSync,
    };
    return { fs: failable, fail: (code) => (failure = code) };
  }

  it('never throws, keeps lines, reports once and recovers when the disk does', () => {
    const path = tempPath();
    const disk = failingFs();
    const errors: EventLogWriteError[] = [];
    let recovered = 0;
    const log = open({ path, fs: disk.fs, retryIntervalMs: 60_000, onWriteError: (error) => errors.push(error), onRecovered: () => (recovered += 1) });
    log.write(filled(0));
    log.flush();
    disk.fail('ENOSPC');
    for (let i = 1; i <= 10; i++) expect(() => log.write(filled(i))).not.toThrow();
    log.flush();
    log.flush();
    expect(log.healthy()).toBe(false);
    expect(log.lastError?.systemCode).toBe('ENOSPC');
    expect(log.lastError?.code).toBe('MM_ERR_EVENT_LOG_WRITE');
    expect(errors).toHaveLength(1);
    expect(log.stats()).toMatchObject({ writeErrors: 2, linesPending: 10, linesWritten: 1 });

    disk.fail(null);
    log.flush();
    expect(log.healthy()).toBe(true);
    expect(recovered).toBe(1);
    expect(lines(path).map((line) => (JSON.parse(line) as { client_id: string }).client_id)).toEqual(Array.from({ length: 11 }, (_, i) => `mm-${i}`));
  });

  it('drops the oldest lines beyond its buffer cap and counts them', () => {
    const path = tempPath();
    const disk = failingFs();
    const log = open({ path, fs: disk.fs, retryIntervalMs: 60_000, maxPendingBytes: 5_000 });
    disk.fail('EROFS');
    for (let i = 0; i < 100; i++) log.write(filled(i));
    log.flush();
    const stats = log.stats();
    expect(stats.linesDropped).toBeGreaterThan(0);
    expect(stats.linesDropped + stats.linesPending).toBe(100);
    disk.fail(null);
    log.flush();
    const ids = lines(path).map((line) => (JSON.parse(line) as { client_id: string }).client_id);
    expect(ids.at(-1)).toBe('mm-99');
    expect(ids).toHaveLength(stats.linesPending);
  });

  it('survives a path that is a directory (EISDIR) and writes once it is free', () => {
    const path = tempPath();
    fs.mkdirSync(path, { recursive: true });
    const errors: string[] = [];
    const log = open({ path, retryIntervalMs: 60_000, onWriteError: (error) => errors.push(error.systemCode ?? '') });
    log.write(filled(1));
    log.flush();
    expect(log.healthy()).toBe(false);
    expect(errors).toEqual(['EISDIR']);
    fs.rmdirSync(path);
    log.write(filled(2));
    log.flush();
    expect(log.healthy()).toBe(true);
    expect(lines(path)).toHaveLength(2);
  });

  it('undoes a partial write so no half line is left behind', () => {
    const path = tempPath();
    let calls = 0;
    const partial: EventLogFs = {
      ...fs,
      writeSync: ((fd: number, data: string | Buffer, offset?: number, length?: number) => {
        calls += 1;
        const [buffer, from, bytes] = typeof data === 'string' ? [Buffer.from(data), 0, Buffer.byteLength(data)] : [data, offset ?? 0, length ?? data.length];
        if (calls === 2) return fs.writeSync(fd, buffer, from, Math.min(bytes, 10));
        if (calls === 3) throw Object.assign(new Error('ENOSPC: simulated'), { code: 'ENOSPC' });
        return fs.writeSync(fd, buffer, from, bytes);
      }) as typeof fs.writeSync,
    };
    const log = open({ path, fs: partial, retryIntervalMs: 60_000 });
    log.write(filled(1));
    log.flush();
    log.write(filled(2));
    log.flush();
    expect(lines(path)).toHaveLength(1);
    log.flush();
    expect(lines(path).map((line) => JSON.parse(line) as object)).toHaveLength(2);
  });
});

describe('EventLog short writes', () => {
  it('completes a short write with the rest of the line', () => {
    const path = tempPath();
    let calls = 0;
    const short: EventLogFs = {
      ...fs,
      writeSync: ((fd: number, data: string | Buffer, offset?: number, length?: number) => {
        calls += 1;
        if (calls === 1 && typeof data === 'string') return fs.writeSync(fd, Buffer.from(data), 0, 7);
        return (fs.writeSync as (...args: unknown[]) => number)(fd, data, offset, length);
      }) as typeof fs.writeSync,
    };
    const log = open({ path, fs: short });
    log.write(filled(1));
    log.write(filled(2));
    log.flush();
    expect(calls).toBe(2);
    expect(lines(path).map((line) => (JSON.parse(line) as { client_id: string }).client_id)).toEqual(['mm-1', 'mm-2']);
    expect(log.stats().bytesWritten).toBe(fs.statSync(path).size);
  });
});

describe('EventLog write-ahead (issue 12, item 3)', () => {
  function decided(i: number): DomainEvent {
    return published(
      domainEvent('quote_decided', {
        symbol: 'BTCUSDT',
        mid: midOf('64999.9', '65000.1'),
        bid: px('64999.9'),
        ask: px('65000.1'),
        bid_qty: qty('0.005'),
        ask_qty: qty('0.005'),
        skew_bps: 0,
        risk_state: 0,
        suppressed: null,
        decision_id: `d${i}`,
      }),
    );
  }

  /** A stand-in for undici's "about to write a request" hook: `fire()` is undici writing one. */
  function requestWrites(): { register: (hook: () => void) => () => void; fire: () => void } {
    const hooks = new Set<() => void>();
    return {
      register: (hook) => {
        hooks.add(hook);
        return () => hooks.delete(hook);
      },
      fire: () => {
        for (const hook of hooks) hook();
      },
    };
  }

  const events = (path: string) => (fs.existsSync(path) ? lines(path).map((line) => (JSON.parse(line) as { event: string }).event) : []);

  it('has an order_submit or order_cancel line in the file before a request is written, behind every line emitted before it', () => {
    const path = tempPath();
    const wire = requestWrites();
    const log = open({ path, flushIntervalMs: 60_000, beforeRequestWrite: wire.register });
    const bus = new EventBus(new SystemClock());
    bus.subscribe(log.listener);
    bus.publish(decided(1));
    bus.emit('order_cancel', { symbol: 'BTCUSDT', client_id: 'mm-old', reason: 'requote' });
    // The request is signed and dispatched; right before its first byte is written:
    wire.fire();
    expect(events(path)).toEqual(['quote_decided', 'order_cancel']);
    bus.publish(submit(7));
    bus.publish(decided(2));
    wire.fire();
    expect(events(path)).toEqual(['quote_decided', 'order_cancel', 'order_submit', 'quote_decided']);
    expect((JSON.parse(lines(path)[2] as string) as { client_id: string }).client_id).toBe('mm-7');
  });

  it('writes an intent line in the check phase of its emit even when no request follows', async () => {
    const path = tempPath();
    const log = open({ path, flushIntervalMs: 60_000, beforeRequestWrite: requestWrites().register });
    log.listener(submit(1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(events(path)).toEqual(['order_submit']);
  });

  it('writes the intent line with a synchronous write of its own, not into a buffer', () => {
    const path = tempPath();
    const written: string[] = [];
    const recording: EventLogFs = {
      ...fs,
      writeSync: ((fd: number, data: string | Buffer, offset?: number, length?: number) => {
        written.push(typeof data === 'string' ? data : data.subarray(offset, (offset ?? 0) + (length ?? data.length)).toString());
        return (fs.writeSync as (...args: unknown[]) => number)(fd, data, offset, length);
      }) as typeof fs.writeSync,
    };
    const wire = requestWrites();
    const log = open({ path, fs: recording, flushIntervalMs: 60_000, beforeRequestWrite: wire.register });
    log.listener(submit(1));
    wire.fire();
    expect(written).toHaveLength(1);
    expect(written[0]).toContain('"client_id":"mm-1"');
    expect(written[0]?.endsWith('\n')).toBe(true);
  });

  it('has the intent line on disk when the request reaches a server through undici (reused and fresh connections)', async () => {
    const path = tempPath();
    const log = open({ path, flushIntervalMs: 60_000 });
    const bus = new EventBus(new SystemClock());
    bus.subscribe(log.listener);
    // The server looks at the file the moment a request's first bytes arrive.
    const seenAtArrival: boolean[] = [];
    const server = createNetServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        const id = /id=([\w-]+)/.exec(chunk.toString())?.[1];
        if (id === undefined) return;
        seenAtArrival.push(fs.existsSync(path) && readFileSync(path, 'utf8').includes(`"client_id":"${id}"`));
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 1 });
    try {
      for (let i = 0; i < 20; i++) {
        // As the executor does: the intent is emitted, then the request dispatched in the same turn.
        bus.publish(submit(100 + i));
        const answer = await pool.request({ method: 'POST', path: `/fapi/v1/order?id=mm-${100 + i}` });
        await answer.body.text();
      }
    } finally {
      await pool.close();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(seenAtArrival).toEqual(Array.from({ length: 20 }, () => true));
  });

  it('has the intent line on disk before a WebSocket API request frame is handed to the socket', async () => {
    const path = tempPath();
    const log = open({ path, flushIntervalMs: 60_000 });
    const bus = new EventBus(new SystemClock());
    bus.subscribe(log.listener);
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    server.on('connection', (socket) => {
      socket.on('message', (data: Buffer) => {
        const { id } = JSON.parse(data.toString()) as { id: string };
        socket.send(JSON.stringify({ id, status: 200, result: {} }));
      });
    });
    const connection = await new Promise<WsApiConnection>((resolve, reject) => {
      new WsApiConnection({
        url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
        clock: new SystemClock(),
        liveness: DEFAULT_LIVENESS,
        onOpen: resolve,
        onClose: (_connection, reason) => reject(new Error(reason)),
        onMalformed: () => {},
        onLateAnswer: () => {},
      });
    });
    const onDiskWhenSent: boolean[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        // As the executor does: the intent is emitted, then the request written in the same turn.
        bus.publish(submit(200 + i));
        const answer = connection.request(`r${i}`, JSON.stringify({ id: `r${i}`, method: 'order.place', params: {} }), 5000);
        // The frame is with the socket now; nothing else has run since.
        onDiskWhenSent.push(fs.existsSync(path) && readFileSync(path, 'utf8').includes(`"client_id":"mm-${200 + i}"`));
        await answer;
      }
    } finally {
      connection.close('test over');
      await new Promise((resolve) => server.close(resolve));
    }
    expect(onDiskWhenSent).toEqual([true, true, true, true, true]);
  });

  it('keeps the order in which events happened across deferred and write-ahead lines', () => {
    const path = tempPath();
    const log = open({ path, flushIntervalMs: 60_000 });
    const bus = new EventBus(new SystemClock());
    bus.subscribe(log.listener);
    bus.publish(decided(1));
    bus.publish(submit(1));
    bus.publish(decided(2));
    bus.emit('order_submit_result', {
      symbol: 'BTCUSDT',
      client_id: 'mm-1',
      side: 'SELL',
      type: 'LIMIT',
      price: px('65000.1'),
      qty: qty('0.005'),
      duration_ms: 1,
      outcome: 'accepted',
      order_id: '1',
      error: null,
      error_code: null,
      transport: 'rest',
    });
    bus.publish(submit(2));
    bus.publish(decided(3));
    log.flush();
    expect(lines(path).map((line) => (JSON.parse(line) as { event: string }).event)).toEqual([
      'quote_decided',
      'order_submit',
      'quote_decided',
      'order_submit_result',
      'order_submit',
      'quote_decided',
    ]);
    expect(log.stats()).toMatchObject({ linesWritten: 6, linesPending: 0 });
  });
});

describe('EventLog file faults (issue 12, item 16)', () => {
  it('reports a failed rotation, keeps writing up to twice the limit, then stops and retries until rotation works', async () => {
    const path = tempPath();
    const time = new ManualTime();
    let renameBlocked = true;
    const disk: EventLogFs = {
      ...fs,
      renameSync: ((from: fs.PathLike, to: fs.PathLike) => {
        if (renameBlocked && from === path) throw Object.assign(new Error('EACCES: simulated'), { code: 'EACCES' });
        fs.renameSync(from, to);
      }) as typeof fs.renameSync,
    };
    const notices: EventLogNotice[] = [];
    const errors: EventLogWriteError[] = [];
    let recovered = 0;
    const log = open({
      path,
      fs: disk,
      maxBytes: 2_000,
      keep: 100,
      clock: time,
      retryIntervalMs: 1_000,
      flushIntervalMs: 60_000,
      onNotice: (notice) => notices.push(notice),
      onWriteError: (error) => errors.push(error),
      onRecovered: () => (recovered += 1),
    });
    let i = 0;
    // Over the limit: the rotation fails, lines still go to the current file, the failure is reported once.
    while (fs.existsSync(path) === false || fs.statSync(path).size < 2_500) {
      log.write(filled(i++));
      log.flush();
    }
    expect(log.healthy()).toBe(true);
    expect(notices.filter((n) => n.kind === 'rotation_failed')).toHaveLength(1);
    expect(notices[0]).toMatchObject({ kind: 'rotation_failed', error: { operation: 'rotate', systemCode: 'EACCES' } });
    const attemptsSoFar = log.stats().faults.rotation_failed;
    // Retried no more often than every retryIntervalMs.
    log.write(filled(i++));
    log.flush();
    expect(log.stats().faults.rotation_failed).toBe(attemptsSoFar);
    await time.advance(1_000);
    log.write(filled(i++));
    log.flush();
    expect(log.stats().faults.rotation_failed).toBe(attemptsSoFar + 1);

    // At twice the limit the log stops writing (the disk policy takes over) instead of growing without bound.
    for (let n = 0; n < 40; n++) {
      await time.advance(1_000);
      log.write(filled(i++));
      log.flush();
    }
    expect(fs.statSync(path).size).toBeLessThanOrEqual(4_000);
    expect(log.healthy()).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ operation: 'rotate', systemCode: 'EACCES' });
    expect(log.stats().linesPending).toBeGreaterThan(0);

    // Rotation works again: retried, every line written, healthy, the recovery reported.
    renameBlocked = false;
    await time.advance(1_000);
    log.flush();
    expect(log.healthy()).toBe(true);
    expect(recovered).toBe(1);
    expect(notices.at(-1)).toMatchObject({ kind: 'rotation_recovered' });
    const dir = join(path, '..');
    const ids = readdirSync(dir).flatMap((file) =>
      lines(join(dir, file)).map((line) => Number((JSON.parse(line) as { client_id: string }).client_id.slice(3))),
    );
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: i }, (_, n) => n));
    expect(log.stats().linesDropped).toBe(0);
  });

  it('reopens a file deleted mid-run and rewrites the lines that went with it', () => {
    const path = tempPath();
    const notices: EventLogNotice[] = [];
    const log = open({ path, flushIntervalMs: 60_000, onNotice: (notice) => notices.push(notice) });
    log.write(filled(0));
    log.flush();
    fs.unlinkSync(path);
    // Written into the deleted file (a write-ahead line does not check the file first)...
    log.write(submit(1));
    log.write(filled(2));
    log.flush();
    // ...and found again in the new one.
    expect(lines(path).map((line) => (JSON.parse(line) as { client_id: string }).client_id)).toEqual(['mm-1', 'mm-2']);
    expect(notices).toEqual([{ kind: 'file_reopened', reason: 'deleted', path, linesRewritten: 1 }]);
    expect(log.stats().faults.file_deleted).toBe(1);
    expect(log.healthy()).toBe(true);
  });

  it('reopens a file moved away (replaced) without writing its lines twice', () => {
    const path = tempPath();
    const notices: EventLogNotice[] = [];
    const log = open({ path, flushIntervalMs: 60_000, onNotice: (notice) => notices.push(notice) });
    log.write(filled(0));
    log.flush();
    fs.renameSync(path, `${path}.moved`);
    log.write(submit(1));
    log.write(filled(2));
    log.flush();
    expect(lines(`${path}.moved`).map((line) => (JSON.parse(line) as { client_id: string }).client_id)).toEqual(['mm-0', 'mm-1']);
    expect(lines(path).map((line) => (JSON.parse(line) as { client_id: string }).client_id)).toEqual(['mm-2']);
    expect(notices).toEqual([{ kind: 'file_reopened', reason: 'replaced', path, linesRewritten: 0 }]);
    expect(log.stats().faults.file_replaced).toBe(1);
  });

  it('repairs a torn last line left by a crash with a newline before appending', () => {
    const path = tempPath();
    fs.mkdirSync(join(path, '..'), { recursive: true });
    const whole = '{"event":"order_placed","ts":"2026-11-21T19:52:44.000000000Z"}\n';
    fs.writeFileSync(path, `${whole}{"event":"order_submit","client_id":"mm-9`);
    const notices: EventLogNotice[] = [];
    const log = open({ path, onNotice: (notice) => notices.push(notice) });
    log.write(filled(1));
    log.flush();
    const text = readFileSync(path, 'utf8').split('\n');
    expect(text[0]).toBe(whole.trimEnd());
    expect(text[1]).toBe('{"event":"order_submit","client_id":"mm-9');
    expect((JSON.parse(text[2] as string) as { client_id: string }).client_id).toBe('mm-1');
    expect(notices).toEqual([{ kind: 'torn_line_repaired', path }]);
    expect(log.stats().faults.torn_line).toBe(1);
    // A whole file is left alone.
    const again = open({ path, onNotice: (notice) => notices.push(notice) });
    log.close();
    again.write(filled(2));
    again.flush();
    expect(notices).toHaveLength(1);
  });
});
