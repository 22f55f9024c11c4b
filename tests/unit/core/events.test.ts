/**
 * Domain events carry typed numbers (ticks, steps, Money) and two times: ours, stamped by the bus
 * from its clock, and the venue's where the venue reported what happened. Only the sinks turn the
 * numbers into the event log's decimal strings.
 */
import { describe, expect, it } from 'vitest';
import { Amount, Price, Quantity } from '../../../src/core/event-values.ts';
import { EventBus, isEvent, type DomainEvent } from '../../../src/core/events.ts';
import { SortedLineSerializer } from '../../../src/telemetry/json-line.ts';
import { ManualTime } from '../../support/manual-time.ts';
import { quotedMaker, T0, tradeUpdate } from './fixtures.ts';

function filledMaker() {
  const { mm, bid } = quotedMaker();
  const trade = tradeUpdate(bid, {
    side: 'BUY',
    priceTicks: bid.priceTicks ?? 0,
    qtySteps: 4,
    cumSteps: 4,
    status: 'PARTIALLY_FILLED',
    tradeId: 9,
    commission: 1_234n,
    txTimeMs: T0 + 777,
  });
  return { bid, events: mm.onOrderUpdate(trade, T0 + 800) };
}

describe('domain events', () => {
  it('are stamped with the bus clock’s time as they are published, not when they were built', async () => {
    const time = new ManualTime();
    const bus = new EventBus(time);
    const seen: DomainEvent[] = [];
    bus.subscribe((event) => seen.push(event));
    const { events } = filledMaker();
    bus.publish(events[0]!);
    await time.advance(250);
    bus.emit('quote_resumed', { symbol: 'BTCUSDT', previous_reason: 'stale_book' });
    expect(seen.map((e) => e.atMs)).toEqual([time.nowMs() - 250, time.nowMs()]);
  });

  it('carry a fill as ticks, steps and Money with the venue’s trade time, and the sinks write the decimal strings', () => {
    const { bid, events } = filledMaker();
    const fill = events.find((e) => isEvent(e, 'order_filled'));
    const update = events.find((e) => isEvent(e, 'order_update'));
    if (fill === undefined || !isEvent(fill, 'order_filled') || update === undefined || !isEvent(update, 'order_update')) throw new Error('no fill');
    expect(fill.fields.price).toBeInstanceOf(Price);
    expect(fill.fields.price.ticks).toBe(bid.priceTicks);
    expect(fill.fields.qty).toBeInstanceOf(Quantity);
    expect(fill.fields.qty.steps).toBe(4);
    expect(fill.fields.commission).toBeInstanceOf(Amount);
    expect(fill.fields.commission.money).toBe(1_234n);
    expect(fill.fields.venue_time_ms).toBe(T0 + 777);
    expect(update.fields.venue_time_ms).toBe(T0 + 777);
    expect(update.fields.cum_qty.steps).toBe(4);

    const line = JSON.parse(new SortedLineSerializer(['event']).line('order_filled', ['"order_filled"'], fill.fields)) as Record<string, unknown>;
    // btc's tick is 0.1: the price in ticks over ten, with the grid's one decimal.
    expect(line).toMatchObject({ price: ((bid.priceTicks ?? 0) / 10).toFixed(1), qty: '0.004', commission: '0.00001234', venue_time_ms: T0 + 777 });
  });
});
