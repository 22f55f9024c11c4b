import { setImmediate as nextCheckPhase } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/events.ts';
import type { CancelOrder, CommandOutcome, OrderSnapshot, PlaceOrder } from '../../../src/core/model.ts';
import type { Venue } from '../../../src/core/venue.ts';
import { SystemClock } from '../../../src/runner/clocks.ts';
import { OrderExecutor } from '../../../src/runner/order-executor.ts';
import { btc, readyMaker, snapshotOf, T0 } from '../core/fixtures.ts';

/** A venue that records every call and answers only when told to. */
function recordingVenue() {
  const calls: string[] = [];
  const answers: Array<() => void> = [];
  const answer = <T>(value: CommandOutcome<T>) => new Promise<CommandOutcome<T>>((resolve) => answers.push(() => resolve(value)));
  const venue = {
    placeOrder: (order: PlaceOrder) => {
      calls.push(`place ${order.clientOrderId}`);
      return answer<OrderSnapshot>({ kind: 'accepted', value: snapshotOf(order) });
    },
    cancelOrder: (cancel: CancelOrder) => {
      calls.push(`cancel ${cancel.clientOrderId}`);
      return answer<OrderSnapshot>({
        kind: 'rejected',
        code: -2011,
        reason: 'Unknown order sent.',
        httpStatus: 400,
      } as unknown as CommandOutcome<OrderSnapshot>);
    },
  } as unknown as Venue;
  return { venue, calls, answerAll: () => answers.splice(0).forEach((a) => a()) };
}

describe('OrderExecutor', () => {
  it('puts the first command of a decision on its way at once and the others from the next check phase, in order', async () => {
    const maker = readyMaker();
    const decision = maker.decide(T0);
    expect(decision.commands.length).toBeGreaterThanOrEqual(3);
    const { venue, calls, answerAll } = recordingVenue();
    const executor = new OrderExecutor({ venue, clock: new SystemClock(), bus: new EventBus(new SystemClock()), instrument: btc, maker, observe: () => {} });

    const sent = executor.execute(decision.commands);
    const ids = decision.commands.map((c) => (c.kind === 'place' ? `place ${c.order.clientOrderId}` : `cancel ${c.cancel.clientOrderId}`));
    expect(calls).toEqual(ids.slice(0, 1));
    expect(executor.pending()).toBe(decision.commands.length);

    await nextCheckPhase();
    expect(calls).toEqual(ids);
    answerAll();
    await Promise.all(sent);
    expect(executor.pending()).toBe(0);
  });

  it('keeps idle() waiting until every command of a decision, deferred ones included, is answered', async () => {
    const maker = readyMaker();
    const decision = maker.decide(T0);
    const { venue, answerAll } = recordingVenue();
    const executor = new OrderExecutor({ venue, clock: new SystemClock(), bus: new EventBus(new SystemClock()), instrument: btc, maker, observe: () => {} });
    let idle = false;
    executor.execute(decision.commands);
    void executor.idle().then(() => (idle = true));

    answerAll(); // only the first command has reached the venue so far
    await nextCheckPhase();
    await nextCheckPhase();
    expect(idle).toBe(false);
    answerAll();
    await nextCheckPhase();
    expect(idle).toBe(true);
  });
});
