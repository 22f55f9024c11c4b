import { describe, expect, it } from 'vitest';
import { domainEvent, EventBus } from '../../../src/core/events.ts';
import { FrozenClock, SystemClock, UtcNanosFormatter } from '../../../src/runner/clocks.ts';
import { StdoutLogger } from '../../../src/telemetry/stdout-logger.ts';
import { ManualTime } from '../../support/manual-time.ts';
import { px, qty } from '../core/fixtures.ts';

function capture(): { out: { write: (chunk: string) => boolean }; records: () => Array<Record<string, unknown>>; chunks: string[] } {
  const chunks: string[] = [];
  return {
    out: { write: (chunk: string) => chunks.push(chunk) > 0 },
    chunks,
    records: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const frozen = new UtcNanosFormatter(new FrozenClock('2026-11-21T19:52:44Z')).now;

describe('StdoutLogger', () => {
  it('writes sorted compact lines with ts_utc, lvl, name and event under a frozen clock', () => {
    const sink = capture();
    const logger = new StdoutLogger({ timestamp: frozen, clock: new ManualTime(), out: sink.out, flushIntervalMs: 60_000 });
    logger.component('runner').info('started', { symbols: ['BTCUSDT'], name: 'shadowed', apiKey: 'abcdefghijklmnop' });
    expect(sink.chunks).toHaveLength(0);
    logger.flush();
    expect(sink.chunks.join('')).toBe(
      '{"_name":"shadowed","apiKey":"abc*****","event":"started","lvl":"INFO","name":"runner","symbols":["BTCUSDT"],"ts_utc":"2026-11-21T19:52:44.000000000Z"}\n',
    );
  });

  it('writes what it buffered once flushIntervalMs has passed on its clock', async () => {
    const sink = capture();
    const time = new ManualTime();
    const logger = new StdoutLogger({ timestamp: frozen, clock: time, out: sink.out, flushIntervalMs: 50 });
    logger.component('runner').info('first');
    await time.advance(49);
    expect(sink.chunks).toHaveLength(0);
    logger.component('runner').info('second');
    await time.advance(1);
    expect(sink.records().map((record) => record.event)).toEqual(['first', 'second']);
  });

  it('filters by level', () => {
    const sink = capture();
    const logger = new StdoutLogger({ timestamp: frozen, clock: new SystemClock(), out: sink.out, level: 'warn' });
    const log = logger.component('x');
    log.debug('a');
    log.info('b');
    log.warn('c');
    log.error('d', { error: 'boom' });
    logger.flush();
    expect(sink.records().map((record) => [record.lvl, record.event])).toEqual([
      ['WARN', 'c'],
      ['ERROR', 'd'],
    ]);
    expect(logger.enabled('info')).toBe(false);
  });

  it('logs domain events at their severity, masking secrets in text', () => {
    const sink = capture();
    const logger = new StdoutLogger({ timestamp: frozen, clock: new SystemClock(), out: sink.out, level: 'debug', knownSecrets: ['SuperSecretApiKey0123'] });
    const bus = new EventBus(new FrozenClock('2026-11-21T19:52:44Z'));
    bus.subscribe(logger.eventListener());
    bus.emit('exchange_error', { operation: 'newOrder', error: 'rejected key SuperSecretApiKey0123', code: -1022, http_status: 400 });
    bus.emit('quote_suppressed', { symbol: 'BTCUSDT', reason: 'stale_book', detail: null });
    bus.publish(domainEvent('ws_connected', { stream: 'user', listenKey: 'pqrstuvwxyz0123456789', url: 'wss://x' }));
    logger.flush();
    const records = sink.records();
    expect(records.map((record) => [record.lvl, record.name, record.event])).toEqual([
      ['ERROR', 'mm.exchange', 'exchange_error'],
      ['WARN', 'mm.quoting', 'quote_suppressed'],
      ['INFO', 'mm.exchange', 'ws_connected'],
    ]);
    expect(records[0]?.error).toBe('rejected key Sup*****');
    expect(records[2]?.listenKey).toBe('pqr*****');
  });

  it("names each event's component and logs a graceful stop that failed as CRITICAL (specification 002)", () => {
    const sink = capture();
    const logger = new StdoutLogger({ timestamp: frozen, clock: new SystemClock(), out: sink.out, level: 'debug' });
    const bus = new EventBus(new FrozenClock('2026-11-21T19:52:44Z'));
    bus.subscribe(logger.eventListener());
    bus.emit(
      'order_placed',
      { symbol: 'BTCUSDT', client_id: 'mm-1', side: 'BUY', price: px('65000.0'), qty: qty('0.005'), order_id: '7', latency_ms: 2 },
      'mm-1',
    );
    bus.emit('freeze_triggered', { symbol: 'BTCUSDT', reason: 'edge_below_minimum', edge_bps: -3, threshold: 1 });
    bus.emit('runner_stopped', { reason: 'signal SIGTERM', open_orders_left: 0, clean: true, deadman: 'disarmed', duration_ms: 40 });
    bus.emit('runner_stopped', { reason: 'signal SIGTERM', open_orders_left: 2, clean: false, deadman: 'left_armed', duration_ms: 10_000 });
    logger.flush();
    expect(sink.records().map((record) => [record.lvl, record.name, record.event])).toEqual([
      ['INFO', 'mm.execution', 'order_placed'],
      ['WARN', 'mm.risk', 'freeze_triggered'],
      ['INFO', 'mm.runner', 'runner_stopped'],
      ['CRITICAL', 'mm.runner', 'runner_stopped'],
    ]);
  });

  it('flushes by itself once the buffer passes its size', () => {
    const sink = capture();
    const logger = new StdoutLogger({ timestamp: frozen, clock: new SystemClock(), out: sink.out, flushBytes: 1_000, flushIntervalMs: 60_000 });
    for (let i = 0; i < 50; i++) logger.log('info', 'bulk', 'line', { i });
    expect(sink.chunks.length).toBeGreaterThan(0);
    logger.flush();
    expect(sink.records()).toHaveLength(50);
  });

  it('never throws when the sink does', () => {
    const logger = new StdoutLogger({
      timestamp: frozen,
      clock: new SystemClock(),
      out: {
        write: () => {
          throw new Error('EPIPE');
        },
      },
    });
    logger.log('error', 'x', 'y');
    expect(() => logger.flush()).not.toThrow();
    expect(logger.failures()).toBe(1);
  });
});
