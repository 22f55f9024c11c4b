/** The real clock, used when no clock is injected. */
import type { Clock } from '../core/clock.ts';

/** Returns a Clock reading the system's wall time and monotonic time. */
export function wallClock(): Clock {
  return {
    nowMs: () => Date.now(),
    monoNs: () => process.hrtime.bigint(),
  };
}
