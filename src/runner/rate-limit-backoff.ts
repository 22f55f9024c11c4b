/**
 * The runner's side of the one rate-limit policy (RATE_LIMIT_WAIT_MS in src/core/model.ts): a
 * command answered 429 or 418 stops quoting for the wait the rejection carries (the venue's
 * Retry-After, else the documented default); another one meanwhile extends it. The adapter
 * enforces the same wait on every request (safety requests excepted during a 429).
 */
import type { Clock, Timer } from '../core/clock.ts';
import type { EventBus } from '../core/events.ts';
import { RATE_LIMIT_WAIT_MS, type CommandOutcome } from '../core/model.ts';

export interface RateLimitBackoffDeps {
  readonly clock: Clock;
  readonly bus: EventBus;
  /** Told when the back-off starts (true) and ends (false). */
  readonly onChange: (limited: boolean) => void;
}

export class RateLimitBackoff {
  private readonly deps: RateLimitBackoffDeps;
  private timer: Timer | null = null;

  constructor(deps: RateLimitBackoffDeps) {
    this.deps = deps;
  }

  /** Returns true while backing off. */
  limited(): boolean {
    return this.timer !== null;
  }

  /** Reads one command outcome; a 429/418 rejection starts (or restarts) the back-off. */
  observe(outcome: CommandOutcome<unknown>): void {
    if (outcome.kind !== 'rejected' || (outcome.httpStatus !== 429 && outcome.httpStatus !== 418)) return;
    const waitMs = outcome.retryAfterMs ?? RATE_LIMIT_WAIT_MS[outcome.httpStatus];
    this.deps.bus.emit('rate_limited', { status: outcome.httpStatus, retry_after_ms: waitMs, operation: 'order' });
    this.timer?.cancel();
    this.deps.onChange(true);
    this.timer = this.deps.clock.setTimer(() => {
      this.timer = null;
      this.deps.onChange(false);
    }, waitMs);
  }

  /** Ends the back-off without telling anyone (the runner is stopping). */
  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }
}
