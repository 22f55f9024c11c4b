/**
 * WebSocket API answers `{"id","status","result"|"error","rateLimits"}` read into typed values,
 * and a failed answer turned into the same ExchangeError a REST call would raise: 429/418 are
 * rejections carrying how long to wait (`error.data.retryAfter`, else RATE_LIMIT_WAIT_MS), 5xx,
 * 408, -1006 and -1007 are ambiguous (the venue may have acted), anything else a rejection.
 */
import { RATE_LIMIT_WAIT_MS, type RateLimitUsage } from '../core/model.ts';
import { classifyHttpError, ExchangeError, WireFormatError } from './errors.ts';
import { asArray, asObject, int, parseJson, str, type JsonObject } from './wire/fields.ts';

export interface WsApiErrorBody {
  readonly code: number | null;
  readonly msg: string;
  /** When the venue allows the next request (epoch ms), from `error.data.retryAfter`. */
  readonly retryAfterAtMs: number | null;
  /** The venue's clock when it answered, from `error.data.serverTime`. */
  readonly serverTimeMs: number | null;
}

/** One answer frame. */
export interface WsApiAnswer {
  /** The request id it answers (as a string). */
  readonly id: string | null;
  readonly status: number;
  /** The `result` of a successful answer (undefined on an error). */
  readonly result: unknown;
  readonly error: WsApiErrorBody | null;
  /** What `rateLimits` reported (null when the answer had none). */
  readonly usage: RateLimitUsage | null;
}

function idOf(frame: JsonObject): string | null {
  const id = frame['id'];
  if (id === null) return null;
  if (typeof id === 'string') return id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  throw new WireFormatError('id', 'expected a string, an integer or null');
}

function optionalNumber(obj: JsonObject | null, key: string): number | null {
  const value = obj?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function errorBody(value: unknown): WsApiErrorBody {
  const error = asObject(value, 'error');
  const code = error['code'];
  const data = typeof error['data'] === 'object' && error['data'] !== null ? (error['data'] as JsonObject) : null;
  return {
    code: typeof code === 'number' && Number.isSafeInteger(code) ? code : null,
    msg: typeof error['msg'] === 'string' ? error['msg'] : '',
    retryAfterAtMs: optionalNumber(data, 'retryAfter'),
    serverTimeMs: optionalNumber(data, 'serverTime'),
  };
}

/** Returns the usage a `rateLimits` list reports: weight per minute, orders per 10 s and per minute (other windows ignored). */
export function usageOf(rateLimits: unknown): RateLimitUsage {
  const usage: { usedWeight1m?: number; orderCount10s?: number; orderCount1m?: number } = {};
  const list = asArray(rateLimits, 'rateLimits');
  for (let i = 0; i < list.length; i++) {
    const path = `rateLimits[${i}]`;
    const entry = asObject(list[i], path);
    const type = str(entry, 'rateLimitType', `${path}.rateLimitType`);
    const window = `${int(entry, 'intervalNum', `${path}.intervalNum`)} ${str(entry, 'interval', `${path}.interval`)}`;
    const count = int(entry, 'count', `${path}.count`);
    if (type === 'REQUEST_WEIGHT' && window === '1 MINUTE') usage.usedWeight1m = count;
    else if (type === 'ORDERS' && window === '10 SECOND') usage.orderCount10s = count;
    else if (type === 'ORDERS' && window === '1 MINUTE') usage.orderCount1m = count;
  }
  return usage;
}

/** Returns the answer in a text frame, or throws a WireFormatError naming what is wrong. */
export function parseWsApiAnswer(text: string): WsApiAnswer {
  const frame = asObject(parseJson(text), '$');
  const id = idOf(frame);
  const status = frame['status'];
  if (typeof status !== 'number' || !Number.isSafeInteger(status)) throw new WireFormatError('status', 'expected an integer');
  const usage = frame['rateLimits'] === undefined ? null : usageOf(frame['rateLimits']);
  if (status === 200) {
    if (!('result' in frame)) throw new WireFormatError('result', 'a successful answer without a result');
    return { id, status, result: frame['result'], error: null, usage };
  }
  return { id, status, result: undefined, error: errorBody(frame['error']), usage };
}

/**
 * Returns the ExchangeError of a failed answer to `operation`. `venueNowMs` dates a retryAfter
 * that came without the venue's serverTime.
 */
export function answerError(operation: string, status: number, error: WsApiErrorBody, venueNowMs: number): ExchangeError {
  const message = `WS ${status}${error.code === null ? '' : ` ${error.code}`} ${error.msg}`.trim();
  if (status === 429 || status === 418) {
    const since = error.serverTimeMs ?? venueNowMs;
    const waitMs = error.retryAfterAtMs !== null && error.retryAfterAtMs > since ? error.retryAfterAtMs - since : RATE_LIMIT_WAIT_MS[status];
    return new ExchangeError({ operation, httpStatus: status, binanceCode: error.code, outcome: 'rejected', retryAfterMs: waitMs, message });
  }
  return new ExchangeError({
    operation,
    httpStatus: status,
    binanceCode: error.code,
    outcome: classifyHttpError(status, error.code),
    retryAfterMs: null,
    message,
  });
}
