/**
 * The dead-man switch's policy on a manual clock: re-armed every third of its countdown, a
 * failed refresh retried every second, and reported unarmed (so quoting stops) before the
 * countdown could lapse.
 */
import { describe, expect, it } from 'vitest';
import { EventBus, type DomainEvent } from '../../../src/core/events.ts';
import { DeadmanSwitch } from '../../../src/runner/deadman-switch.ts';
import { ManualTime } from '../../support/manual-time.ts';

function setup(countdownMs = 30_000, symbols = ['BTCUSDT']) {
  const time = new ManualTime();
  const bus = new EventBus(time);
  const events: DomainEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const calls: Array<{ atMs: number; symbol: string; countdownMs: number }> = [];
  let failing = false;
  const armedChanges: boolean[] = [];
  const venue = {
    countdownCancelAll: async (symbol: string, ms: number) => {
      calls.push({ atMs: time.nowMs(), symbol, countdownMs: ms });
      if (failing) throw new Error('HTTP 429 -1003 Too many requests');
    },
  };
  const deadman = new DeadmanSwitch({ symbols, countdownMs, venue, clock: time, bus, onArmedChange: (armed) => armedChanges.push(armed) });
  return {
    time,
    events,
    calls,
    deadman,
    armedChanges,
    fail: (on: boolean) => {
      failing = on;
    },
  };
}

describe('DeadmanSwitch', () => {
  it('arms every symbol at start and re-arms every third of the countdown', async () => {
    const t = setup(30_000, ['BTCUSDT', 'ETHUSDT']);
    const start = t.time.nowMs();
    await t.deadman.start();
    expect(t.deadman.armed()).toBe(true);
    expect(t.armedChanges).toEqual([true]);
    await t.time.advance(30_000);
    expect(t.calls.filter((c) => c.symbol === 'BTCUSDT').map((c) => c.atMs - start)).toEqual([0, 10_000, 20_000, 30_000]);
    expect(t.calls.every((c) => c.countdownMs === 30_000)).toBe(true);
    expect(t.events.filter((e) => e.event === 'countdown_cancel_all').map((e) => e.fields)).toEqual([
      { symbol: 'BTCUSDT', countdown_ms: 30_000, ok: true, error: null },
      { symbol: 'ETHUSDT', countdown_ms: 30_000, ok: true, error: null },
    ]);
  });

  it('a refresh that fails is retried every second, and the switch is reported unarmed at two thirds of the countdown, before it can lapse', async () => {
    const t = setup(30_000);
    const start = t.time.nowMs();
    await t.deadman.start();
    t.fail(true);
    await t.time.advance(10_000); // the refresh at 10 s fails
    await t.time.advance(9_000);
    const retries = t.calls.filter((c) => c.atMs - start > 10_000).map((c) => c.atMs - start);
    expect(retries.slice(0, 3)).toEqual([11_000, 12_000, 13_000]);
    expect(t.deadman.armed()).toBe(true);
    await t.time.advance(1_000); // 20 s since the last arm: two thirds of 30 s
    expect(t.deadman.armed()).toBe(false);
    expect(t.armedChanges).toEqual([true, false]);
    t.fail(false);
    await t.time.advance(1_000);
    expect(t.deadman.armed()).toBe(true);
    expect(t.armedChanges).toEqual([true, false, true]);
    const reported = t.events.filter((e) => e.event === 'countdown_cancel_all').map((e) => (e.fields as { ok: boolean }).ok);
    expect(reported).toEqual([true, false, true]); // one event per change, not one per retry
  });

  it('stays unarmed from the start until a first arm succeeds', async () => {
    const t = setup(3_000);
    t.fail(true);
    await t.deadman.start();
    expect(t.deadman.armed()).toBe(false);
    expect(t.armedChanges).toEqual([]);
    t.fail(false);
    await t.time.advance(1_000);
    expect(t.deadman.armed()).toBe(true);
  });

  it('disarm stops refreshing and sends a zero countdown', async () => {
    const t = setup(3_000);
    await t.deadman.start();
    expect(await t.deadman.disarm()).toBe(true);
    const before = t.calls.length;
    await t.time.advance(10_000);
    expect(t.calls.slice(before - 1)).toEqual([{ atMs: expect.any(Number), symbol: 'BTCUSDT', countdownMs: 0 }]);
    expect(t.time.timerCount()).toBe(0);
  });
});
