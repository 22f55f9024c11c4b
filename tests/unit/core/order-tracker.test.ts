import { describe, expect, it } from 'vitest';
import type { PlaceOrder } from '../../../src/core/model.ts';
import { OrderTracker } from '../../../src/core/order-tracker.ts';
import { snapshotOf, T0 } from './fixtures.ts';
import { asSteps, asTicks } from '../../../src/core/instrument.ts';

function order(n: number, side: 'BUY' | 'SELL' = 'BUY'): PlaceOrder {
  return {
    symbol: 'BTCUSDT',
    clientOrderId: `mm-${n}`,
    side,
    type: 'LIMIT',
    priceTicks: asTicks(650_000),
    qtySteps: asSteps(10),
    reduceOnly: false,
    timeInForce: 'GTX',
  };
}

describe('OrderTracker', () => {
  it('forgets the oldest final orders past 10 000 and never counts final ones as pending', () => {
    const tracker = new OrderTracker();
    for (let n = 0; n < 10_005; n++) {
      tracker.registerPlace(order(n), 'quote', `quote:BUY:${n % 2}`, T0);
      tracker.applyPlaceOutcome(`mm-${n}`, { kind: 'accepted', value: snapshotOf(order(n), 'CANCELED') }, T0);
    }
    expect(tracker.knows('mm-4')).toBe(false);
    expect(tracker.knows('mm-5')).toBe(true);
    expect(tracker.count('final')).toBe(10_000);
    expect(tracker.active()).toEqual([]);
    expect(tracker.pendingSteps('BUY')).toBe(0);
    expect(tracker.inSlot('quote:BUY:0')).toBeUndefined();

    tracker.registerPlace(order(20_000), 'quote', 'quote:BUY:0', T0);
    tracker.registerPlace(order(20_001, 'SELL'), 'quote', 'quote:SELL:0', T0);
    expect(tracker.inSlot('quote:BUY:0')?.clientOrderId).toBe('mm-20000');
    expect(tracker.pendingSteps('BUY')).toBe(10);
    expect(tracker.count('in_flight')).toBe(2);
  });

  it('counts an order written off and then reported live again as pending, once', () => {
    const tracker = new OrderTracker();
    tracker.registerPlace(order(1), 'quote', 'quote:BUY:0', T0);
    tracker.applyPlaceOutcome('mm-1', { kind: 'ambiguous', reason: 'timeout' }, T0);
    tracker.applyQuery('mm-1', null, T0 + 60_000, 0);
    expect(tracker.pendingSteps('BUY')).toBe(0);
    expect(tracker.reviveAsOrphan(snapshotOf(order(1), 'NEW'))).toBe(true);
    expect(tracker.reviveAsOrphan(snapshotOf(order(1), 'NEW'))).toBe(false);
    expect(tracker.pendingSteps('BUY')).toBe(10);
    expect(tracker.active().map((o) => o.clientOrderId)).toEqual(['mm-1']);
    tracker.markGone('mm-1');
    expect(tracker.active()).toEqual([]);
    expect(tracker.count('final')).toBe(1);
  });
});
