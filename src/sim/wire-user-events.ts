/**
 * The user data stream's events for what the engine did: TRADE_LITE and ORDER_TRADE_UPDATE for
 * order changes, ACCOUNT_UPDATE for balances and positions, ACCOUNT_CONFIG_UPDATE for leverage.
 */
import { ZERO_STEPS, ZERO_TICKS } from '../core/instrument.ts';
import { formatMoney } from '../core/money.ts';
import type { EngineEvent, PositionView } from './engine-types.ts';
import type { MatchingEngine } from './matching-engine.ts';
import { formatPrice, formatQty } from './wire-numbers.ts';

/** One user-stream event: its type (the `e` field, which `events=` filters on) and its JSON. */
export interface UserEventFrame {
  readonly type: string;
  readonly json: Record<string, unknown>;
}

/** Returns the user-stream events for one engine event, in the order Binance sends them (TRADE_LITE before its ORDER_TRADE_UPDATE). */
export function userEventFrames(engine: MatchingEngine, event: EngineEvent): UserEventFrame[] {
  switch (event.kind) {
    case 'account':
      return [{ type: 'ACCOUNT_UPDATE', json: accountUpdateJson(engine, event) }];
    case 'config':
      return [
        { type: 'ACCOUNT_CONFIG_UPDATE', json: { e: 'ACCOUNT_CONFIG_UPDATE', E: event.timeMs, T: event.timeMs, ac: { s: event.symbol, l: event.leverage } } },
      ];
    case 'order': {
      const update = { type: 'ORDER_TRADE_UPDATE', json: orderTradeUpdateJson(engine, event) };
      return event.fill === null ? [update] : [{ type: 'TRADE_LITE', json: tradeLiteJson(engine, event) }, update];
    }
  }
}

type OrderEvent = Extract<EngineEvent, { kind: 'order' }>;
type AccountEvent = Extract<EngineEvent, { kind: 'account' }>;

function accountUpdateJson(engine: MatchingEngine, event: AccountEvent): Record<string, unknown> {
  const wallet = formatMoney(event.walletBalance);
  return {
    e: 'ACCOUNT_UPDATE',
    E: event.timeMs,
    T: event.timeMs,
    a: {
      m: event.reason,
      B: [{ a: engine.asset(), wb: wallet, cw: wallet, bc: formatMoney(event.balanceChange) }],
      P: event.positions.map((p) => positionEntry(engine, p)),
    },
  };
}

function tradeLiteJson(engine: MatchingEngine, event: OrderEvent): Record<string, unknown> {
  const { order, fill } = event;
  const sym = engine.symbol(order.symbol);
  return {
    e: 'TRADE_LITE',
    E: event.timeMs,
    T: event.timeMs,
    s: order.symbol,
    q: formatQty(sym, order.qtySteps),
    p: formatPrice(sym, order.priceTicks),
    m: fill?.maker ?? false,
    c: order.clientOrderId,
    S: order.side,
    L: formatPrice(sym, fill?.priceTicks ?? ZERO_TICKS),
    l: formatQty(sym, fill?.qtySteps ?? ZERO_STEPS),
    t: fill?.tradeId ?? 0,
    i: order.orderId,
  };
}

function orderTradeUpdateJson(engine: MatchingEngine, event: OrderEvent): Record<string, unknown> {
  const { order, fill } = event;
  const sym = engine.symbol(order.symbol);
  const notional = engine.openNotionals(order.symbol);
  const o: Record<string, unknown> = {
    s: order.symbol,
    c: order.clientOrderId,
    S: order.side,
    o: order.type,
    f: order.timeInForce,
    q: formatQty(sym, order.qtySteps),
    p: formatPrice(sym, order.priceTicks),
    ap: engine.averagePrice(order.symbol, order.cumQuote, order.executedSteps),
    sp: formatPrice(sym, ZERO_TICKS),
    x: event.execution,
    X: order.status,
    i: order.orderId,
    l: formatQty(sym, fill?.qtySteps ?? ZERO_STEPS),
    z: formatQty(sym, order.executedSteps),
    L: formatPrice(sym, fill?.priceTicks ?? ZERO_TICKS),
  };
  if (fill) {
    o['N'] = engine.asset();
    o['n'] = formatMoney(fill.commission);
  }
  Object.assign(o, {
    T: event.timeMs,
    t: fill?.tradeId ?? 0,
    b: formatMoney(notional.bids),
    a: formatMoney(notional.asks),
    m: fill?.maker ?? false,
    R: order.reduceOnly,
    wt: 'CONTRACT_PRICE',
    ot: order.type,
    ps: 'BOTH',
    cp: false,
    rp: formatMoney(fill?.realizedPnl ?? 0n),
    pP: false,
    si: 0,
    ss: 0,
    V: 'EXPIRE_MAKER',
    pm: 'NONE',
    gtd: 0,
    // Expiry reason: "0" for orders that did not expire by a rule (documented field).
    er: '0',
  });
  return { e: 'ORDER_TRADE_UPDATE', E: event.timeMs, T: event.timeMs, o };
}

function positionEntry(engine: MatchingEngine, p: PositionView): Record<string, unknown> {
  const sym = engine.symbol(p.symbol);
  return {
    s: p.symbol,
    pa: formatQty(sym, p.amountSteps),
    ep: p.entryPrice,
    bep: p.entryPrice,
    cr: formatMoney(p.realizedPnl),
    up: formatMoney(p.unrealizedPnl),
    mt: engine.settings(p.symbol).marginType === 'CROSSED' ? 'cross' : 'isolated',
    iw: '0',
    ps: 'BOTH',
  };
}
