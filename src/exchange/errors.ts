/**
 * Failure kinds of the Binance adapter. An `ExchangeError` says whether the venue certainly did
 * not act (`rejected`) or may have acted (`ambiguous`); a `WireFormatError` says a frame or body
 * did not have the documented shape.
 */

/** Whether the venue certainly did not act (`rejected`) or may have (`ambiguous`). */
export type ExchangeOutcome = 'rejected' | 'ambiguous';

export interface ExchangeErrorInit {
  readonly operation: string;
  readonly httpStatus: number | null;
  readonly binanceCode: number | null;
  readonly outcome: ExchangeOutcome;
  readonly retryAfterMs: number | null;
  readonly message: string;
  readonly cause?: unknown;
}

/** A REST call that did not succeed: HTTP error, Binance error code, timeout or socket failure. */
export class ExchangeError extends Error {
  readonly code = 'MM_ERR_EXCHANGE';
  readonly operation: string;
  readonly httpStatus: number | null;
  readonly binanceCode: number | null;
  readonly outcome: ExchangeOutcome;
  readonly retryAfterMs: number | null;
  /** Low-cardinality label for metrics (see `reasonSlug`). */
  readonly reason: string;

  constructor(init: ExchangeErrorInit) {
    super(`${init.operation}: ${init.message}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ExchangeError';
    this.operation = init.operation;
    this.httpStatus = init.httpStatus;
    this.binanceCode = init.binanceCode;
    this.outcome = init.outcome;
    this.retryAfterMs = init.retryAfterMs;
    this.reason = reasonSlug(init.binanceCode, init.httpStatus);
  }
}

/** A wire payload (REST body or stream frame) that is not of the documented shape. */
export class WireFormatError extends Error {
  readonly code = 'MM_ERR_WIRE_FORMAT';
  /** Dotted path of the offending field, e.g. "o.X". */
  readonly field: string;

  constructor(field: string, message: string, cause?: unknown) {
    super(`${field}: ${message}`, cause === undefined ? undefined : { cause });
    this.name = 'WireFormatError';
    this.field = field;
  }
}

/** A symbol we are asked to trade is listed but not open for trading (status SETTLING, CLOSE, ...). */
export class SymbolNotTradingError extends Error {
  readonly code = 'MM_ERR_SYMBOL_NOT_TRADING';
  readonly symbol: string;
  readonly status: string;

  constructor(symbol: string, status: string) {
    super(`${symbol} is not open for trading on the venue (exchangeInfo status ${status}): refusing to quote it`);
    this.name = 'SymbolNotTradingError';
    this.symbol = symbol;
    this.status = status;
  }
}

/** The streams did not open within the allowed time. */
export class ConnectTimeoutError extends Error {
  readonly code = 'MM_ERR_CONNECT_TIMEOUT';
  constructor(what: string, timeoutMs: number) {
    super(`${what} did not connect within ${timeoutMs} ms`);
    this.name = 'ConnectTimeoutError';
  }
}

const REASONS: ReadonlyMap<number, string> = new Map([
  [-1001, 'disconnected'],
  [-1003, 'rate_limited'],
  [-1006, 'unexpected_response'],
  [-1007, 'timeout'],
  [-1008, 'server_overloaded'],
  [-1015, 'too_many_orders'],
  [-1021, 'timestamp'],
  [-1022, 'signature'],
  [-1102, 'bad_parameter'],
  [-1111, 'bad_precision'],
  [-1121, 'invalid_symbol'],
  [-1125, 'listen_key_invalid'],
  [-2010, 'order_rejected'],
  [-2011, 'unknown_order'],
  [-2013, 'unknown_order'],
  [-2014, 'api_key_format'],
  [-2015, 'api_key_rejected'],
  [-2019, 'margin_insufficient'],
  [-2022, 'reduce_only_rejected'],
  [-4003, 'bad_quantity'],
  [-4014, 'price_off_tick'],
  [-4023, 'qty_off_step'],
  [-4046, 'no_change_needed'],
  [-4059, 'no_change_needed'],
  [-4164, 'min_notional'],
  [-5022, 'post_only_rejected'],
]);

/** Returns a short, low-cardinality reason label for a Binance code / HTTP status ("other" if unknown). */
export function reasonSlug(binanceCode: number | null, httpStatus: number | null = null): string {
  if (binanceCode !== null) {
    const slug = REASONS.get(binanceCode);
    if (slug !== undefined) return slug;
  }
  if (httpStatus === 429) return 'rate_limited';
  if (httpStatus === 418) return 'ip_banned';
  if (httpStatus === null) return binanceCode === null ? 'network' : 'other';
  if (httpStatus >= 500) return 'server_error';
  return 'other';
}

/** Codes Binance defines as "execution status unknown": -1006 (unexpected message-bus answer) and -1007 (backend timeout). */
const UNKNOWN_EXECUTION_CODES: ReadonlySet<number> = new Set([-1006, -1007]);

/**
 * Returns the outcome of an HTTP (or WebSocket API) error answer. 4xx is a rejection, except 408
 * (the gateway timed out waiting for the engine) and the codes that say the execution status is
 * unknown (-1006, -1007); 5xx is ambiguous (Binance: "execution status is UNKNOWN"), except
 * -1008, which the docs define as a throttle that never reached the engine.
 */
export function classifyHttpError(status: number, binanceCode: number | null): ExchangeOutcome {
  if (status === 408 || (binanceCode !== null && UNKNOWN_EXECUTION_CODES.has(binanceCode))) return 'ambiguous';
  if (status >= 500) return binanceCode === -1008 ? 'rejected' : 'ambiguous';
  return 'rejected';
}
