/** Exponential back-off with full jitter, capped. */

export interface BackoffOptions {
  /** First delay, ms. */
  readonly initialMs: number;
  /** Upper bound of any delay, ms. */
  readonly maxMs: number;
  /** Growth factor per attempt. */
  readonly multiplier: number;
  /** Fraction of the delay that is randomised (0 = none, 1 = full jitter). */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, multiplier: 2, jitter: 0.5 };

/** Returns the delay before reconnect attempt `attempt` (1-based); `random` is in [0, 1). */
export function backoffDelayMs(options: BackoffOptions, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(options.maxMs, options.initialMs * options.multiplier ** Math.max(0, attempt - 1));
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.round(base * (1 - jitter) + base * jitter * random());
}
