import { afterEach, describe, expect, it } from 'vitest';
import { domainEvent, EventBus, type FieldRecord } from '../../../src/core/events.ts';
import type { VenueListener } from '../../../src/core/venue.ts';
import { guardListener } from '../../../src/exchange/listener-guard.ts';
import { SystemClock } from '../../../src/runner/clocks.ts';
import { ListenerErrors, type ListenerKind } from '../../../src/telemetry/listener-errors.ts';
import type { ComponentLogger } from '../../../src/telemetry/stdout-logger.ts';

const counted: ListenerKind[] = [];
const logged: Array<{ level: string; event: string; fields: FieldRecord | undefined }> = [];
const log: ComponentLogger = {
  debug: (event, fields) => logged.push({ level: 'debug', event, fields }),
  info: (event, fields) => logged.push({ level: 'info', event, fields }),
  warn: (event, fields) => logged.push({ level: 'warn', event, fields }),
  error: (event, fields) => logged.push({ level: 'error', event, fields }),
  critical: (event, fields) => logged.push({ level: 'critical', event, fields }),
};
let errors: ListenerErrors | null = null;
afterEach(() => {
  errors?.close();
  counted.length = 0;
  logged.length = 0;
});

function throwingListener(): { listener: VenueListener; books: number } {
  const state = { books: 0 };
  const fail = () => {
    throw new Error('runner bug');
  };
  const listener: VenueListener = {
    onBookTop: () => {
      state.books += 1;
      if (state.books === 1) fail();
    },
    onMarkPrice: fail,
    onOrderUpdate: fail,
    onAccountUpdate: fail,
    onMarginCall: fail,
    onStreamState: fail,
    onListenKey: fail,
    onMalformed: fail,
  };
  return {
    listener,
    get books() {
      return state.books;
    },
  };
}

describe('a listener that throws', () => {
  it('of the exchange streams: the stream goes on, the error is counted and logged at error level with its stack', () => {
    errors = new ListenerErrors((listener) => counted.push(listener), log);
    const target = throwingListener();
    const guarded = guardListener(target.listener);
    const top = { symbol: 'BTCUSDT' } as Parameters<VenueListener['onBookTop']>[0];
    expect(() => guarded.onBookTop(top)).not.toThrow();
    guarded.onBookTop(top);
    expect(target.books).toBe(2);
    expect(counted).toEqual(['venue']);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'error', event: 'listener_failed', fields: { listener: 'venue', handler: 'onBookTop', error: 'runner bug' } });
    expect(String(logged[0]?.fields?.stack)).toMatch(/Error: runner bug\n\s+at /);
  });

  it('of the event bus: the other listeners still get the event, and the error is counted and logged', () => {
    errors = new ListenerErrors((listener) => counted.push(listener), log);
    const bus = new EventBus(new SystemClock(), errors.onBusError);
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new TypeError('bad listener');
    });
    bus.subscribe((event) => seen.push(event.event));
    bus.publish(domainEvent('freeze_cleared', { symbol: 'BTCUSDT', reason: 'edge_below_minimum' }));
    expect(seen).toEqual(['freeze_cleared']);
    expect(counted).toEqual(['event_bus']);
    expect(logged[0]).toMatchObject({
      level: 'error',
      event: 'listener_failed',
      fields: { listener: 'event_bus', handler: 'freeze_cleared', error: 'bad listener' },
    });
    expect(String(logged[0]?.fields?.stack)).toContain('TypeError: bad listener');
  });

  it('is no longer reported once closed', () => {
    errors = new ListenerErrors((listener) => counted.push(listener), log);
    errors.close();
    guardListener(throwingListener().listener).onMarkPrice({} as Parameters<VenueListener['onMarkPrice']>[0]);
    expect(counted).toEqual([]);
  });
});
