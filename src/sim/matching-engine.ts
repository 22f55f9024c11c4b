/**
 * The simulated venue's matching engine for one account in one-way position mode. Pure: no
 * I/O, no timers; every call takes `nowMs`. Orders rest against a synthetic market: a resting
 * order fills when the market trades through its price (as maker), an incoming marketable
 * order takes the synthetic book (as taker). Money is bigint 1e-8, prices ticks, sizes steps.
 */
import { absSteps, addSteps, asSteps, ZERO_STEPS, type Steps, type Ticks } from '../core/instrument.ts';
import type { Money } from '../core/money.ts';
import { sideSign, type ExecutionType, type MarginType } from '../core/model.ts';
import {
  IdSequence,
  type CancelResult,
  type EngineConfig,
  type EngineEvent,
  type Fill,
  type FundingPayment,
  type IncomeRecord,
  type ModifyOrderRequest,
  type ModifyResult,
  type NewOrderRequest,
  type OrderRef,
  type OrderView,
  type PlaceResult,
  type PositionView,
  type SimOrder,
} from './engine-types.ts';
import { BinanceApiError, apiErrors } from './errors.ts';
import { AccountLedger } from './account-ledger.ts';
import type { SyntheticBook, SyntheticTrade } from './market-model.ts';
import { checkExposure, checkNewOrder, type AccountView, type CheckedOrder } from './order-checks.ts';
import { OrderRegistry, visibleAt } from './order-registry.ts';
import { applyFillToPosition, averagePrice, markNotional } from './position-accounting.ts';
import { SymbolMarket, type MatchCallbacks } from './symbol-market.ts';
import type { SimSymbol } from './symbols.ts';

/** Binance: "One order can only be modified for less than 10000 times". */
const MAX_AMENDMENTS = 9_999;
/** The quantity of a trade-through with no limit: every resting order it crosses fills. */
const UNLIMITED_STEPS = asSteps(Number.MAX_SAFE_INTEGER);

export class MatchingEngine {
  private readonly symbols = new Map<string, SymbolMarket>();
  private readonly account: AccountLedger;
  private readonly orders: OrderRegistry;

  constructor(config: EngineConfig) {
    this.account = new AccountLedger({
      asset: config.marginAsset,
      makerFeeRate: config.makerFeeRate,
      takerFeeRate: config.takerFeeRate,
      startingBalance: config.startingBalance,
      openedAtMs: config.openedAtMs ?? 0,
      tradeIds: config.tradeIds ?? new IdSequence(700_000_001),
    });
    this.orders = new OrderRegistry(config.maxClosedOrders ?? 200_000);
    for (const sym of config.symbols) this.symbols.set(sym.spec.symbol, new SymbolMarket(sym, config.defaultLeverage));
    for (const start of config.startingPositions ?? []) {
      const s = this.symbols.get(start.symbol);
      if (s === undefined) throw new RangeError(`starting position for unlisted symbol ${start.symbol}`);
      Object.assign(s.position, { amount: start.amountSteps, cost: s.sym.instrument.notional(start.entryTicks, absSteps(start.amountSteps)) });
    }
  }

  /** Returns the listed contract, or throws -1121 for an unknown symbol. */
  symbol(symbol: string): SimSymbol {
    return this.state(symbol).sym;
  }

  /** Returns the symbols the engine trades. */
  symbolNames(): string[] {
    return [...this.symbols.keys()];
  }

  /** Returns the margin asset's wallet balance. */
  walletBalance(): Money {
    return this.account.walletBalance();
  }

  /** Returns the margin asset (e.g. USDT). */
  asset(): string {
    return this.account.asset;
  }

  /** Returns the fee rates as configured (decimal strings). */
  feeRates(): { readonly maker: string; readonly taker: string } {
    return this.account.feeRates();
  }

  /** Returns totals since start: fees paid, realized PnL, funding received (negative when paid). */
  totals(): { readonly startingBalance: Money; readonly fees: Money; readonly realizedPnl: Money; readonly funding: Money } {
    return this.account.totals();
  }

  /** Returns every fill since start, oldest first. */
  allFills(): readonly Fill[] {
    return this.account.allFills();
  }

  /** Returns every funding payment since start, oldest first. */
  allFundingPayments(): readonly FundingPayment[] {
    return this.account.allFundingPayments();
  }

  /** Returns every wallet flow since start (GET /fapi/v1/income), oldest first. */
  incomeRecords(): readonly IncomeRecord[] {
    return this.account.incomeRecords();
  }

  /** Returns the open orders of one symbol, or of all symbols. */
  openOrders(symbol?: string): OrderView[] {
    if (symbol === undefined) return this.orders.openOrders();
    return this.state(symbol).openOrders();
  }

  /** Returns the orders of a symbol a query at `nowMs` still finds (open and final), oldest first. */
  orderHistory(symbol: string, nowMs: number): OrderView[] {
    this.state(symbol);
    return this.orders.history(symbol).filter((o) => visibleAt(o, nowMs));
  }

  /** Returns the position of a symbol valued at its mark. */
  position(symbol: string): PositionView {
    return this.state(symbol).positionView();
  }

  /** Returns leverage and margin type of a symbol. */
  settings(symbol: string): { readonly leverage: number; readonly marginType: MarginType } {
    const s = this.state(symbol);
    return { leverage: s.leverage, marginType: s.marginType };
  }

  /** Sets the leverage (1..125) of a symbol; returns the ACCOUNT_CONFIG_UPDATE it causes. */
  setLeverage(symbol: string, leverage: number, nowMs: number): EngineEvent[] {
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > 125) throw apiErrors.leverageInvalid();
    this.state(symbol).leverage = leverage;
    return [{ kind: 'config', symbol, leverage, timeMs: nowMs }];
  }

  /** Changes the margin type; throws -4046 when unchanged, -4047/-4048 with open orders or a position. */
  setMarginType(symbol: string, marginType: MarginType): void {
    const s = this.state(symbol);
    if (s.marginType === marginType) throw apiErrors.marginTypeUnchanged();
    if (s.openOrders().length > 0) throw apiErrors.marginTypeOpenOrders();
    if (s.position.amount !== 0) throw apiErrors.marginTypePosition();
    s.marginType = marginType;
  }

  /** Returns a known order (open or closed, and still visible at `nowMs` when given), or throws -2013. */
  queryOrder(symbol: string, ref: OrderRef, nowMs: number | null = null): OrderView {
    this.state(symbol);
    const order = this.orders.find(ref, true);
    if (!order || order.symbol !== symbol || (nowMs !== null && !visibleAt(order, nowMs))) throw apiErrors.noSuchOrder();
    return order;
  }

  /** Returns the error a placement would meet, or null: every check of `placeOrder` without placing (POST /fapi/v1/order/test). */
  validateOrder(request: NewOrderRequest): BinanceApiError | null {
    try {
      checkNewOrder(this.state(request.symbol), request, this.accountView());
      return null;
    } catch (error) {
      if (error instanceof BinanceApiError) return error;
      throw error;
    }
  }

  /** Places one order: validates it, takes what is marketable, rests the rest (GTC/GTX). */
  placeOrder(request: NewOrderRequest, nowMs: number): PlaceResult {
    let s: SymbolMarket;
    let checked: CheckedOrder;
    try {
      s = this.state(request.symbol);
      checked = checkNewOrder(s, request, this.accountView());
    } catch (error) {
      if (error instanceof BinanceApiError) return { ok: false, error };
      throw error;
    }
    const { timeInForce, priceTicks } = checked;
    const orderId = this.orders.newOrderId();
    const order: SimOrder = {
      symbol: request.symbol,
      orderId,
      clientOrderId: request.clientOrderId ?? `sim_${orderId}`,
      side: request.side,
      type: request.type,
      timeInForce,
      priceTicks,
      qtySteps: request.qtySteps,
      reduceOnly: request.reduceOnly,
      timeMs: nowMs,
      executedSteps: ZERO_STEPS,
      cumQuote: 0n,
      status: 'NEW',
      updateTimeMs: nowMs,
      amendments: 0,
    };
    this.orders.open(order);
    const events: EngineEvent[] = [this.orderEvent(order, 'NEW', null, nowMs)];
    const accepted = { ...order };
    this.match(s, order, nowMs, events);
    return { ok: true, accepted, order: { ...order }, events };
  }

  /**
   * Amends a resting LIMIT order's price and quantity (PUT /fapi/v1/order): it loses its place
   * in the queue and matches again as if new. As Binance, a quantity at or below what has
   * already filled cancels the order, and so does a GTX price that would take.
   */
  modifyOrder(request: ModifyOrderRequest, nowMs: number): ModifyResult {
    try {
      return this.modify(request, nowMs);
    } catch (error) {
      if (error instanceof BinanceApiError) return { ok: false, error };
      throw error;
    }
  }

  /** Cancels one open order; an order that is not open is -2011. */
  cancelOrder(symbol: string, ref: OrderRef, nowMs: number): CancelResult {
    try {
      this.state(symbol);
    } catch (error) {
      if (error instanceof BinanceApiError) return { ok: false, error };
      throw error;
    }
    const order = this.orders.find(ref, false);
    if (!order || order.symbol !== symbol) return { ok: false, error: apiErrors.cancelUnknown() };
    const events: EngineEvent[] = [];
    this.close(order, 'CANCELED', nowMs, events);
    return { ok: true, order: { ...order }, events };
  }

  /** Cancels every open order of a symbol. */
  cancelAll(symbol: string, nowMs: number): EngineEvent[] {
    const s = this.state(symbol);
    const events: EngineEvent[] = [];
    for (const order of s.openOrders()) this.close(order, 'CANCELED', nowMs, events);
    return events;
  }

  /** Arms the dead-man switch of a symbol (0 disarms it); returns the countdown now in force. */
  setCountdown(symbol: string, countdownMs: number, nowMs: number): number {
    this.state(symbol).countdownDeadlineMs = countdownMs > 0 ? nowMs + countdownMs : null;
    return countdownMs;
  }

  /** Returns when the symbol's dead-man countdown fires (engine clock, ms), or null when it is not armed. */
  countdownDeadline(symbol: string): number | null {
    return this.state(symbol).countdownDeadlineMs;
  }

  /** Cancels the orders of every symbol whose countdown has elapsed without a refresh. */
  checkCountdowns(nowMs: number): EngineEvent[] {
    const events: EngineEvent[] = [];
    for (const s of this.symbols.values()) {
      if (s.countdownDeadlineMs !== null && nowMs >= s.countdownDeadlineMs) {
        s.countdownDeadlineMs = null;
        events.push(...this.cancelAll(s.sym.spec.symbol, nowMs));
      }
    }
    return events;
  }

  /**
   * Takes the market's new state: the book, the trades printed during the step (which fill
   * resting orders they trade through), and the mark. A resting order the book has moved
   * through fills in full at its own price, as the crowd that moved the market would take it.
   */
  applyMarket(symbol: string, book: SyntheticBook, trades: readonly SyntheticTrade[], markHalfTicks: number, nowMs: number): EngineEvent[] {
    const s = this.state(symbol);
    s.setMarket(book, markHalfTicks);
    const events: EngineEvent[] = [];
    const on = this.callbacks(s, nowMs, events);
    for (const trade of trades) s.tradeThrough(trade.aggressor, trade.priceTicks, trade.qtySteps, on);
    const best = s.bestSynthetic();
    if (best.ask !== undefined) s.tradeThrough('BUY', best.ask, UNLIMITED_STEPS, on);
    if (best.bid !== undefined) s.tradeThrough('SELL', best.bid, UNLIMITED_STEPS, on);
    this.expireStaleReduceOnly(s, nowMs, events);
    return events;
  }

  /** Pays or charges funding on the symbol's position: fee = -position x mark x rate. */
  settleFunding(symbol: string, rateUnits: number, nowMs: number): EngineEvent[] {
    const s = this.state(symbol);
    const amount = s.position.amount;
    if (amount === 0) return [];
    const notional = markNotional(s.sym, s.markHalfTicks, absSteps(amount));
    const fee = this.account.bookFunding(symbol, rateUnits, s.markHalfTicks, amount, notional, nowMs);
    return [{ kind: 'account', reason: 'FUNDING_FEE', balanceChange: fee, walletBalance: this.account.walletBalance(), positions: [], timeMs: nowMs }];
  }

  /** Returns the account's own resting quantity per price level of a symbol. */
  ownLevels(symbol: string): { readonly bids: Map<Ticks, Steps>; readonly asks: Map<Ticks, Steps> } {
    return this.state(symbol).ownLevels();
  }

  /** Returns the notional still to fill of a symbol's resting bids and asks. */
  openNotionals(symbol: string): { readonly bids: Money; readonly asks: Money } {
    return this.state(symbol).openNotionals();
  }

  /** Returns a price computed as quote / quantity (average or entry price) as a decimal string. */
  averagePrice(symbol: string, quote: Money, steps: Steps): string {
    return averagePrice(this.state(symbol).sym, quote, steps);
  }

  private state(symbol: string): SymbolMarket {
    const s = this.symbols.get(symbol);
    if (!s) throw apiErrors.invalidSymbol();
    return s;
  }

  private modify(request: ModifyOrderRequest, nowMs: number): ModifyResult {
    const s = this.state(request.symbol);
    const order = this.orders.find(request.ref, false);
    if (!order || order.symbol !== request.symbol) throw apiErrors.noSuchOrder();
    if (order.type !== 'LIMIT') throw apiErrors.limitOrderOnly();
    if (request.side !== order.side) throw apiErrors.illegalValue('side');
    if (request.priceTicks === order.priceTicks && request.qtySteps === order.qtySteps) throw apiErrors.sameOrder();
    if (order.amendments >= MAX_AMENDMENTS) throw apiErrors.modifyLimit();
    const events: EngineEvent[] = [];
    if (request.qtySteps <= order.executedSteps || (order.timeInForce === 'GTX' && s.wouldTake(order.side, request.priceTicks))) {
      this.close(order, 'CANCELED', nowMs, events);
      return { ok: true, order: { ...order }, events };
    }
    const terms = { side: order.side, reduceOnly: order.reduceOnly, priceTicks: request.priceTicks, qtySteps: request.qtySteps };
    checkExposure(s, this.accountView(), terms, order);
    s.unrest(order);
    order.priceTicks = request.priceTicks;
    order.qtySteps = request.qtySteps;
    order.amendments += 1;
    order.updateTimeMs = nowMs;
    events.push(this.orderEvent(order, 'AMENDMENT', null, nowMs));
    this.match(s, order, nowMs, events);
    return { ok: true, order: { ...order }, events };
  }

  /** Takes what is marketable for a new or amended order, then rests it, fills it or expires it. */
  private match(s: SymbolMarket, order: SimOrder, nowMs: number, events: EngineEvent[]): void {
    const isLimit = order.type === 'LIMIT';
    const limit = isLimit ? order.priceTicks : null;
    const wanted = order.qtySteps - order.executedSteps;
    const canFillAll = order.timeInForce !== 'FOK' || s.takeableQty(order.side, limit) >= wanted;
    if (canFillAll) s.take(order, limit, this.callbacks(s, nowMs, events));
    if (order.executedSteps === order.qtySteps) this.orders.retire(order);
    else if (isLimit && (order.timeInForce === 'GTC' || order.timeInForce === 'GTX')) s.rest(order);
    else this.close(order, 'EXPIRED', nowMs, events);
    this.expireStaleReduceOnly(s, nowMs, events);
  }

  private accountView(): AccountView {
    return {
      markets: this.symbols.values(),
      walletBalance: this.account.walletBalance(),
      hasOpenClientId: (clientOrderId) => this.orders.hasOpenClientId(clientOrderId),
    };
  }

  /** Returns what the matching loops call on a fill, a self-trade and an order filled out of the book. */
  private callbacks(s: SymbolMarket, nowMs: number, events: EngineEvent[]): MatchCallbacks {
    return {
      fill: (order, priceTicks, qty, maker) => this.applyFill(s, order, priceTicks, qty, maker, nowMs, events),
      selfTrade: (own) => this.close(own, 'EXPIRED', nowMs, events),
      filledOut: (order) => this.orders.retire(order),
    };
  }

  private applyFill(s: SymbolMarket, order: SimOrder, priceTicks: Ticks, qty: Steps, maker: boolean, nowMs: number, events: EngineEvent[]): void {
    const quote = s.sym.instrument.notional(priceTicks, qty);
    const realizedPnl = applyFillToPosition(s.sym, s.position, order.side, priceTicks, qty, nowMs);
    const fill = this.account.bookFill(order, priceTicks, qty, quote, realizedPnl, maker, nowMs);
    order.executedSteps = addSteps(order.executedSteps, qty);
    order.cumQuote += quote;
    order.status = order.executedSteps === order.qtySteps ? 'FILLED' : 'PARTIALLY_FILLED';
    order.updateTimeMs = nowMs;
    events.push(this.orderEvent(order, 'TRADE', fill, nowMs));
    const positions = [s.positionView()];
    events.push({ kind: 'account', reason: 'ORDER', balanceChange: 0n, walletBalance: this.account.walletBalance(), positions, timeMs: nowMs });
  }

  /** Expires reduce-only orders that can no longer reduce (flat, or the position turned). */
  private expireStaleReduceOnly(s: SymbolMarket, nowMs: number, events: EngineEvent[]): void {
    const pos = s.position.amount;
    for (const order of s.openOrders()) {
      if (order.reduceOnly && pos * sideSign(order.side) >= 0) this.close(order, 'EXPIRED', nowMs, events);
    }
  }

  private close(order: SimOrder, status: 'CANCELED' | 'EXPIRED', nowMs: number, events: EngineEvent[]): void {
    this.state(order.symbol).unrest(order);
    order.status = status;
    order.updateTimeMs = nowMs;
    this.orders.retire(order);
    events.push(this.orderEvent(order, status, null, nowMs));
  }

  private orderEvent(order: SimOrder, execution: ExecutionType, fill: Fill | null, nowMs: number): EngineEvent {
    return { kind: 'order', order: { ...order }, execution, fill, timeMs: nowMs };
  }
}
