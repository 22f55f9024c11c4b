/**
 * One rate-limit policy, honoured end to end: the REST client backs off for the venue's
 * Retry-After, or for the documented default (429: 10 s, 418: 120 s) when there is none, and the
 * rejection it returns carries that same wait for the runner. Safety requests are urgent: a 429
 * back-off does not hold them, a 418 ban does.
 */
import { describe, expect, it } from 'vitest';
import { RATE_LIMIT_WAIT_MS } from '../../../src/core/model.ts';
import { ExchangeError } from '../../../src/exchange/errors.ts';
import { BinanceRestClient } from '../../../src/exchange/rest-client.ts';
import type { RestRequest, RestResponse, RestTransport } from '../../../src/exchange/rest-transport.ts';
import { ManualTime } from '../../support/manual-time.ts';

/** A transport answering `status` (with an optional Retry-After) and recording every request. */
function transport(status: number, retryAfterMs: number | null) {
  const sent: RestRequest[] = [];
  const t: RestTransport = {
    send: async (request) => {
      sent.push(request);
      const response: RestResponse = {
        status,
        rateLimits: {},
        retryAfterMs,
        body: status === 200 ? {} : { code: -1003, msg: 'Too many requests' },
        text: '',
      };
      return response;
    },
    close: async () => {},
  };
  return { t, sent };
}

function client(status: number, retryAfterMs: number | null) {
  const time = new ManualTime();
  const { t, sent } = transport(status, retryAfterMs);
  const rest = new BinanceRestClient({ restUrl: 'http://127.0.0.1:1', apiKey: 'k', apiSecret: 's', clock: time, baseTransport: t });
  return { rest, sent, time };
}

async function rejection(call: Promise<unknown>): Promise<ExchangeError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof ExchangeError)) throw new Error(`expected an ExchangeError, got ${String(error)}`);
  return error;
}

describe('rate-limit policy', () => {
  it('a 429 without Retry-After backs off for the documented 10 s, and says so', async () => {
    const { rest } = client(429, null);
    const error = await rejection(rest.openOrders('BTCUSDT'));
    expect(error.retryAfterMs).toBe(RATE_LIMIT_WAIT_MS[429]);
    expect(RATE_LIMIT_WAIT_MS[429]).toBe(10_000);
    expect(rest.backoffRemainingMs()).toBe(10_000);
  });

  it('a 418 without Retry-After backs off for the documented 120 s', async () => {
    const { rest } = client(418, null);
    expect((await rejection(rest.openOrders('BTCUSDT'))).retryAfterMs).toBe(120_000);
    expect(rest.backoffRemainingMs()).toBe(120_000);
  });

  it('a Retry-After of 3 s backs off for 3 s: nothing is sent until it has passed', async () => {
    const { rest, sent, time } = client(429, 3_000);
    expect((await rejection(rest.openOrders('BTCUSDT'))).retryAfterMs).toBe(3_000);
    const refused = await rejection(rest.openOrders('BTCUSDT'));
    expect(refused.message).toMatch(/not sent: backing off after HTTP 429/);
    expect(sent).toHaveLength(1);
    await time.advance(3_000);
    expect(rest.backoffRemainingMs()).toBe(0);
    await rejection(rest.openOrders('BTCUSDT'));
    expect(sent).toHaveLength(2);
  });

  it('the dead-man switch, cancel-all and an urgent open-orders check go out during a 429 back-off, not during a 418 ban', async () => {
    const limited = client(429, 30_000);
    await rejection(limited.rest.openOrders('BTCUSDT'));
    await rejection(limited.rest.countdownCancelAll('BTCUSDT', 30_000));
    await rejection(limited.rest.cancelAllOpenOrders('BTCUSDT'));
    await rejection(limited.rest.openOrders('BTCUSDT', true));
    expect(limited.sent.map((r) => r.operation)).toEqual(['openOrders', 'countdownCancelAll', 'cancelAllOpenOrders', 'openOrders']);

    const banned = client(418, 30_000);
    await rejection(banned.rest.openOrders('BTCUSDT'));
    await rejection(banned.rest.countdownCancelAll('BTCUSDT', 30_000));
    await rejection(banned.rest.cancelAllOpenOrders('BTCUSDT'));
    expect(banned.sent.map((r) => r.operation)).toEqual(['openOrders']);
  });
});
