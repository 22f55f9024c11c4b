/**
 * The account as the simulator knows it, for reconciliation tests: open orders, positions,
 * balance, fee/PnL/funding totals, every trade and every funding payment. Plain JSON (decimal
 * strings for money and sizes), served at /sim/admin/state and by `handle.state()`.
 */
import { formatMoney } from '../core/money.ts';
import { formatFundingRate } from './market-model.ts';
import type { SimulatedExchange } from './simulated-exchange.ts';
import { formatHalfTicks, formatPrice, formatQty } from './wire-numbers.ts';
import { orderJson } from './wire-orders.ts';

export interface SimTrade {
  readonly id: number;
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: 'BUY' | 'SELL';
  readonly price: string;
  readonly qty: string;
  readonly quoteQty: string;
  readonly commission: string;
  readonly commissionAsset: string;
  readonly realizedPnl: string;
  readonly maker: boolean;
  readonly time: number;
}

export interface SimPosition {
  readonly symbol: string;
  readonly positionAmt: string;
  readonly entryPrice: string;
  readonly markPrice: string;
  readonly unrealizedPnl: string;
  readonly realizedPnl: string;
}

export interface SimFundingPayment {
  readonly symbol: string;
  readonly time: number;
  readonly rate: string;
  readonly markPrice: string;
  readonly positionAmt: string;
  readonly amount: string;
}

export interface SimState {
  readonly serverTime: number;
  readonly asset: string;
  readonly startingBalance: string;
  readonly walletBalance: string;
  readonly totals: { readonly fees: string; readonly realizedPnl: string; readonly funding: string };
  readonly openOrders: readonly Record<string, unknown>[];
  readonly positions: readonly SimPosition[];
  readonly trades: readonly SimTrade[];
  readonly fundingPayments: readonly SimFundingPayment[];
  readonly listenKeyLive: boolean;
}

/** Returns the account's full state as plain JSON. */
export function simState(exchange: SimulatedExchange): SimState {
  const engine = exchange.engine;
  const nowMs = exchange.clock.nowMs();
  const totals = engine.totals();
  return {
    serverTime: nowMs,
    asset: engine.asset(),
    startingBalance: formatMoney(totals.startingBalance),
    walletBalance: formatMoney(engine.walletBalance()),
    totals: { fees: formatMoney(totals.fees), realizedPnl: formatMoney(totals.realizedPnl), funding: formatMoney(totals.funding) },
    openOrders: engine.openOrders().map((o) => orderJson(engine, o)),
    positions: engine.symbolNames().map((symbol) => {
      const p = engine.position(symbol);
      const sym = engine.symbol(symbol);
      return {
        symbol,
        positionAmt: formatQty(sym, p.amountSteps),
        entryPrice: p.entryPrice,
        markPrice: formatHalfTicks(sym, p.markHalfTicks),
        unrealizedPnl: formatMoney(p.unrealizedPnl),
        realizedPnl: formatMoney(p.realizedPnl),
      };
    }),
    trades: engine.allFills().map((f) => {
      const sym = engine.symbol(f.symbol);
      return {
        id: f.tradeId,
        symbol: f.symbol,
        orderId: f.orderId,
        clientOrderId: f.clientOrderId,
        side: f.side,
        price: formatPrice(sym, f.priceTicks),
        qty: formatQty(sym, f.qtySteps),
        quoteQty: formatMoney(f.quote),
        commission: formatMoney(f.commission),
        commissionAsset: engine.asset(),
        realizedPnl: formatMoney(f.realizedPnl),
        maker: f.maker,
        time: f.timeMs,
      };
    }),
    fundingPayments: engine.allFundingPayments().map((p) => {
      const sym = engine.symbol(p.symbol);
      return {
        symbol: p.symbol,
        time: p.timeMs,
        rate: formatFundingRate(p.rateUnits),
        markPrice: formatHalfTicks(sym, p.markHalfTicks),
        positionAmt: formatQty(sym, p.amountSteps),
        amount: formatMoney(p.amount),
      };
    }),
    listenKeyLive: exchange.listenKeys.live(nowMs) !== null,
  };
}
