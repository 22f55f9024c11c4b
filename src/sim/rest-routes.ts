/**
 * The Binance USDⓈ-M REST endpoints the simulator answers: market data, orders, account and
 * listenKey. Each route declares its security, its request weight and how many orders it
 * places, and returns the JSON body Binance would (or throws a BinanceApiError).
 */
import type { MarginType, OrderType, Side, TimeInForce } from '../core/model.ts';
import { apiErrors, BinanceApiError } from './errors.ts';
import type { FaultController } from './faults.ts';
import type { Fill, NewOrderRequest, OrderRef, PositionView } from './matching-engine.ts';
import type { RateLimits } from './rate-limits.ts';
import type { SimulatedExchange } from './simulated-exchange.ts';
import {
  accountJson,
  balanceJson,
  depthSnapshotJson,
  exchangeInfoJson,
  orderJson,
  positionRiskV2Json,
  positionRiskV3Json,
  premiumIndexJson,
  restBookTickerJson,
  userTradeJson,
} from './wire-format.ts';
import { parsePrice, parseQty } from './wire-numbers.ts';

export type Security = 'NONE' | 'USER_STREAM' | 'SIGNED';

export interface RouteContext {
  readonly params: URLSearchParams;
  readonly nowMs: number;
  readonly exchange: SimulatedExchange;
  readonly faults: FaultController;
  readonly limits: RateLimits;
}

export interface Route {
  readonly security: Security;
  /** IP weight of the request (X-MBX-USED-WEIGHT-1M). */
  readonly weight: (params: URLSearchParams) => number;
  /** Orders the request places (X-MBX-ORDER-COUNT-*). */
  readonly orders: number;
  /** Whether the ambiguous-503 fault applies. */
  readonly orderEndpoint: boolean;
  readonly handle: (ctx: RouteContext) => unknown;
}

const CONDITIONAL_TYPES = new Set(['STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET']);
const DEPTH_WEIGHTS: ReadonlyArray<readonly [number, number]> = [
  [5, 2],
  [10, 2],
  [20, 2],
  [50, 2],
  [100, 5],
  [500, 10],
  [1000, 20],
];

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw apiErrors.mandatory(name);
  return value;
}

function symbolParam(ctx: RouteContext): string {
  const symbol = required(ctx.params, 'symbol');
  ctx.exchange.engine.symbol(symbol);
  return symbol;
}

function optionalSymbol(ctx: RouteContext): string | null {
  const symbol = ctx.params.get('symbol');
  if (symbol === null || symbol === '') return null;
  ctx.exchange.engine.symbol(symbol);
  return symbol;
}

function booleanParam(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  if (value === null || value === '') return false;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw apiErrors.illegalValue(name);
}

function integerParam(params: URLSearchParams, name: string): number {
  const text = required(params, name);
  if (!/^\d+$/.test(text)) throw apiErrors.illegalValue(name);
  return Number(text);
}

function optionalInteger(params: URLSearchParams, name: string): number | null {
  const text = params.get(name);
  if (text === null || text === '') return null;
  if (!/^\d{1,16}$/.test(text)) throw apiErrors.illegalValue(name);
  return Number(text);
}

const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Returns the trades GET /fapi/v1/userTrades selects, oldest first: from `fromId` (inclusive,
 * not combinable with a time), else within [startTime, endTime] (at most 7 days; one bound
 * given, the other is 7 days away; neither, the last 7 days), the first `limit` (default 500,
 * at most 1000) in time order; with neither `fromId` nor a time, the most recent `limit`.
 */
export function selectUserTrades(fills: readonly Fill[], params: URLSearchParams, symbol: string, nowMs: number): Fill[] {
  const orderId = optionalInteger(params, 'orderId');
  const fromId = optionalInteger(params, 'fromId');
  const startTime = optionalInteger(params, 'startTime');
  const endTime = optionalInteger(params, 'endTime');
  const limit = optionalInteger(params, 'limit') ?? 500;
  if (limit < 1 || limit > 1000) throw apiErrors.illegalValue('limit');
  if (fromId !== null && (startTime !== null || endTime !== null)) throw apiErrors.invalidParameterCombination();
  if (startTime !== null && endTime !== null && (endTime < startTime || endTime - startTime > SEVEN_DAYS_MS)) throw apiErrors.lookupIntervalTooBig();
  const ours = fills.filter((f) => f.symbol === symbol && (orderId === null || f.orderId === orderId));
  if (fromId !== null) return ours.filter((f) => f.tradeId >= fromId).slice(0, limit);
  if (startTime === null && endTime === null) return ours.filter((f) => f.timeMs >= nowMs - SEVEN_DAYS_MS).slice(-limit);
  const from = startTime ?? (endTime ?? nowMs) - SEVEN_DAYS_MS;
  const to = endTime ?? from + SEVEN_DAYS_MS;
  return ours.filter((f) => f.timeMs >= from && f.timeMs <= to).slice(0, limit);
}

function orderRef(params: URLSearchParams): OrderRef {
  const orderId = params.get('orderId');
  if (orderId !== null && orderId !== '') {
    if (!/^\d+$/.test(orderId)) throw apiErrors.illegalValue('orderId');
    return { orderId: Number(orderId) };
  }
  const clientOrderId = params.get('origClientOrderId');
  if (clientOrderId !== null && clientOrderId !== '') return { clientOrderId };
  throw apiErrors.eitherParam('orderId', 'origClientOrderId');
}

function parseSide(text: string): Side {
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

/** Returns the engine request for POST /fapi/v1/order params, or throws Binance's parameter error. */
export function parseNewOrder(ctx: RouteContext): NewOrderRequest {
  const p = ctx.params;
  const symbol = symbolParam(ctx);
  const sym = ctx.exchange.engine.symbol(symbol);
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

function depthWeight(params: URLSearchParams): number {
  const limit = Number(params.get('limit') ?? '500');
  return DEPTH_WEIGHTS.find(([max]) => limit <= max)?.[1] ?? 20;
}

const fixed = (weight: number) => (): number => weight;

/** Returns every REST route keyed by "METHOD /path". */
export function restRoutes(): ReadonlyMap<string, Route> {
  const routes = new Map<string, Route>();
  const add = (key: string, route: Route): void => void routes.set(key, route);
  const market = (weight: Route['weight'], handle: Route['handle']): Route => ({ security: 'NONE', weight, orders: 0, orderEndpoint: false, handle });
  const signed = (weight: Route['weight'], handle: Route['handle'], orders = 0, orderEndpoint = false): Route => ({
    security: 'SIGNED',
    weight,
    orders,
    orderEndpoint,
    handle,
  });
  const stream = (handle: Route['handle']): Route => ({ security: 'USER_STREAM', weight: fixed(1), orders: 0, orderEndpoint: false, handle });

  add(
    'GET /fapi/v1/ping',
    market(fixed(1), () => ({})),
  );
  add(
    'GET /fapi/v1/time',
    market(fixed(1), (ctx) => ({ serverTime: ctx.nowMs })),
  );
  add(
    'GET /fapi/v1/exchangeInfo',
    market(fixed(1), (ctx) => exchangeInfoJson(ctx.exchange.symbols(), ctx.nowMs, ctx.limits)),
  );
  add(
    'GET /fapi/v1/depth',
    market(depthWeight, (ctx) => {
      const symbol = symbolParam(ctx);
      const limitText = ctx.params.get('limit') ?? '500';
      const limit = Number(limitText);
      if (!DEPTH_WEIGHTS.some(([allowed]) => allowed === limit)) throw apiErrors.illegalValue('limit');
      return depthSnapshotJson(ctx.exchange.engine.symbol(symbol), ctx.exchange.book(symbol).snapshot(limit), ctx.nowMs);
    }),
  );
  add(
    'GET /fapi/v1/ticker/bookTicker',
    market(
      (p) => (p.get('symbol') ? 2 : 5),
      (ctx) => {
        const one = optionalSymbol(ctx);
        const entry = (symbol: string): unknown => restBookTickerJson(ctx.exchange.engine.symbol(symbol), ctx.exchange.book(symbol).top(), ctx.nowMs);
        return one !== null ? entry(one) : ctx.exchange.engine.symbolNames().map(entry);
      },
    ),
  );
  add(
    'GET /fapi/v1/premiumIndex',
    market(
      (p) => (p.get('symbol') ? 1 : 10),
      (ctx) => {
        const one = optionalSymbol(ctx);
        const entry = (symbol: string): unknown => premiumIndexJson(ctx.exchange.engine.symbol(symbol), ctx.exchange.funding(symbol), ctx.nowMs);
        return one !== null ? entry(one) : ctx.exchange.engine.symbolNames().map(entry);
      },
    ),
  );

  add(
    'POST /fapi/v1/order',
    signed(
      fixed(0),
      (ctx) => {
        const request = parseNewOrder(ctx);
        const result = ctx.exchange.engine.placeOrder(request, ctx.nowMs);
        if (!result.ok) throw result.error;
        ctx.exchange.emitAndRefresh(result.events, request.symbol);
        return orderJson(ctx.exchange.engine, result.order);
      },
      1,
      true,
    ),
  );
  add(
    'DELETE /fapi/v1/order',
    signed(
      fixed(1),
      (ctx) => {
        const symbol = symbolParam(ctx);
        const result = ctx.exchange.engine.cancelOrder(symbol, orderRef(ctx.params), ctx.nowMs);
        if (!result.ok) throw result.error;
        ctx.exchange.emitAndRefresh(result.events, symbol);
        return orderJson(ctx.exchange.engine, result.order);
      },
      0,
      true,
    ),
  );
  add(
    'GET /fapi/v1/order',
    signed(fixed(1), (ctx) => {
      const symbol = symbolParam(ctx);
      return orderJson(ctx.exchange.engine, ctx.exchange.engine.queryOrder(symbol, orderRef(ctx.params)));
    }),
  );
  add(
    'GET /fapi/v1/openOrders',
    signed(
      (p) => (p.get('symbol') ? 1 : 40),
      (ctx) => {
        const symbol = optionalSymbol(ctx);
        return ctx.exchange.engine.openOrders(symbol ?? undefined).map((o) => orderJson(ctx.exchange.engine, o));
      },
    ),
  );
  add(
    'DELETE /fapi/v1/allOpenOrders',
    signed(
      fixed(1),
      (ctx) => {
        const symbol = symbolParam(ctx);
        ctx.exchange.emitAndRefresh(ctx.exchange.engine.cancelAll(symbol, ctx.nowMs), symbol);
        return { code: 200, msg: 'The operation of cancel all open order is done.' };
      },
      0,
      true,
    ),
  );
  add(
    'POST /fapi/v1/countdownCancelAll',
    signed(fixed(10), (ctx) => {
      const symbol = symbolParam(ctx);
      const countdownMs = integerParam(ctx.params, 'countdownTime');
      ctx.exchange.engine.setCountdown(symbol, countdownMs, ctx.nowMs);
      return { symbol, countdownTime: String(countdownMs) };
    }),
  );
  add(
    'GET /fapi/v1/userTrades',
    signed(fixed(5), (ctx) => {
      const symbol = symbolParam(ctx);
      return selectUserTrades(ctx.exchange.engine.allFills(), ctx.params, symbol, ctx.nowMs).map((f) => userTradeJson(ctx.exchange.engine, f));
    }),
  );
  const positions = (ctx: RouteContext, all: boolean): PositionView[] => {
    const one = optionalSymbol(ctx);
    const symbols = one !== null ? [one] : ctx.exchange.engine.symbolNames();
    return symbols.map((s) => ctx.exchange.engine.position(s)).filter((p) => all || p.amountSteps !== 0 || ctx.exchange.engine.openOrders(p.symbol).length > 0);
  };
  add(
    'GET /fapi/v3/positionRisk',
    signed(fixed(5), (ctx) => positions(ctx, false).map((p) => positionRiskV3Json(ctx.exchange.engine, p))),
  );
  add(
    'GET /fapi/v2/positionRisk',
    signed(fixed(5), (ctx) => positions(ctx, true).map((p) => positionRiskV2Json(ctx.exchange.engine, p))),
  );
  add(
    'GET /fapi/v3/balance',
    signed(fixed(5), (ctx) => balanceJson(ctx.exchange.engine, ctx.nowMs)),
  );
  add(
    'GET /fapi/v2/balance',
    signed(fixed(5), (ctx) => balanceJson(ctx.exchange.engine, ctx.nowMs)),
  );
  add(
    'GET /fapi/v3/account',
    signed(fixed(5), (ctx) => accountJson(ctx.exchange.engine, ctx.nowMs)),
  );
  add(
    'POST /fapi/v1/leverage',
    signed(fixed(1), (ctx) => {
      const symbol = symbolParam(ctx);
      ctx.exchange.engine.setLeverage(symbol, integerParam(ctx.params, 'leverage'));
      return { leverage: ctx.exchange.engine.settings(symbol).leverage, maxNotionalValue: '1000000000', symbol };
    }),
  );
  add(
    'POST /fapi/v1/marginType',
    signed(fixed(1), (ctx) => {
      const symbol = symbolParam(ctx);
      const text = required(ctx.params, 'marginType').toUpperCase();
      if (text !== 'ISOLATED' && text !== 'CROSSED') throw apiErrors.illegalValue('marginType');
      ctx.exchange.engine.setMarginType(symbol, text satisfies MarginType);
      return { code: 200, msg: 'success' };
    }),
  );

  add(
    'POST /fapi/v1/listenKey',
    stream((ctx) => ({ listenKey: ctx.exchange.listenKeys.create(ctx.nowMs) })),
  );
  add(
    'PUT /fapi/v1/listenKey',
    stream((ctx) => {
      if (ctx.faults.takeKeepaliveRejection()) throw apiErrors.invalidListenKey();
      const key = ctx.exchange.listenKeys.keepAlive(ctx.nowMs);
      if (key === null) throw apiErrors.invalidListenKey();
      return { listenKey: key };
    }),
  );
  add(
    'DELETE /fapi/v1/listenKey',
    stream((ctx) => {
      ctx.exchange.listenKeys.close();
      return {};
    }),
  );
  return routes;
}
