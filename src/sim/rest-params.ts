/**
 * Request parameters as Binance reads them: mandatory and optional values, integers, booleans,
 * limits, time windows, JSON lists, order references and new-order parameters, each failure
 * answered with Binance's code (-1102 missing, -1130 invalid, -1023 reversed window, ...).
 */
import type { OrderType, Side, TimeInForce } from '../core/model.ts';
import type { NewOrderRequest, OrderRef } from './engine-types.ts';
import { BinanceApiError, apiErrors } from './errors.ts';
import type { MatchingEngine } from './matching-engine.ts';
import { parsePrice, parseQty } from './wire-numbers.ts';

const CONDITIONAL_TYPES = new Set(['STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET']);

/** Returns a mandatory parameter, or throws -1102. */
export function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw apiErrors.mandatory(name);
  return value;
}

/** Returns a mandatory listed symbol (-1102 missing, -1121 unknown). */
export function symbolParam(params: URLSearchParams, engine: MatchingEngine): string {
  const symbol = required(params, 'symbol');
  engine.symbol(symbol);
  return symbol;
}

/** Returns an optional listed symbol, or null when absent. */
export function optionalSymbol(params: URLSearchParams, engine: MatchingEngine): string | null {
  const symbol = params.get('symbol');
  if (symbol === null || symbol === '') return null;
  engine.symbol(symbol);
  return symbol;
}

/** Returns an optional "true"/"false" parameter (false when absent). */
export function booleanParam(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  if (value === null || value === '') return false;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw apiErrors.illegalValue(name);
}

/** Returns a mandatory non-negative integer. */
export function integerParam(params: URLSearchParams, name: string): number {
  const text = required(params, name);
  if (!/^\d{1,16}$/.test(text)) throw apiErrors.illegalValue(name);
  return Number(text);
}

/** Returns an optional non-negative integer, or null when absent. */
export function optionalInteger(params: URLSearchParams, name: string): number | null {
  const text = params.get(name);
  if (text === null || text === '') return null;
  if (!/^\d{1,16}$/.test(text)) throw apiErrors.illegalValue(name);
  return Number(text);
}

/** Returns `limit` (default when absent), or -1130 when outside 1..max. */
export function limitParam(params: URLSearchParams, defaultLimit: number, max: number): number {
  const limit = optionalInteger(params, 'limit') ?? defaultLimit;
  if (limit < 1 || limit > max) throw apiErrors.illegalValue('limit');
  return limit;
}

/** Returns startTime/endTime (null when absent); -1023 when the start is after the end. */
export function timeWindow(params: URLSearchParams): { readonly startTime: number | null; readonly endTime: number | null } {
  const startTime = optionalInteger(params, 'startTime');
  const endTime = optionalInteger(params, 'endTime');
  if (startTime !== null && endTime !== null && startTime > endTime) throw apiErrors.startAfterEnd();
  return { startTime, endTime };
}

/** Returns an optional JSON list parameter (e.g. batchOrders, orderIdList), or null when absent; -1130 when it is not a JSON array. */
export function jsonListParam(params: URLSearchParams, name: string): unknown[] | null {
  const text = params.get(name);
  if (text === null || text === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw apiErrors.illegalValue(name);
  }
  if (!Array.isArray(parsed)) throw apiErrors.illegalValue(name);
  return parsed;
}

/** Returns the order named by orderId (preferred) or origClientOrderId, or -1102. */
export function orderRef(params: URLSearchParams): OrderRef {
  const orderId = params.get('orderId');
  if (orderId !== null && orderId !== '') {
    if (!/^\d{1,16}$/.test(orderId)) throw apiErrors.illegalValue('orderId');
    return { orderId: Number(orderId) };
  }
  const clientOrderId = params.get('origClientOrderId');
  if (clientOrderId !== null && clientOrderId !== '') return { clientOrderId };
  throw apiErrors.eitherParam('orderId', 'origClientOrderId');
}

/** Returns the side (-1117 otherwise). */
export function parseSide(text: string): Side {
  if (text === 'BUY' || text === 'SELL') return text;
  throw apiErrors.invalidSide();
}

function parseType(text: string): OrderType {
  if (text === 'LIMIT' || text === 'MARKET') return text;
  if (CONDITIONAL_TYPES.has(text))
    throw new BinanceApiError(-4120, 'Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.');
  throw apiErrors.invalidOrderType();
}

function parseTimeInForce(text: string): TimeInForce {
  if (text === 'GTC' || text === 'IOC' || text === 'FOK' || text === 'GTX') return text;
  throw apiErrors.invalidTimeInForce();
}

/** Returns whether the answer should be the order as accepted (ACK, the default) or after matching (RESULT); -1136 otherwise. */
export function responseType(params: URLSearchParams): 'ACK' | 'RESULT' {
  const text = params.get('newOrderRespType');
  if (text === null || text === '' || text === 'ACK') return 'ACK';
  if (text === 'RESULT') return 'RESULT';
  throw apiErrors.invalidResponseType();
}

/** Returns the engine request for new-order parameters (POST /fapi/v1/order, order/test, one batchOrders entry). */
export function parseNewOrder(params: URLSearchParams, engine: MatchingEngine): NewOrderRequest {
  const p = params;
  const symbol = symbolParam(p, engine);
  const sym = engine.symbol(symbol);
  const side = parseSide(required(p, 'side'));
  const type = parseType(required(p, 'type'));
  const positionSide = p.get('positionSide');
  if (positionSide !== null && positionSide !== 'BOTH') throw new BinanceApiError(-4061, "Order's position side does not match user's setting.");
  const qtySteps = parseQty(sym, required(p, 'quantity'));
  const reduceOnly = booleanParam(p, 'reduceOnly');
  const clientOrderId = p.get('newClientOrderId');
  const base = { symbol, side, type, qtySteps, reduceOnly, ...(clientOrderId !== null && clientOrderId !== '' ? { clientOrderId } : {}) };
  if (type === 'MARKET') {
    if (p.get('price') !== null) throw new BinanceApiError(-1106, "Parameter 'price' sent when not required.");
    if (p.get('timeInForce') !== null) throw new BinanceApiError(-1106, "Parameter 'timeInForce' sent when not required.");
    return base;
  }
  const timeInForce = parseTimeInForce(required(p, 'timeInForce'));
  const priceTicks = parsePrice(sym, required(p, 'price'));
  return { ...base, timeInForce, priceTicks };
}

/** Returns a JSON object's entries as request parameters (each batchOrders entry is a new-order parameter set). */
export function objectParams(value: unknown, name: string): URLSearchParams {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw apiErrors.illegalValue(name);
  const params = new URLSearchParams();
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') params.set(key, String(v));
    else throw apiErrors.illegalValue(key);
  }
  return params;
}
