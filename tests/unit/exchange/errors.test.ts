import { describe, expect, it } from 'vitest';
import { classifyHttpError, ExchangeError, reasonSlug } from '../../../src/exchange/errors.ts';
import { redactUrl } from '../../../src/exchange/rest-transport.ts';
import { backoffDelayMs } from '../../../src/exchange/backoff.ts';

describe('error classification', () => {
  it('maps known codes to low-cardinality reasons', () => {
    expect(reasonSlug(-5022)).toBe('post_only_rejected');
    expect(reasonSlug(-2022)).toBe('reduce_only_rejected');
    expect(reasonSlug(-4164)).toBe('min_notional');
    expect(reasonSlug(-2019)).toBe('margin_insufficient');
    expect(reasonSlug(-1021)).toBe('timestamp');
    expect(reasonSlug(-1022)).toBe('signature');
    expect(reasonSlug(-1003)).toBe('rate_limited');
    expect(reasonSlug(-2011)).toBe('unknown_order');
    expect(reasonSlug(-2013)).toBe('unknown_order');
    expect(reasonSlug(-9999, 400)).toBe('other');
    expect(reasonSlug(null, 418)).toBe('ip_banned');
    expect(reasonSlug(null, null)).toBe('network');
    expect(reasonSlug(null, 502)).toBe('server_error');
  });

  it('treats 4xx as rejected, 5xx and 408 as ambiguous, -1008 as a certain failure', () => {
    expect(classifyHttpError(400, -2019)).toBe('rejected');
    expect(classifyHttpError(408, null)).toBe('ambiguous');
    expect(classifyHttpError(500, null)).toBe('ambiguous');
    expect(classifyHttpError(503, -1000)).toBe('ambiguous');
    expect(classifyHttpError(503, -1008)).toBe('rejected');
    expect(classifyHttpError(400, -1007)).toBe('ambiguous');
    expect(classifyHttpError(400, -1006)).toBe('ambiguous');
  });

  it('carries a stable code, the outcome and the cause', () => {
    const cause = new Error('socket hang up');
    const error = new ExchangeError({
      operation: 'newOrder',
      httpStatus: null,
      binanceCode: null,
      outcome: 'ambiguous',
      retryAfterMs: null,
      message: 'reset',
      cause,
    });
    expect(error.code).toBe('MM_ERR_EXCHANGE');
    expect(error.outcome).toBe('ambiguous');
    expect(error.cause).toBe(cause);
    expect(error.reason).toBe('network');
  });
});

describe('redactUrl', () => {
  it('masks the signature and key-like parameters', () => {
    const url = redactUrl({ path: '/fapi/v1/order', query: 'symbol=BTCUSDT&listenKey=abc&timestamp=1&signature=deadbeef' });
    expect(url).toBe('/fapi/v1/order?symbol=BTCUSDT&listenKey=***&timestamp=1&signature=***');
    expect(url).not.toContain('deadbeef');
    expect(redactUrl({ path: '/fapi/v1/ping', query: '' })).toBe('/fapi/v1/ping');
  });
});

describe('backoff', () => {
  it('grows exponentially, is capped, and jitters within bounds', () => {
    const options = { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0.5 };
    expect(backoffDelayMs(options, 1, () => 0)).toBe(50);
    expect(backoffDelayMs(options, 1, () => 0.999999)).toBe(100);
    expect(backoffDelayMs(options, 3, () => 0.999999)).toBe(400);
    expect(backoffDelayMs(options, 20, () => 0.999999)).toBe(1000);
  });
});
