/**
 * The simulator's clocks when none is injected, and the only module of the simulator that reads
 * the machine's time or sets a timer. The exchange only reads time (order and event timestamps,
 * recvWindow checks), from a clock tests may freeze or step; the network edge (pings, held
 * answers, connection lifetimes, the market's automatic steps) runs on timers of real time.
 */
import type { Clock, ClockReading, Timer, TimerOptions } from '../core/clock.ts';

/** Returns a reading of the system's wall time and monotonic time. */
export function wallClock(): ClockReading {
  return {
    nowMs: () => Date.now(),
    monoNs: () => process.hrtime.bigint(),
  };
}

/** Returns the system's clock with timers (the network edge's time). */
export function systemTimers(): Clock {
  return {
    nowMs: () => Date.now(),
    monoNs: () => process.hrtime.bigint(),
    preciseNowMs: () => performance.timeOrigin + performance.now(),
    setTimer(callback: () => void, delayMs: number, options?: TimerOptions): Timer {
      const handle = setTimeout(callback, Math.max(0, delayMs));
      if (options?.background === true) handle.unref();
      return { cancel: () => clearTimeout(handle) };
    },
  };
}
