/**
 * The simulator's clock when none is injected. The simulator only reads time (order and event
 * timestamps, recvWindow checks); its matching steps run on an interval that tests switch off
 * (`autoStep: false`) and drive by hand.
 */
import type { ClockReading } from '../core/clock.ts';

/** Returns a reading of the system's wall time and monotonic time. */
export function wallClock(): ClockReading {
  return {
    nowMs: () => Date.now(),
    monoNs: () => process.hrtime.bigint(),
  };
}
