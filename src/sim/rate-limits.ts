/**
 * Binance's request-weight and order-count limits, counted in fixed windows of the venue
 * clock (weight per minute, orders per 10 s and per minute), reported in X-MBX-* headers.
 */

export interface RateLimits {
  readonly weight1m: number;
  readonly orders10s: number;
  readonly orders1m: number;
}

/** Returns Binance's published USDⓈ-M defaults. */
export function binanceRateLimits(): RateLimits {
  return { weight1m: 2400, orders10s: 300, orders1m: 1200 };
}

/** How many orders a request counts in each order window (a batch of five counts 5 per 10 s, 1 per minute). */
export interface OrderCount {
  readonly per10s: number;
  readonly per1m: number;
}

/** A request that places no order. */
export const NO_ORDERS: OrderCount = { per10s: 0, per1m: 0 };
/** A request that places (or amends) one order. */
export const ONE_ORDER: OrderCount = { per10s: 1, per1m: 1 };

export interface Usage {
  readonly weight1m: number;
  readonly orders10s: number;
  readonly orders1m: number;
  /** Which limit this request broke, with the seconds until its window ends. */
  readonly exceeded: { readonly limit: 'weight' | 'orders10s' | 'orders1m'; readonly retryAfterSec: number } | null;
}

class FixedWindow {
  private windowStart = -1;
  private count = 0;
  private readonly lengthMs: number;

  constructor(lengthMs: number) {
    this.lengthMs = lengthMs;
  }

  add(amount: number, nowMs: number): number {
    const start = Math.floor(nowMs / this.lengthMs) * this.lengthMs;
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.count = 0;
    }
    this.count += amount;
    return this.count;
  }

  secondsLeft(nowMs: number): number {
    return Math.max(1, Math.ceil((this.windowStart + this.lengthMs - nowMs) / 1000));
  }
}

export class RateLimiter {
  private readonly limits: RateLimits;
  private readonly weight = new FixedWindow(60_000);
  private readonly orders10s = new FixedWindow(10_000);
  private readonly orders1m = new FixedWindow(60_000);

  constructor(limits: RateLimits) {
    this.limits = limits;
  }

  /** Returns the configured limits. */
  configured(): RateLimits {
    return this.limits;
  }

  /** Counts one request of `weight` placing `orders`; returns the usage and any limit broken. */
  record(weight: number, orders: OrderCount, nowMs: number): Usage {
    const weight1m = this.weight.add(weight, nowMs);
    const orders10s = this.orders10s.add(orders.per10s, nowMs);
    const orders1m = this.orders1m.add(orders.per1m, nowMs);
    let exceeded: Usage['exceeded'] = null;
    if (weight1m > this.limits.weight1m) exceeded = { limit: 'weight', retryAfterSec: this.weight.secondsLeft(nowMs) };
    else if (orders.per10s > 0 && orders10s > this.limits.orders10s) exceeded = { limit: 'orders10s', retryAfterSec: this.orders10s.secondsLeft(nowMs) };
    else if (orders.per1m > 0 && orders1m > this.limits.orders1m) exceeded = { limit: 'orders1m', retryAfterSec: this.orders1m.secondsLeft(nowMs) };
    return { weight1m, orders10s, orders1m, exceeded };
  }
}

/** One entry of a WebSocket API answer's `rateLimits` list. */
export interface RateLimitJson {
  readonly rateLimitType: 'REQUEST_WEIGHT' | 'ORDERS';
  readonly interval: 'SECOND' | 'MINUTE';
  readonly intervalNum: number;
  readonly limit: number;
  readonly count: number;
}

/**
 * Returns the `rateLimits` of a WebSocket API answer: the weight, then the order counts when the
 * request counts orders (the order of the WebSocket API General Info page's example).
 */
export function rateLimitsJson(usage: Usage, limits: RateLimits, countsOrders: boolean): RateLimitJson[] {
  const weight: RateLimitJson = { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: limits.weight1m, count: usage.weight1m };
  if (!countsOrders) return [weight];
  return [
    weight,
    { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: limits.orders10s, count: usage.orders10s },
    { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: limits.orders1m, count: usage.orders1m },
  ];
}
