import { describe, expect, it } from 'vitest';
import { FrozenClock, SystemClock, UtcNanosFormatter, createClocks, formatUtcNanos } from '../../../src/runner/clocks.ts';
import { ManualTime } from '../../support/manual-time.ts';

const START = Date.UTC(2026, 10, 21, 19, 52, 44, 123);
const NANOS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;

describe('clocks', () => {
  it('the system clock fires a timer once, and not at all once cancelled', async () => {
    const clock = new SystemClock();
    const fired: string[] = [];
    clock.setTimer(() => fired.push('kept'), 0).cancel();
    await new Promise<void>((resolve) => clock.setTimer(() => (fired.push('fired'), resolve()), 1));
    expect(fired).toEqual(['fired']);
  });

  it('a frozen clock keeps its wall time while monotonic time advances', () => {
    const clock = new FrozenClock('2026-11-21T19:52:44.123Z');
    const first = clock.monoNs();
    expect(clock.nowMs()).toBe(START);
    expect(clock.monoNs()).toBeGreaterThanOrEqual(first);
    expect(() => new FrozenClock('yesterday')).toThrow(RangeError);
  });

  it('MM_FREEZE_UTC_ISO freezes the log clock only; the runner acts on the system clock', () => {
    const frozen = createClocks(START);
    expect(frozen.logClock.nowMs()).toBe(START);
    expect(frozen.clock).toBeInstanceOf(SystemClock);
    expect(frozen.clock.nowMs()).not.toBe(START);
    expect(createClocks(null).logClock).toBeInstanceOf(SystemClock);
  });
});

describe('UTC nanosecond timestamps', () => {
  it('formats milliseconds and sub-millisecond nanoseconds', () => {
    expect(formatUtcNanos(START, 456_789)).toBe('2026-11-21T19:52:44.123456789Z');
    expect(formatUtcNanos(START + 877, 1)).toBe('2026-11-21T19:52:45.000000001Z');
    expect(formatUtcNanos(0)).toBe('1970-01-01T00:00:00.000000000Z');
  });

  it('takes the digits below a millisecond from the monotonic clock', async () => {
    const clock = new ManualTime(START);
    const format = new UtcNanosFormatter(clock).now;
    expect(format()).toBe('2026-11-21T19:52:44.123000000Z');
    await clock.advance(0.000_25);
    expect(format()).toBe('2026-11-21T19:52:44.123000250Z');
    await clock.advance(2.5);
    expect(format()).toBe('2026-11-21T19:52:44.125500250Z');
  });

  it('never goes backwards when the wall clock steps back', async () => {
    const clock = new ManualTime(START);
    const format = new UtcNanosFormatter(clock).now;
    await clock.advance(10);
    const before = format();
    clock.stepWallMs(-5_010);
    expect(format() >= before).toBe(true);
    clock.stepWallMs(65_000);
    expect(format()).toBe('2026-11-21T19:53:44.123000000Z');
  });

  it('is exactly the frozen instant under a frozen clock', () => {
    const format = new UtcNanosFormatter(new FrozenClock(START)).now;
    expect(format()).toBe('2026-11-21T19:52:44.123000000Z');
    expect(format()).toBe('2026-11-21T19:52:44.123000000Z');
  });

  it('is well formed and non-decreasing on the system clock', () => {
    const format = new UtcNanosFormatter(new SystemClock()).now;
    let previous = '';
    for (let i = 0; i < 20_000; i++) {
      const ts = format();
      expect(ts >= previous).toBe(true);
      previous = ts;
    }
    expect(previous).toMatch(NANOS_RE);
    expect(Math.abs(Date.parse(previous) - Date.now())).toBeLessThan(5_000);
  });
});
