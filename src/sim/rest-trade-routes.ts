/**
 * Orders and the account's trades over REST, with Binance's weights and order counts: new
 * (ACK or RESULT), test, modify, cancel, batch place and batch cancel, cancel all, the
 * dead-man switch, and the queries (order, open order, open orders, all orders, user trades).
 */
import { ZERO_STEPS, ZERO_TICKS } from '../core/instrument.ts';
import type { Fill, NewOrderRequest, OrderRef } from './engine-types.ts';
import { BinanceApiError, apiErrors } from './errors.ts';
import { ONE_ORDER } from './rate-limits.ts';
import {
  integerParam,
  jsonListParam,
  limitParam,
  objectParams,
  optionalInteger,
  optionalSymbol,
  orderRef,
  parseNewOrder,
  parseSide,
  required,
  responseType,
  symbolParam,
  timeWindow,
} from './rest-params.ts';
import { bySymbol, fixed, signedRoute, type RouteContext, type RouteTable } from './rest-route.ts';
import { orderJson, userTradeJson } from './wire-orders.ts';
import { parsePrice, parseQty } from './wire-numbers.ts';

const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_BATCH_ORDERS = 5;
const MAX_BATCH_CANCELS = 10;

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
  const limit = limitParam(params, 500, 1000);
  if (fromId !== null && (startTime !== null || endTime !== null)) throw apiErrors.invalidParameterCombination();
  if (startTime !== null && endTime !== null && (endTime < startTime || endTime - startTime > SEVEN_DAYS_MS)) throw apiErrors.lookupIntervalTooBig();
  const ours = fills.filter((f) => f.symbol === symbol && (orderId === null || f.orderId === orderId));
  if (fromId !== null) return ours.filter((f) => f.tradeId >= fromId).slice(0, limit);
  if (startTime === null && endTime === null) return ours.filter((f) => f.timeMs >= nowMs - SEVEN_DAYS_MS).slice(-limit);
  const from = startTime ?? (endTime ?? nowMs) - SEVEN_DAYS_MS;
  const to = endTime ?? from + SEVEN_DAYS_MS;
  return ours.filter((f) => f.timeMs >= from && f.timeMs <= to).slice(0, limit);
}

/** Places one order and returns its answer: the order as accepted (ACK) or as it stands after matching (RESULT). */
function placeOrder(ctx: RouteContext, request: NewOrderRequest, respType: 'ACK' | 'RESULT'): Record<string, unknown> {
  const engine = ctx.exchange.engine;
  const result = engine.placeOrder(request, ctx.nowMs);
  if (!result.ok) throw result.error;
  ctx.exchange.emitAndRefresh(result.events, request.symbol);
  return orderJson(engine, respType === 'RESULT' ? result.order : result.accepted);
}

/** Returns the reference of one orderIdList entry (a number, or a string of digits), or null. */
function orderIdRef(item: unknown): OrderRef | null {
  if (typeof item === 'number' && Number.isSafeInteger(item) && item > 0) return { orderId: item };
  if (typeof item === 'string' && /^\d{1,16}$/.test(item)) return { orderId: Number(item) };
  return null;
}

/** Returns an error object as a batch answer lists it. */
function errorEntry(error: unknown): Record<string, unknown> {
  if (error instanceof BinanceApiError) return error.body();
  throw error;
}

/** Adds the order and trade routes. */
export function tradeRoutes(routes: RouteTable): void {
  routes.set(
    'POST /fapi/v1/order',
    signedRoute(fixed(0), (ctx) => placeOrder(ctx, parseNewOrder(ctx.params, ctx.exchange.engine), responseType(ctx.params)), ONE_ORDER, true),
  );
  routes.set(
    'POST /fapi/v1/order/test',
    signedRoute(fixed(1), (ctx) => {
      responseType(ctx.params);
      const request = parseNewOrder(ctx.params, ctx.exchange.engine);
      const error = ctx.exchange.engine.validateOrder(request);
      if (error !== null) throw error;
      // The order is not submitted, so it has no order id: 0 says so.
      const order = {
        symbol: request.symbol,
        orderId: 0,
        clientOrderId: request.clientOrderId ?? '',
        side: request.side,
        type: request.type,
        timeInForce: request.timeInForce ?? 'GTC',
        priceTicks: request.priceTicks ?? ZERO_TICKS,
        qtySteps: request.qtySteps,
        reduceOnly: request.reduceOnly,
        timeMs: ctx.nowMs,
        executedSteps: ZERO_STEPS,
        cumQuote: 0n,
        status: 'NEW' as const,
        updateTimeMs: ctx.nowMs,
        amendments: 0,
      };
      return orderJson(ctx.exchange.engine, order);
    }),
  );
  routes.set(
    'PUT /fapi/v1/order',
    signedRoute(
      fixed(0),
      (ctx) => {
        const engine = ctx.exchange.engine;
        const symbol = symbolParam(ctx.params, engine);
        const sym = engine.symbol(symbol);
        const priceMatch = ctx.params.get('priceMatch');
        if (priceMatch !== null && priceMatch !== 'NONE') throw apiErrors.unsupported();
        const request = {
          symbol,
          ref: orderRef(ctx.params),
          side: parseSide(required(ctx.params, 'side')),
          qtySteps: parseQty(sym, required(ctx.params, 'quantity')),
          priceTicks: parsePrice(sym, required(ctx.params, 'price')),
        };
        const result = engine.modifyOrder(request, ctx.nowMs);
        if (!result.ok) throw result.error;
        ctx.exchange.emitAndRefresh(result.events, symbol);
        return orderJson(engine, result.order);
      },
      ONE_ORDER,
      true,
    ),
  );
  routes.set(
    'DELETE /fapi/v1/order',
    signedRoute(
      fixed(1),
      (ctx) => {
        const symbol = symbolParam(ctx.params, ctx.exchange.engine);
        const result = ctx.exchange.engine.cancelOrder(symbol, orderRef(ctx.params), ctx.nowMs);
        if (!result.ok) throw result.error;
        ctx.exchange.emitAndRefresh(result.events, symbol);
        return orderJson(ctx.exchange.engine, result.order);
      },
      undefined,
      true,
    ),
  );
  routes.set(
    'POST /fapi/v1/batchOrders',
    signedRoute(
      fixed(5),
      (ctx) => {
        const list = jsonListParam(ctx.params, 'batchOrders');
        if (list === null) throw apiErrors.mandatory('batchOrders');
        if (list.length === 0 || list.length > MAX_BATCH_ORDERS) throw apiErrors.batchSize();
        // Each entry stands alone: one refused order does not stop the others.
        return list.map((entry) => {
          try {
            const params = objectParams(entry, 'batchOrders');
            return placeOrder(ctx, parseNewOrder(params, ctx.exchange.engine), responseType(params));
          } catch (error) {
            return errorEntry(error);
          }
        });
      },
      { per10s: MAX_BATCH_ORDERS, per1m: 1 },
      true,
    ),
  );
  routes.set(
    'DELETE /fapi/v1/batchOrders',
    signedRoute(
      fixed(1),
      (ctx) => {
        const engine = ctx.exchange.engine;
        const symbol = symbolParam(ctx.params, engine);
        // ccxt sends the lists as "orderidlist"/"origclientorderidlist", which Binance accepts too.
        const ids = jsonListParam(ctx.params, 'orderIdList') ?? jsonListParam(ctx.params, 'orderidlist');
        const clientIds = ids === null ? (jsonListParam(ctx.params, 'origClientOrderIdList') ?? jsonListParam(ctx.params, 'origclientorderidlist')) : null;
        const items = ids ?? clientIds;
        if (items === null) throw apiErrors.eitherParam('orderIdList', 'origClientOrderIdList');
        if (items.length > MAX_BATCH_CANCELS) throw apiErrors.cancelBatchTooLarge();
        return items.map((item) => {
          const ref = ids !== null ? orderIdRef(item) : typeof item === 'string' && item !== '' ? { clientOrderId: item } : null;
          if (ref === null) return apiErrors.illegalValue(ids !== null ? 'orderIdList' : 'origClientOrderIdList').body();
          const result = engine.cancelOrder(symbol, ref, ctx.nowMs);
          if (!result.ok) return result.error.body();
          ctx.exchange.emitAndRefresh(result.events, symbol);
          return orderJson(engine, result.order);
        });
      },
      undefined,
      true,
    ),
  );
  routes.set(
    'GET /fapi/v1/order',
    signedRoute(fixed(1), (ctx) => {
      const symbol = symbolParam(ctx.params, ctx.exchange.engine);
      return orderJson(ctx.exchange.engine, ctx.exchange.engine.queryOrder(symbol, orderRef(ctx.params), ctx.nowMs));
    }),
  );
  routes.set(
    'GET /fapi/v1/openOrder',
    signedRoute(fixed(1), (ctx) => {
      const symbol = symbolParam(ctx.params, ctx.exchange.engine);
      const order = ctx.exchange.engine.queryOrder(symbol, orderRef(ctx.params), ctx.nowMs);
      if (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED') throw apiErrors.noSuchOrder();
      return orderJson(ctx.exchange.engine, order);
    }),
  );
  routes.set(
    'GET /fapi/v1/openOrders',
    signedRoute(bySymbol(1, 40), (ctx) => {
      const symbol = optionalSymbol(ctx.params, ctx.exchange.engine);
      return ctx.exchange.engine.openOrders(symbol ?? undefined).map((o) => orderJson(ctx.exchange.engine, o));
    }),
  );
  routes.set(
    'GET /fapi/v1/allOrders',
    signedRoute(fixed(5), (ctx) => {
      const engine = ctx.exchange.engine;
      const symbol = symbolParam(ctx.params, engine);
      const fromOrderId = optionalInteger(ctx.params, 'orderId');
      const { startTime, endTime } = timeWindow(ctx.params);
      const limit = limitParam(ctx.params, 500, 1000);
      if (startTime !== null && endTime !== null && endTime - startTime > SEVEN_DAYS_MS) throw apiErrors.lookupIntervalTooBig();
      const from = startTime ?? (endTime !== null ? endTime - SEVEN_DAYS_MS : ctx.nowMs - SEVEN_DAYS_MS);
      const to = endTime ?? from + SEVEN_DAYS_MS;
      const orders = engine
        .orderHistory(symbol, ctx.nowMs)
        .filter((o) => (fromOrderId !== null ? o.orderId >= fromOrderId : o.timeMs >= from && o.timeMs <= to));
      const chosen = fromOrderId !== null || startTime !== null ? orders.slice(0, limit) : orders.slice(-limit);
      return chosen.map((o) => orderJson(engine, o));
    }),
  );
  routes.set(
    'DELETE /fapi/v1/allOpenOrders',
    signedRoute(
      fixed(1),
      (ctx) => {
        const symbol = symbolParam(ctx.params, ctx.exchange.engine);
        ctx.exchange.emitAndRefresh(ctx.exchange.engine.cancelAll(symbol, ctx.nowMs), symbol);
        return { code: 200, msg: 'The operation of cancel all open order is done.' };
      },
      undefined,
      true,
    ),
  );
  routes.set(
    'POST /fapi/v1/countdownCancelAll',
    signedRoute(fixed(10), (ctx) => {
      const symbol = symbolParam(ctx.params, ctx.exchange.engine);
      const countdownMs = integerParam(ctx.params, 'countdownTime');
      ctx.exchange.engine.setCountdown(symbol, countdownMs, ctx.nowMs);
      return { symbol, countdownTime: String(countdownMs) };
    }),
  );
  routes.set(
    'GET /fapi/v1/userTrades',
    signedRoute(fixed(5), (ctx) => {
      const symbol = symbolParam(ctx.params, ctx.exchange.engine);
      return selectUserTrades(ctx.exchange.engine.allFills(), ctx.params, symbol, ctx.nowMs).map((f) => userTradeJson(ctx.exchange.engine, f));
    }),
  );
}
