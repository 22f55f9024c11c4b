/**
 * Time, injected: one Clock owns wall time, monotonic time and timers, and is passed to every
 * component that needs one (the runner, the exchange adapter, the simulator, telemetry). The
 * core itself never reads a clock: it receives `now` as an argument. Tests use a manual clock
 * (tests/support/manual-time.ts) that moves, and fires timers, only when told.
 */

/** A pending timer. */
export interface Timer {
  /** Stops the timer if it has not fired yet (idempotent). */
  cancel(): void;
}

/** How a timer behaves beyond firing. */
export interface TimerOptions {
  /**
   * A background timer (a flush, a hold limit, a safety net) never keeps the process alive on
   * its own: a process with nothing else to do exits without waiting for it.
   */
  readonly background?: boolean;
}

export interface Clock {
  /** Returns wall-clock time in epoch milliseconds (timestamps, venue time comparisons). */
  nowMs(): number;
  /** Returns a monotonic time in nanoseconds (durations only). */
  monoNs(): bigint;
  /**
   * Returns wall time in epoch milliseconds with sub-millisecond precision, for span timestamps
   * (a span must not end before the requests it covers, within the same millisecond).
   */
  preciseNowMs(): number;
  /** Runs `callback` once, `delayMs` (>= 0) from now. */
  setTimer(callback: () => void, delayMs: number, options?: TimerOptions): Timer;
}

/** What reads the time without setting timers (timestamp formatters). */
export type ClockReading = Pick<Clock, 'nowMs' | 'monoNs'>;

/** Resolves `ms` from now on the clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimer(resolve, ms);
  });
}

/** Runs `callback` every `intervalMs` until the returned timer is cancelled. */
export function every(clock: Clock, intervalMs: number, callback: () => void, options?: TimerOptions): Timer {
  let cancelled = false;
  let current: Timer;
  const arm = (): void => {
    current = clock.setTimer(
      () => {
        if (cancelled) return;
        arm();
        callback();
      },
      intervalMs,
      options,
    );
  };
  arm();
  return {
    cancel: () => {
      cancelled = true;
      current.cancel();
    },
  };
}

/** Resolves with `work`, or with undefined once `ms` have passed on the clock, whichever is first. */
export async function within<T>(clock: Clock, ms: number, work: Promise<T>): Promise<T | undefined> {
  let timer: Timer | null = null;
  const deadline = new Promise<undefined>((resolve) => {
    timer = clock.setTimer(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    (timer as Timer | null)?.cancel();
  }
}
