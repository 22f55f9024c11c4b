/**
 * The venue's one rate-limit back-off, shared by every transport to it (REST and the WebSocket
 * API count against the same limits at Binance): after a 429 nothing but urgent requests is
 * sent until the wait is over, after a 418 (IP ban) nothing at all. It also keeps the last
 * usage the venue reported, from REST headers or WebSocket API `rateLimits`.
 */
import type { Clock } from '../core/clock.ts';
import type { RateLimitUsage } from '../core/model.ts';
import { ExchangeError } from './errors.ts';

export class RateLimitGate {
  private readonly clock: Clock;
  private untilMs = 0;
  private status: 429 | 418 | 0 = 0;
  private usage: { usedWeight1m?: number; orderCount10s?: number; orderCount1m?: number } = {};

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Returns the ms left of a 429/418 back-off (0 when none). */
  remainingMs(): number {
    return Math.max(0, this.untilMs - this.clock.nowMs());
  }

  /**
   * Returns the rejection of a request that must not be sent now (null when it may go): during a
   * 429 back-off only `urgent` requests go, during a 418 ban none does.
   */
  refusal(operation: string, urgent: boolean): ExchangeError | null {
    const remaining = this.remainingMs();
    if (remaining <= 0 || (urgent && this.status === 429)) return null;
    return new ExchangeError({
      operation,
      httpStatus: this.status,
      binanceCode: null,
      outcome: 'rejected',
      retryAfterMs: remaining,
      message: `not sent: backing off after HTTP ${this.status} for ${remaining} ms more`,
    });
  }

  /** Stops sending for `waitMs` after a 429 or 418 (a longer back-off already running is kept). */
  backOff(status: 429 | 418, waitMs: number): void {
    this.untilMs = Math.max(this.untilMs, this.clock.nowMs() + waitMs);
    this.status = status;
  }

  /** Records the usage a response reported; values it did not report keep their last reading. */
  recordUsage(usage: RateLimitUsage): void {
    if (usage.usedWeight1m !== undefined) this.usage.usedWeight1m = usage.usedWeight1m;
    if (usage.orderCount10s !== undefined) this.usage.orderCount10s = usage.orderCount10s;
    if (usage.orderCount1m !== undefined) this.usage.orderCount1m = usage.orderCount1m;
  }

  /** Returns the last reported usage. */
  lastUsage(): RateLimitUsage {
    return { ...this.usage };
  }
}
