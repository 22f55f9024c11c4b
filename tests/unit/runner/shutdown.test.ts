/**
 * Clearing a symbol at stop, on a manual clock: what the venue really holds is reported, a
 * refusing venue is retried after its Retry-After within the budget, and "cleared" is never
 * claimed while an order with an unknown outcome may still land.
 */
import { describe, expect, it } from 'vitest';
import type { CancelOrder, CommandOutcome, OrderSnapshot } from '../../../src/core/model.ts';
import { clearSymbol } from '../../../src/runner/shutdown.ts';
import { ManualTime } from '../../support/manual-time.ts';
import { T0 } from '../core/fixtures.ts';
import { asSteps, asTicks, ZERO_STEPS } from '../../../src/core/instrument.ts';

function order(clientOrderId: string): OrderSnapshot {
  return {
    symbol: 'BTCUSDT',
    orderId: clientOrderId,
    clientOrderId,
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTX',
    status: 'NEW',
    priceTicks: asTicks(650_000),
    qtySteps: asSteps(5),
    executedSteps: ZERO_STEPS,
    reduceOnly: false,
    updateTimeMs: T0,
  };
}

/** A venue holding `open`; cancel-all answers from `cancelAnswers` in turn (then accepts). */
function venue(time: ManualTime, open: OrderSnapshot[], cancelAnswers: Array<CommandOutcome<null>> = []) {
  const log: string[] = [];
  return {
    log,
    open,
    venue: {
      openOrders: async () => {
        log.push(`${time.monoNs() / 1_000_000n} openOrders`);
        return [...open];
      },
      cancelAllOpenOrders: async (): Promise<CommandOutcome<null>> => {
        log.push(`${time.monoNs() / 1_000_000n} cancelAll`);
        const answer = cancelAnswers.shift() ?? { kind: 'accepted', value: null };
        if (answer.kind === 'accepted') open.splice(0);
        return answer;
      },
      cancelOrder: async (cancel: CancelOrder): Promise<CommandOutcome<OrderSnapshot>> => {
        log.push(`${time.monoNs() / 1_000_000n} cancel ${cancel.clientOrderId}`);
        const i = open.findIndex((o) => o.clientOrderId === cancel.clientOrderId);
        const [gone] = open.splice(i, 1);
        return { kind: 'accepted', value: { ...(gone ?? order(cancel.clientOrderId)), status: 'CANCELED' } };
      },
    },
  };
}

const deadline = (time: ManualTime, ms: number) => time.monoNs() + BigInt(ms) * 1_000_000n;

describe('clearSymbol', () => {
  it('cancels everything and confirms the venue lists nothing', async () => {
    const time = new ManualTime(T0);
    const v = venue(time, [order('mm-a-q1'), order('mm-a-q2')]);
    const result = await clearSymbol({ venue: v.venue, clock: time, symbol: 'BTCUSDT', deadlineNs: deadline(time, 10_000) });
    expect(result).toEqual({ before: 2, left: 0, error: null });
  });

  it('a cancel-all answered 429 with Retry-After 3 s is sent again after 3 s, within the budget', async () => {
    const time = new ManualTime(T0);
    const v = venue(
      time,
      [order('mm-a-q1')],
      [{ kind: 'rejected', code: -1003, reason: 'HTTP 429 -1003 Too many requests', httpStatus: 429, retryAfterMs: 3_000 }],
    );
    const done = clearSymbol({ venue: v.venue, clock: time, symbol: 'BTCUSDT', deadlineNs: deadline(time, 10_000) });
    await time.advance(3_000);
    expect(await done).toEqual({ before: 1, left: 0, error: null });
    expect(v.log).toEqual(['0 openOrders', '0 cancelAll', '0 openOrders', '3000 openOrders', '3000 cancelAll', '3000 openOrders']);
  });

  it('a venue that keeps refusing until the deadline: left is the count it last reported, with the error, never 0', async () => {
    const time = new ManualTime(T0);
    const refuse: CommandOutcome<null> = { kind: 'rejected', code: -1003, reason: 'HTTP 429 -1003 Too many requests', httpStatus: 429, retryAfterMs: 30_000 };
    const v = venue(time, [order('mm-a-q1')], [refuse, refuse, refuse]);
    const done = clearSymbol({ venue: v.venue, clock: time, symbol: 'BTCUSDT', deadlineNs: deadline(time, 10_000) });
    await time.advance(10_000);
    expect(await done).toEqual({ before: 1, left: 1, error: 'HTTP 429 -1003 Too many requests' });
  });

  it('a venue that cannot be read at all: left is unknown (null)', async () => {
    const time = new ManualTime(T0);
    const failing = {
      openOrders: async () => {
        throw Object.assign(new Error('not sent: banned (418)'), { retryAfterMs: 120_000 });
      },
      cancelAllOpenOrders: async (): Promise<CommandOutcome<null>> => ({ kind: 'accepted', value: null }),
      cancelOrder: async (): Promise<CommandOutcome<OrderSnapshot>> => ({ kind: 'ambiguous', reason: 'x' }),
    };
    const done = clearSymbol({ venue: failing, clock: time, symbol: 'BTCUSDT', deadlineNs: deadline(time, 10_000) });
    await time.advance(10_000);
    expect(await done).toEqual({ before: null, left: null, error: 'not sent: banned (418)' });
  });

  it('waits until an order sent with an unknown outcome can no longer appear before calling the symbol clear', async () => {
    const time = new ManualTime(T0);
    const v = venue(time, []);
    const done = clearSymbol({
      venue: v.venue,
      clock: time,
      symbol: 'BTCUSDT',
      deadlineNs: deadline(time, 10_000),
      lateArrivalUntilMs: T0 + 4_000,
    });
    await time.advance(2_000);
    v.open.push(order('mm-a-q9')); // the timed-out order reaches the matching engine late
    await time.advance(2_000);
    expect(await done).toEqual({ before: 0, left: 0, error: null });
    expect(v.log).toContain('4000 cancelAll');
  });

  it('when it cannot wait that long, it does not claim the symbol clear', async () => {
    const time = new ManualTime(T0);
    const v = venue(time, []);
    const done = clearSymbol({
      venue: v.venue,
      clock: time,
      symbol: 'BTCUSDT',
      deadlineNs: deadline(time, 1_000),
      lateArrivalUntilMs: T0 + 4_000,
    });
    await time.advance(1_000);
    expect((await done).left).toBeNull();
  });

  it('only our own orders, one by one, when told so (another instance shares the account)', async () => {
    const time = new ManualTime(T0);
    const v = venue(time, [order('mm-ours-q1'), order('mm-theirs-q1')]);
    const result = await clearSymbol({
      venue: v.venue,
      clock: time,
      symbol: 'BTCUSDT',
      deadlineNs: deadline(time, 10_000),
      onlyOurs: (id) => id.startsWith('mm-ours-'),
    });
    expect(result.left).toBe(0);
    expect(v.open.map((o) => o.clientOrderId)).toEqual(['mm-theirs-q1']);
    expect(v.log.some((l) => l.includes('cancelAll'))).toBe(false);
  });
});
