import { describe, expect, it } from 'vitest';
import { FrozenClock, ManualClock, SystemClock, UtcNanosFormatter, createClock, createClocks, formatUtcNanos } from '../../../src/runner/clocks.ts';

const START = Date.UTC(2026, 10, 21, 19, 52, 44, 123);
const NANOS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;

describe('clocks', () => {
  it('a manual clock moves only when told', () => {
    const clock = new ManualClock(START, 5n);
    expect(clock.nowMs()).toBe(START);
    expect(clock.monoNs()).toBe(5n);
    clock.advance(1.5);
    expect(clock.nowMs()).toBe(START + 1.5);
    expect(clock.monoNs()).toBe(1_500_005n);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it('a frozen clock keeps its wall time while monotonic time advances', () => {
    const clock = new FrozenClock('2026-11-21T19:52:44.123Z');
    const first = clock.monoNs();
    expect(clock.nowMs()).toBe(START);
    expect(clock.monoNs()).toBeGreaterThanOrEqual(first);
    expect(createClock(START).nowMs()).toBe(START);
    expect(createClock(null)).toBeInstanceOf(SystemClock);
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

  it('takes the digits below a millisecond from the monotonic clock', () => {
    const clock = new ManualClock(START, 10n);
    const format = new UtcNanosFormatter(clock).now;
    expect(format()).toBe('2026-11-21T19:52:44.123000000Z');
    clock.advance(0.000_25);
    expect(format()).toBe('2026-11-21T19:52:44.123000250Z');
    clock.advance(2.5);
    expect(format()).toBe('2026-11-21T19:52:44.125500250Z');
  });

  it('never goes backwards when the wall clock steps back', () => {
    const clock = new ManualClock(START, 0n);
    const format = new UtcNanosFormatter(clock).now;
    clock.advance(10);
    const before = format();
    clock.setWallMs(START - 5_000);
    expect(format() >= before).toBe(true);
    clock.setWallMs(START + 60_000);
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
