/** Time, injected. The core never reads a clock; it receives `now` as an argument. */
export interface Clock {
  /** Returns wall-clock time in epoch milliseconds (timestamps, venue time comparisons). */
  nowMs(): number;
  /** Returns a monotonic time in nanoseconds (durations only). */
  monoNs(): bigint;
}
