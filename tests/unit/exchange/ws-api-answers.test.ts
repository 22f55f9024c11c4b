import { describe, expect, it } from 'vitest';
import { RATE_LIMIT_WAIT_MS } from '../../../src/core/model.ts';
import { WireFormatError } from '../../../src/exchange/errors.ts';
import { answerError, parseWsApiAnswer, usageOf, type WsApiErrorBody } from '../../../src/exchange/ws-api-answers.ts';
import { fixtureText } from './fixtures.ts';

const body = (code: number | null, data: Partial<Pick<WsApiErrorBody, 'retryAfterAtMs' | 'serverTimeMs'>> = {}): WsApiErrorBody => ({
  code,
  msg: 'x',
  retryAfterAtMs: data.retryAfterAtMs ?? null,
  serverTimeMs: data.serverTimeMs ?? null,
});

describe('WebSocket API answers', () => {
  it('reads the documented order.place answer: result and the usage of its rateLimits', () => {
    const answer = parseWsApiAnswer(fixtureText('ws-api-order-place'));
    expect(answer).toMatchObject({ id: '43a3843a-2321-4e45-8f79-351e5c354563', status: 200, error: null, result: { orderId: 336829446 } });
    expect(answer.usage).toEqual({ usedWeight1m: 1, orderCount10s: 1, orderCount1m: 0 });
  });

  it('reads the documented error answers: code, message, and the ban with its retry time', () => {
    expect(parseWsApiAnswer(fixtureText('ws-api-error'))).toMatchObject({
      status: 400,
      result: undefined,
      error: { code: -1102, msg: "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.", retryAfterAtMs: null },
      usage: { usedWeight1m: 1, orderCount10s: 1, orderCount1m: 1 },
    });
    // A window this adapter does not track (the Spot sample's 1-day order count) is left out.
    expect(usageOf([{ rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160000, count: 4044 }])).toEqual({});
    expect(parseWsApiAnswer(fixtureText('ws-api-banned')).error).toEqual({
      code: -1003,
      msg: 'Way too much request weight used; IP banned until 1659146400000. Please use WebSocket Streams for live updates to avoid bans.',
      retryAfterAtMs: 1659146400000,
      serverTimeMs: 1659142907531,
    });
  });

  it('refuses frames that are not answers, naming the field', () => {
    expect(() => parseWsApiAnswer('nope')).toThrow(WireFormatError);
    expect(() => parseWsApiAnswer('{"id":"a","status":"200","result":{}}')).toThrow(/status/);
    expect(() => parseWsApiAnswer('{"id":"a","status":200}')).toThrow(/result/);
    expect(() => parseWsApiAnswer('{"id":{},"status":200,"result":{}}')).toThrow(/id/);
    expect(() => parseWsApiAnswer('{"id":"a","status":400,"error":"bad"}')).toThrow(/error/);
    expect(() => usageOf([{ rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 }])).toThrow(/count/);
  });

  it('maps failures to the REST outcomes: rejected, ambiguous, and 429/418 with how long to wait', () => {
    const now = 1_000_000;
    expect(answerError('order.place', 400, body(-2019), now)).toMatchObject({ outcome: 'rejected', httpStatus: 400, binanceCode: -2019, retryAfterMs: null });
    expect(answerError('order.place', 400, body(-5022), now)).toMatchObject({ outcome: 'rejected', reason: 'post_only_rejected' });
    expect(answerError('order.place', 400, body(-1021), now)).toMatchObject({ outcome: 'rejected', reason: 'timestamp' });
    expect(answerError('order.place', 401, body(-2015), now)).toMatchObject({ outcome: 'rejected', httpStatus: 401 });
    expect(answerError('order.place', 503, body(-1000), now)).toMatchObject({ outcome: 'ambiguous', httpStatus: 503 });
    expect(answerError('order.place', 500, body(null), now)).toMatchObject({ outcome: 'ambiguous' });
    expect(answerError('order.place', 503, body(-1008), now)).toMatchObject({ outcome: 'rejected' });
    expect(answerError('order.place', 408, body(-1007), now)).toMatchObject({ outcome: 'ambiguous' });
    expect(answerError('order.place', 400, body(-1006), now)).toMatchObject({ outcome: 'ambiguous' });
    expect(answerError('order.place', 429, body(-1003, { retryAfterAtMs: 2_000_000, serverTimeMs: 1_990_000 }), now)).toMatchObject({
      outcome: 'rejected',
      httpStatus: 429,
      retryAfterMs: 10_000,
    });
    expect(answerError('order.place', 429, body(-1015, { retryAfterAtMs: now + 3_000 }), now).retryAfterMs).toBe(3_000);
    expect(answerError('order.place', 429, body(-1003), now).retryAfterMs).toBe(RATE_LIMIT_WAIT_MS[429]);
    expect(answerError('order.place', 418, body(-1003), now)).toMatchObject({
      outcome: 'rejected',
      retryAfterMs: RATE_LIMIT_WAIT_MS[418],
      reason: 'rate_limited',
    });
    expect(answerError('order.place', 400, body(-2010), now).message).toBe('order.place: WS 400 -2010 x');
  });
});
