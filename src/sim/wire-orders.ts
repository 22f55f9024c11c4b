/**
 * Binance JSON for orders and the account's trades: the REST order answer (new, query, cancel,
 * modify, batch, open orders, all orders) and the account trade list.
 */
import { ZERO_TICKS } from '../core/instrument.ts';
import { formatMoney } from '../core/money.ts';
import type { Fill, OrderView } from './engine-types.ts';
import type { MatchingEngine } from './matching-engine.ts';
import { formatPrice, formatQty } from './wire-numbers.ts';

/** Returns the REST answer for one order (POST/GET/DELETE/PUT /fapi/v1/order, batchOrders, openOrders, allOrders). */
export function orderJson(engine: MatchingEngine, order: OrderView): Record<string, unknown> {
  const sym = engine.symbol(order.symbol);
  return {
    orderId: order.orderId,
    symbol: order.symbol,
    status: order.status,
    clientOrderId: order.clientOrderId,
    price: order.type === 'MARKET' ? formatPrice(sym, ZERO_TICKS) : formatPrice(sym, order.priceTicks),
    avgPrice: engine.averagePrice(order.symbol, order.cumQuote, order.executedSteps),
    origQty: formatQty(sym, order.qtySteps),
    executedQty: formatQty(sym, order.executedSteps),
    cumQty: formatQty(sym, order.executedSteps),
    cumQuote: formatMoney(order.cumQuote),
    timeInForce: order.timeInForce,
    type: order.type,
    reduceOnly: order.reduceOnly,
    closePosition: false,
    side: order.side,
    positionSide: 'BOTH',
    stopPrice: formatPrice(sym, ZERO_TICKS),
    workingType: 'CONTRACT_PRICE',
    priceProtect: false,
    origType: order.type,
    priceMatch: 'NONE',
    selfTradePreventionMode: 'EXPIRE_MAKER',
    goodTillDate: 0,
    time: order.timeMs,
    updateTime: order.updateTimeMs,
  };
}

/** Returns one trade of the account trade list (GET /fapi/v1/userTrades), one-way mode. */
export function userTradeJson(engine: MatchingEngine, fill: Fill): Record<string, unknown> {
  const sym = engine.symbol(fill.symbol);
  return {
    buyer: fill.side === 'BUY',
    commission: formatMoney(fill.commission),
    commissionAsset: engine.asset(),
    id: fill.tradeId,
    maker: fill.maker,
    marginAsset: engine.asset(),
    orderId: fill.orderId,
    price: formatPrice(sym, fill.priceTicks),
    qty: formatQty(sym, fill.qtySteps),
    quoteQty: formatMoney(fill.quote),
    realizedPnl: formatMoney(fill.realizedPnl),
    side: fill.side,
    positionSide: 'BOTH',
    symbol: fill.symbol,
    time: fill.timeMs,
  };
}
