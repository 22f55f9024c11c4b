/**
 * The simulated venue's matching engine for one account in one-way position mode. Pure: no
 * I/O, no timers; every call takes `nowMs`. Orders rest against a synthetic market: a resting
 * order fills when the market trades through its price (as maker), an incoming marketable
 * order takes the synthetic book (as taker). Money is bigint 1e-8, prices ticks, sizes steps.
 */
import { divRound, formatScaled, parseScaled, pow10 } from '../core/decimal.ts';
import type { Steps, Ticks } from '../core/instrument.ts';
import { MONEY_DECIMALS, type Money } from '../core/money.ts';
import { sideSign, type ExecutionType, type MarginType, type OrderStatus, type OrderType, type Side, type TimeInForce } from '../core/model.ts';
import { BinanceApiError, apiErrors } from './errors.ts';
import type { SyntheticBook, SyntheticTrade } from './market-model.ts';
import type { SimSymbol } from './symbols.ts';

/** Fee rates are kept in units of 1e-8 ("0.0002" -> 20000n). */
const RATE_DECIMALS = 8;
const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

export interface EngineConfig {
  readonly symbols: readonly SimSymbol[];
  /** Fee rates as decimal strings, e.g. "0.0002". */
  readonly makerFeeRate: string;
  readonly takerFeeRate: string;
  readonly startingBalance: Money;
  readonly marginAsset: string;
  readonly defaultLeverage: number;
  /** Closed orders kept for queries before the oldest are forgotten. */
  readonly maxClosedOrders?: number;
  /** Positions the account holds at start (an inheritance from an earlier session), signed steps at an entry price in ticks. */
  readonly startingPositions?: ReadonlyArray<{ readonly symbol: string; readonly amountSteps: Steps; readonly entryTicks: Ticks }>;
}

export interface NewOrderRequest {
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  /** Required for LIMIT; ignored for MARKET. */
  readonly timeInForce?: TimeInForce;
  readonly priceTicks?: Ticks;
  readonly qtySteps: Steps;
  readonly reduceOnly: boolean;
  readonly clientOrderId?: string;
}

export interface SimOrder {
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  /** 0 for MARKET orders. */
  readonly priceTicks: Ticks;
  readonly qtySteps: Steps;
  readonly reduceOnly: boolean;
  readonly timeMs: number;
  executedSteps: Steps;
  cumQuote: Money;
  status: OrderStatus;
  updateTimeMs: number;
}

export type OrderView = Readonly<SimOrder>;

export interface Fill {
  readonly tradeId: number;
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly priceTicks: Ticks;
  readonly qtySteps: Steps;
  readonly quote: Money;
  readonly commission: Money;
  readonly realizedPnl: Money;
  readonly maker: boolean;
  readonly timeMs: number;
}

export interface PositionView {
  readonly symbol: string;
  /** Signed amount in steps. */
  readonly amountSteps: Steps;
  /** Cost basis of the open amount (sum of entry notionals). */
  readonly cost: Money;
  /** Entry price as a decimal string (cost / amount), "0" when flat. */
  readonly entryPrice: string;
  readonly unrealizedPnl: Money;
  /** Mark price in half ticks (bid + ask of the synthetic book). */
  readonly markHalfTicks: number;
  readonly realizedPnl: Money;
  readonly updateTimeMs: number;
}

export interface FundingPayment {
  readonly symbol: string;
  readonly timeMs: number;
  /** Rate in units of 1e-8. */
  readonly rateUnits: number;
  readonly markHalfTicks: number;
  readonly amountSteps: Steps;
  readonly amount: Money;
}

export type EngineEvent =
  | { readonly kind: 'order'; readonly order: OrderView; readonly execution: ExecutionType; readonly fill: Fill | null; readonly timeMs: number }
  | {
      readonly kind: 'account';
      readonly reason: 'ORDER' | 'FUNDING_FEE';
      /** Balance change other than PnL and commission (the funding fee on FUNDING_FEE). */
      readonly balanceChange: Money;
      readonly walletBalance: Money;
      readonly positions: readonly PositionView[];
      readonly timeMs: number;
    };

export type PlaceResult =
  { readonly ok: true; readonly order: OrderView; readonly events: EngineEvent[] } | { readonly ok: false; readonly error: BinanceApiError };
export type CancelResult =
  { readonly ok: true; readonly order: OrderView; readonly events: EngineEvent[] } | { readonly ok: false; readonly error: BinanceApiError };

/** How an order is named in a cancel or a query: by venue id or by client id. */
export type OrderRef = { readonly orderId: number } | { readonly clientOrderId: string };

interface Position {
  amount: Steps;
  cost: Money;
  realized: Money;
  updateTimeMs: number;
}

interface SymbolState {
  readonly sym: SimSymbol;
  readonly stepUnits: bigint;
  /** Resting bids best first (price desc, then time), asks best first (price asc, then time). */
  readonly bids: SimOrder[];
  readonly asks: SimOrder[];
  /** The synthetic book, copied, so that what a taker consumes is gone until the next step. */
  synthBids: Array<[Ticks, Steps]>;
  synthAsks: Array<[Ticks, Steps]>;
  markHalfTicks: number;
  readonly position: Position;
  leverage: number;
  marginType: MarginType;
  countdownMs: number;
  countdownDeadlineMs: number | null;
}

export class MatchingEngine {
  private readonly symbols = new Map<string, SymbolState>();
  private readonly makerRate: bigint;
  private readonly takerRate: bigint;
  private readonly marginAsset: string;
  private readonly maxClosedOrders: number;
  private readonly startingBalance: Money;
  private wallet: Money;
  private feesPaid: Money = 0n;
  private realizedTotal: Money = 0n;
  private fundingTotal: Money = 0n;
  private nextOrderId = 4_000_000_001;
  private nextTradeId = 700_000_001;
  private readonly openById = new Map<number, SimOrder>();
  private readonly openByClientId = new Map<string, SimOrder>();
  private readonly closedById = new Map<number, SimOrder>();
  private readonly closedByClientId = new Map<string, SimOrder>();
  private readonly fills: Fill[] = [];
  private readonly fundingPayments: FundingPayment[] = [];

  constructor(config: EngineConfig) {
    this.makerRate = parseScaled(config.makerFeeRate, RATE_DECIMALS, 'half-up');
    this.takerRate = parseScaled(config.takerFeeRate, RATE_DECIMALS, 'half-up');
    this.marginAsset = config.marginAsset;
    this.maxClosedOrders = config.maxClosedOrders ?? 200_000;
    this.startingBalance = config.startingBalance;
    this.wallet = config.startingBalance;
    for (const sym of config.symbols) {
      this.symbols.set(sym.spec.symbol, {
        sym,
        stepUnits: parseScaled(sym.spec.stepSize, sym.quantityPrecision),
        bids: [],
        asks: [],
        synthBids: [],
        synthAsks: [],
        markHalfTicks: 2 * sym.instrument.priceToTicks(sym.spec.startPrice, 'nearest'),
        position: { amount: 0, cost: 0n, realized: 0n, updateTimeMs: 0 },
        leverage: config.defaultLeverage,
        marginType: 'CROSSED',
        countdownMs: 0,
        countdownDeadlineMs: null,
      });
    }
    for (const start of config.startingPositions ?? []) {
      const s = this.symbols.get(start.symbol);
      if (s === undefined) throw new RangeError(`starting position for unlisted symbol ${start.symbol}`);
      Object.assign(s.position, { amount: start.amountSteps, cost: s.sym.instrument.notional(start.entryTicks, Math.abs(start.amountSteps)) });
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
    return this.wallet;
  }

  /** Returns the margin asset (e.g. USDT). */
  asset(): string {
    return this.marginAsset;
  }

  /** Returns totals since start: fees paid, realized PnL, funding received (negative when paid). */
  totals(): { readonly startingBalance: Money; readonly fees: Money; readonly realizedPnl: Money; readonly funding: Money } {
    return { startingBalance: this.startingBalance, fees: this.feesPaid, realizedPnl: this.realizedTotal, funding: this.fundingTotal };
  }

  /** Returns every fill since start, oldest first. */
  allFills(): readonly Fill[] {
    return this.fills;
  }

  /** Returns every funding payment since start, oldest first. */
  allFundingPayments(): readonly FundingPayment[] {
    return this.fundingPayments;
  }

  /** Returns the open orders of one symbol, or of all symbols. */
  openOrders(symbol?: string): OrderView[] {
    if (symbol === undefined) return [...this.openById.values()];
    const s = this.state(symbol);
    return [...s.bids, ...s.asks];
  }

  /** Returns the position of a symbol valued at its mark. */
  position(symbol: string): PositionView {
    return this.positionView(this.state(symbol));
  }

  /** Returns leverage and margin type of a symbol. */
  settings(symbol: string): { readonly leverage: number; readonly marginType: MarginType } {
    const s = this.state(symbol);
    return { leverage: s.leverage, marginType: s.marginType };
  }

  /** Sets the leverage (1..125) of a symbol. */
  setLeverage(symbol: string, leverage: number): void {
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > 125) throw apiErrors.leverageInvalid();
    this.state(symbol).leverage = leverage;
  }

  /** Changes the margin type; throws -4046 when unchanged, -4047/-4048 with open orders or a position. */
  setMarginType(symbol: string, marginType: MarginType): void {
    const s = this.state(symbol);
    if (s.marginType === marginType) throw apiErrors.marginTypeUnchanged();
    if (s.bids.length + s.asks.length > 0) throw apiErrors.marginTypeOpenOrders();
    if (s.position.amount !== 0) throw apiErrors.marginTypePosition();
    s.marginType = marginType;
  }

  /** Returns a known order (open or closed), or throws -2013. */
  queryOrder(symbol: string, ref: OrderRef): OrderView {
    this.state(symbol);
    const order = this.find(ref, true);
    if (!order || order.symbol !== symbol) throw apiErrors.noSuchOrder();
    return order;
  }

  /** Places one order: validates it, takes what is marketable, rests the rest (GTC/GTX). */
  placeOrder(request: NewOrderRequest, nowMs: number): PlaceResult {
    try {
      return this.place(request, nowMs);
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
    const order = this.find(ref, false);
    if (!order || order.symbol !== symbol) return { ok: false, error: apiErrors.cancelUnknown() };
    const events: EngineEvent[] = [];
    this.close(order, 'CANCELED', nowMs, events);
    return { ok: true, order: { ...order }, events };
  }

  /** Cancels every open order of a symbol. */
  cancelAll(symbol: string, nowMs: number): EngineEvent[] {
    const s = this.state(symbol);
    const events: EngineEvent[] = [];
    for (const order of [...s.bids, ...s.asks]) this.close(order, 'CANCELED', nowMs, events);
    return events;
  }

  /** Arms the dead-man switch of a symbol (0 disarms it); returns the countdown now in force. */
  setCountdown(symbol: string, countdownMs: number, nowMs: number): number {
    const s = this.state(symbol);
    s.countdownMs = countdownMs;
    s.countdownDeadlineMs = countdownMs > 0 ? nowMs + countdownMs : null;
    return countdownMs;
  }

  /** Cancels the orders of every symbol whose countdown has elapsed without a refresh. */
  checkCountdowns(nowMs: number): EngineEvent[] {
    const events: EngineEvent[] = [];
    for (const s of this.symbols.values()) {
      if (s.countdownDeadlineMs !== null && nowMs >= s.countdownDeadlineMs) {
        s.countdownDeadlineMs = null;
        s.countdownMs = 0;
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
    s.synthBids = book.bids.map(([p, q]) => [p, q]);
    s.synthAsks = book.asks.map(([p, q]) => [p, q]);
    s.markHalfTicks = markHalfTicks;
    const events: EngineEvent[] = [];
    for (const trade of trades) this.tradeThrough(s, trade.aggressor, trade.priceTicks, trade.qtySteps, nowMs, events);
    const bestBid = s.synthBids[0]?.[0];
    const bestAsk = s.synthAsks[0]?.[0];
    if (bestAsk !== undefined) this.tradeThrough(s, 'BUY', bestAsk, Number.MAX_SAFE_INTEGER, nowMs, events);
    if (bestBid !== undefined) this.tradeThrough(s, 'SELL', bestBid, Number.MAX_SAFE_INTEGER, nowMs, events);
    this.expireStaleReduceOnly(s, nowMs, events);
    return events;
  }

  /** Pays or charges funding on the symbol's position: fee = -position x mark x rate. */
  settleFunding(symbol: string, rateUnits: number, nowMs: number): EngineEvent[] {
    const s = this.state(symbol);
    const amount = s.position.amount;
    if (amount === 0) return [];
    const notional = this.markNotional(s, Math.abs(amount));
    const magnitude = divRound(notional * BigInt(Math.abs(rateUnits)), pow10(RATE_DECIMALS), 'half-up');
    const payerIsLong = rateUnits > 0;
    const fee = amount > 0 === payerIsLong ? -magnitude : magnitude;
    this.wallet += fee;
    this.fundingTotal += fee;
    this.fundingPayments.push({ symbol, timeMs: nowMs, rateUnits, markHalfTicks: s.markHalfTicks, amountSteps: amount, amount: fee });
    return [{ kind: 'account', reason: 'FUNDING_FEE', balanceChange: fee, walletBalance: this.wallet, positions: [], timeMs: nowMs }];
  }

  /** Returns the account's own resting quantity per price level of a symbol. */
  ownLevels(symbol: string): { readonly bids: Map<Ticks, Steps>; readonly asks: Map<Ticks, Steps> } {
    const s = this.state(symbol);
    const sum = (orders: readonly SimOrder[]): Map<Ticks, Steps> => {
      const levels = new Map<Ticks, Steps>();
      for (const o of orders) levels.set(o.priceTicks, (levels.get(o.priceTicks) ?? 0) + o.qtySteps - o.executedSteps);
      return levels;
    };
    return { bids: sum(s.bids), asks: sum(s.asks) };
  }

  /** Returns a price computed as quote / quantity (average or entry price) as a decimal string. */
  averagePrice(symbol: string, quote: Money, steps: Steps): string {
    const s = this.state(symbol);
    if (steps === 0) return formatScaled(0n, s.sym.pricePrecision);
    const value = divRound(quote * pow10(s.sym.quantityPrecision), BigInt(steps) * s.stepUnits, 'half-up');
    return trimTo(formatScaled(value, MONEY_DECIMALS), s.sym.pricePrecision);
  }

  private state(symbol: string): SymbolState {
    const s = this.symbols.get(symbol);
    if (!s) throw apiErrors.invalidSymbol();
    return s;
  }

  private find(ref: OrderRef, includeClosed: boolean): SimOrder | undefined {
    if ('orderId' in ref) return this.openById.get(ref.orderId) ?? (includeClosed ? this.closedById.get(ref.orderId) : undefined);
    return this.openByClientId.get(ref.clientOrderId) ?? (includeClosed ? this.closedByClientId.get(ref.clientOrderId) : undefined);
  }

  private place(request: NewOrderRequest, nowMs: number): PlaceResult {
    const s = this.state(request.symbol);
    const inst = s.sym.instrument;
    if (request.clientOrderId !== undefined) {
      if (!CLIENT_ORDER_ID.test(request.clientOrderId)) throw apiErrors.illegalChars('newClientOrderId', '^[\\.A-Z\\:/a-z0-9_-]{1,36}$');
      if (this.openByClientId.has(request.clientOrderId)) throw apiErrors.clientOrderIdDuplicated();
    }
    if (!Number.isInteger(request.qtySteps) || request.qtySteps <= 0) throw apiErrors.qtyNotPositive();
    const isLimit = request.type === 'LIMIT';
    if (isLimit && (request.priceTicks === undefined || request.priceTicks <= 0)) throw apiErrors.mandatory('price');
    if (isLimit && request.timeInForce === undefined) throw apiErrors.mandatory('timeInForce');
    const timeInForce: TimeInForce = isLimit ? (request.timeInForce ?? 'GTC') : 'GTC';
    const priceTicks = isLimit ? (request.priceTicks ?? 0) : 0;
    const sign = sideSign(request.side);
    const opposite = request.side === 'BUY' ? s.synthAsks : s.synthBids;
    const referenceTicks = isLimit ? priceTicks : (opposite[0]?.[0] ?? s.markHalfTicks / 2);

    if (request.reduceOnly) {
      const pos = s.position.amount;
      if (pos * sign >= 0) throw apiErrors.reduceOnlyRejected();
      const pending = (request.side === 'BUY' ? s.bids : s.asks).filter((o) => o.reduceOnly).reduce((sum, o) => sum + o.qtySteps - o.executedSteps, 0);
      if (pending + request.qtySteps > Math.abs(pos)) throw apiErrors.reduceOnlyRejected();
    } else {
      if (inst.notional(Math.round(referenceTicks), request.qtySteps) < inst.minNotional) throw apiErrors.minNotional(s.sym.spec.minNotional);
      this.checkMargin(s, Math.round(referenceTicks), request.qtySteps);
    }
    if (isLimit && timeInForce === 'GTX' && this.wouldTake(s, request.side, priceTicks)) throw apiErrors.postOnlyRejected();

    const orderId = this.nextOrderId++;
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
      executedSteps: 0,
      cumQuote: 0n,
      status: 'NEW',
      updateTimeMs: nowMs,
    };
    this.openById.set(orderId, order);
    this.openByClientId.set(order.clientOrderId, order);
    const events: EngineEvent[] = [this.orderEvent(order, 'NEW', null, nowMs)];

    const limit = isLimit ? priceTicks : null;
    const canFillAll = timeInForce !== 'FOK' || this.takeableQty(s, request.side, limit) >= request.qtySteps;
    if (canFillAll) this.take(s, order, limit, nowMs, events);
    const remaining = order.qtySteps - order.executedSteps;
    if (remaining === 0) {
      this.retire(order);
    } else if (isLimit && (timeInForce === 'GTC' || timeInForce === 'GTX')) {
      this.rest(s, order);
    } else {
      this.close(order, 'EXPIRED', nowMs, events);
    }
    this.expireStaleReduceOnly(s, nowMs, events);
    return { ok: true, order: { ...order }, events };
  }

  private checkMargin(s: SymbolState, priceTicks: Ticks, qtySteps: Steps): void {
    let required = 0n;
    let unrealized = 0n;
    for (const t of this.symbols.values()) {
      let exposure = this.markNotional(t, Math.abs(t.position.amount));
      for (const o of t.bids) exposure += t.sym.instrument.notional(o.priceTicks, o.qtySteps - o.executedSteps);
      for (const o of t.asks) exposure += t.sym.instrument.notional(o.priceTicks, o.qtySteps - o.executedSteps);
      if (t === s) exposure += s.sym.instrument.notional(priceTicks, qtySteps);
      required += divRound(exposure, BigInt(t.leverage), 'ceil');
      unrealized += this.positionView(t).unrealizedPnl;
    }
    if (required > this.wallet + unrealized) throw apiErrors.marginInsufficient();
  }

  /** True when a limit at `priceTicks` would trade at once, against the market or our own orders. */
  private wouldTake(s: SymbolState, side: Side, priceTicks: Ticks): boolean {
    if (side === 'BUY') {
      const synth = s.synthAsks[0]?.[0];
      const own = s.asks[0]?.priceTicks;
      return (synth !== undefined && priceTicks >= synth) || (own !== undefined && priceTicks >= own);
    }
    const synth = s.synthBids[0]?.[0];
    const own = s.bids[0]?.priceTicks;
    return (synth !== undefined && priceTicks <= synth) || (own !== undefined && priceTicks <= own);
  }

  private takeableQty(s: SymbolState, side: Side, limit: Ticks | null): Steps {
    const levels = side === 'BUY' ? s.synthAsks : s.synthBids;
    let total = 0;
    for (const [price, qty] of levels) {
      if (limit !== null && (side === 'BUY' ? price > limit : price < limit)) break;
      total += qty;
    }
    return total;
  }

  /**
   * Takes liquidity for an incoming order, best price first across the synthetic book and our
   * own resting orders. Our own orders met on the way are expired (self-trade prevention
   * EXPIRE_MAKER) rather than traded against, so our resting book never crosses itself.
   */
  private take(s: SymbolState, order: SimOrder, limit: Ticks | null, nowMs: number, events: EngineEvent[]): void {
    const buying = order.side === 'BUY';
    const levels = buying ? s.synthAsks : s.synthBids;
    const own = buying ? s.asks : s.bids;
    const better = (a: Ticks, b: Ticks): boolean => (buying ? a <= b : a >= b);
    while (order.executedSteps < order.qtySteps) {
      const level = levels[0];
      const ownBest = own[0];
      if (ownBest && (!level || better(ownBest.priceTicks, level[0])) && (limit === null || better(ownBest.priceTicks, limit))) {
        this.close(ownBest, 'EXPIRED', nowMs, events);
        continue;
      }
      if (!level || (limit !== null && !better(level[0], limit))) return;
      const wanted = this.fillableSteps(s, order, order.qtySteps - order.executedSteps);
      if (wanted === 0) return;
      const qty = Math.min(wanted, level[1]);
      this.applyFill(s, order, level[0], qty, false, nowMs, events);
      level[1] -= qty;
      if (level[1] === 0) levels.shift();
    }
  }

  /** Fills our resting orders that an aggressor on `aggressor` side trades through, up to `qty`. */
  private tradeThrough(s: SymbolState, aggressor: Side, priceTicks: Ticks, qty: Steps, nowMs: number, events: EngineEvent[]): void {
    const makers = aggressor === 'BUY' ? s.asks : s.bids;
    let left = qty;
    let i = 0;
    while (left > 0 && i < makers.length) {
      const order = makers[i];
      if (!order) break;
      const crossed = aggressor === 'BUY' ? order.priceTicks <= priceTicks : order.priceTicks >= priceTicks;
      if (!crossed) break;
      const fillQty = Math.min(left, this.fillableSteps(s, order, order.qtySteps - order.executedSteps));
      if (fillQty === 0) {
        i += 1;
        continue;
      }
      this.applyFill(s, order, order.priceTicks, fillQty, true, nowMs, events);
      left -= fillQty;
      if (order.executedSteps === order.qtySteps) {
        makers.splice(i, 1);
        this.retire(order);
      } else {
        i += 1;
      }
    }
  }

  /** Caps a reduce-only fill at the position it reduces; anything else fills as asked. */
  private fillableSteps(s: SymbolState, order: SimOrder, wanted: Steps): Steps {
    if (!order.reduceOnly) return wanted;
    const pos = s.position.amount;
    if (pos * sideSign(order.side) >= 0) return 0;
    return Math.min(wanted, Math.abs(pos));
  }

  private applyFill(s: SymbolState, order: SimOrder, priceTicks: Ticks, qty: Steps, maker: boolean, nowMs: number, events: EngineEvent[]): void {
    const inst = s.sym.instrument;
    const quote = inst.notional(priceTicks, qty);
    const commission = divRound(quote * (maker ? this.makerRate : this.takerRate), pow10(RATE_DECIMALS), 'half-up');
    const realizedPnl = this.movePosition(s, order.side, priceTicks, qty, nowMs);
    this.wallet += realizedPnl - commission;
    this.feesPaid += commission;
    this.realizedTotal += realizedPnl;
    order.executedSteps += qty;
    order.cumQuote += quote;
    order.status = order.executedSteps === order.qtySteps ? 'FILLED' : 'PARTIALLY_FILLED';
    order.updateTimeMs = nowMs;
    const fill: Fill = {
      tradeId: this.nextTradeId++,
      symbol: order.symbol,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      side: order.side,
      priceTicks,
      qtySteps: qty,
      quote,
      commission,
      realizedPnl,
      maker,
      timeMs: nowMs,
    };
    this.fills.push(fill);
    events.push(this.orderEvent(order, 'TRADE', fill, nowMs));
    events.push({ kind: 'account', reason: 'ORDER', balanceChange: 0n, walletBalance: this.wallet, positions: [this.positionView(s)], timeMs: nowMs });
  }

  /** Applies a fill to the position with average-entry accounting; returns the realized PnL. */
  private movePosition(s: SymbolState, side: Side, priceTicks: Ticks, qty: Steps, nowMs: number): Money {
    const inst = s.sym.instrument;
    const p = s.position;
    const sign = sideSign(side);
    p.updateTimeMs = nowMs;
    if (p.amount === 0 || Math.sign(p.amount) === sign) {
      p.amount += sign * qty;
      p.cost += inst.notional(priceTicks, qty);
      return 0n;
    }
    const closing = Math.min(qty, Math.abs(p.amount));
    const removedCost = closing === Math.abs(p.amount) ? p.cost : divRound(p.cost * BigInt(closing), BigInt(Math.abs(p.amount)), 'half-up');
    const closingValue = inst.notional(priceTicks, closing);
    const realized = p.amount > 0 ? closingValue - removedCost : removedCost - closingValue;
    p.cost -= removedCost;
    p.amount += sign * closing;
    p.realized += realized;
    const opening = qty - closing;
    if (opening > 0) {
      p.amount += sign * opening;
      p.cost = inst.notional(priceTicks, opening);
    }
    return realized;
  }

  /** Expires reduce-only orders that can no longer reduce (flat, or the position turned). */
  private expireStaleReduceOnly(s: SymbolState, nowMs: number, events: EngineEvent[]): void {
    const pos = s.position.amount;
    for (const order of [...s.bids, ...s.asks]) {
      if (order.reduceOnly && pos * sideSign(order.side) >= 0) this.close(order, 'EXPIRED', nowMs, events);
    }
  }

  private rest(s: SymbolState, order: SimOrder): void {
    const book = order.side === 'BUY' ? s.bids : s.asks;
    const after = (o: SimOrder): boolean => (order.side === 'BUY' ? o.priceTicks < order.priceTicks : o.priceTicks > order.priceTicks);
    const at = book.findIndex(after);
    if (at < 0) book.push(order);
    else book.splice(at, 0, order);
  }

  private close(order: SimOrder, status: 'CANCELED' | 'EXPIRED', nowMs: number, events: EngineEvent[]): void {
    const s = this.state(order.symbol);
    for (const book of [s.bids, s.asks]) {
      const at = book.indexOf(order);
      if (at >= 0) book.splice(at, 1);
    }
    order.status = status;
    order.updateTimeMs = nowMs;
    this.retire(order);
    events.push(this.orderEvent(order, status, null, nowMs));
  }

  /** Moves a final order from the open indexes to the closed ones. */
  private retire(order: SimOrder): void {
    this.openById.delete(order.orderId);
    if (this.openByClientId.get(order.clientOrderId) === order) this.openByClientId.delete(order.clientOrderId);
    this.closedById.set(order.orderId, order);
    this.closedByClientId.set(order.clientOrderId, order);
    if (this.closedById.size > this.maxClosedOrders) {
      const oldest = this.closedById.keys().next().value;
      if (oldest !== undefined) {
        const old = this.closedById.get(oldest);
        this.closedById.delete(oldest);
        if (old && this.closedByClientId.get(old.clientOrderId) === old) this.closedByClientId.delete(old.clientOrderId);
      }
    }
  }

  private orderEvent(order: SimOrder, execution: ExecutionType, fill: Fill | null, nowMs: number): EngineEvent {
    return { kind: 'order', order: { ...order }, execution, fill, timeMs: nowMs };
  }

  private markNotional(s: SymbolState, steps: Steps): Money {
    return divRound(s.sym.instrument.tickStepsToMoney(BigInt(s.markHalfTicks) * BigInt(steps)), 2n, 'half-up');
  }

  private positionView(s: SymbolState): PositionView {
    const p = s.position;
    const abs = Math.abs(p.amount);
    const value = this.markNotional(s, abs);
    const unrealizedPnl = p.amount > 0 ? value - p.cost : p.amount < 0 ? p.cost - value : 0n;
    return {
      symbol: s.sym.spec.symbol,
      amountSteps: p.amount,
      cost: p.cost,
      entryPrice: this.averagePrice(s.sym.spec.symbol, p.cost, abs),
      unrealizedPnl,
      markHalfTicks: s.markHalfTicks,
      realizedPnl: p.realized,
      updateTimeMs: p.updateTimeMs,
    };
  }
}

/** Returns a decimal string with trailing zeros dropped, keeping at least `minDecimals`. */
function trimTo(text: string, minDecimals: number): string {
  const dot = text.indexOf('.');
  if (dot < 0) return text;
  let end = text.length;
  while (end > dot + 1 + minDecimals && text[end - 1] === '0') end -= 1;
  return text.slice(0, end === dot + 1 ? dot : end);
}
