/**
 * Binance USDⓈ-M JSON shapes built from engine state: REST answers (order, exchangeInfo,
 * depth, bookTicker, premiumIndex, positionRisk, balance, account, userTrades) and stream events
 * (ORDER_TRADE_UPDATE, ACCOUNT_UPDATE, bookTicker, depthUpdate, markPriceUpdate).
 */
import { divRound, formatScaled, parseScaled, pow10 } from '../core/decimal.ts';
import { formatMoney, type Money } from '../core/money.ts';
import type { EngineEvent, Fill, MatchingEngine, OrderView, PositionView } from './matching-engine.ts';
import { formatFundingRate, type Levels } from './market-model.ts';
import type { BookTopView, DepthBatch } from './public-book.ts';
import type { SimSymbol } from './symbols.ts';
import { formatPrice, formatQty } from './wire-numbers.ts';

/** Maintenance margin rate used for display (Binance's first BTCUSDT bracket). */
const MAINT_MARGIN_BPS = 40n;

/** Returns a price given in half ticks with 8 decimals (mark and index prices). */
/** Binance's underlyingSubType of the listed contracts' base assets. */
const UNDERLYING_SUB_TYPES: Readonly<Record<string, string[]>> = { BTC: ['PoW'], ETH: ['Layer-1'], SOL: ['Layer-1'], BNB: ['BNB Chain'] };

export function formatHalfTicks(sym: SimSymbol, halfTicks: number): string {
  const tickUnits = parseScaled(sym.spec.tickSize, sym.pricePrecision);
  return formatScaled((BigInt(halfTicks) * tickUnits * pow10(8 - sym.pricePrecision)) / 2n, 8);
}

/** Returns the REST answer for one order (POST/GET/DELETE /fapi/v1/order, openOrders). */
export function orderJson(engine: MatchingEngine, order: OrderView): Record<string, unknown> {
  const sym = engine.symbol(order.symbol);
  return {
    orderId: order.orderId,
    symbol: order.symbol,
    status: order.status,
    clientOrderId: order.clientOrderId,
    price: order.type === 'MARKET' ? formatPrice(sym, 0) : formatPrice(sym, order.priceTicks),
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
    stopPrice: formatPrice(sym, 0),
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

/** Returns the user-stream event for one engine event. */
export function userEventJson(engine: MatchingEngine, event: EngineEvent): Record<string, unknown> {
  if (event.kind === 'account') {
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
  const { order, fill } = event;
  const sym = engine.symbol(order.symbol);
  const notional = sideNotionals(engine, order.symbol);
  const o: Record<string, unknown> = {
    s: order.symbol,
    c: order.clientOrderId,
    S: order.side,
    o: order.type,
    f: order.timeInForce,
    q: formatQty(sym, order.qtySteps),
    p: formatPrice(sym, order.priceTicks),
    ap: engine.averagePrice(order.symbol, order.cumQuote, order.executedSteps),
    sp: formatPrice(sym, 0),
    x: event.execution,
    X: order.status,
    i: order.orderId,
    l: formatQty(sym, fill?.qtySteps ?? 0),
    z: formatQty(sym, order.executedSteps),
    L: formatPrice(sym, fill?.priceTicks ?? 0),
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

function sideNotionals(engine: MatchingEngine, symbol: string): { bids: Money; asks: Money } {
  const inst = engine.symbol(symbol).instrument;
  let bids = 0n;
  let asks = 0n;
  for (const o of engine.openOrders(symbol)) {
    const n = inst.notional(o.priceTicks, o.qtySteps - o.executedSteps);
    if (o.side === 'BUY') bids += n;
    else asks += n;
  }
  return { bids, asks };
}

function levelsJson(sym: SimSymbol, levels: Levels): string[][] {
  return levels.map(([p, q]) => [formatPrice(sym, p), formatQty(sym, q)]);
}

/** Returns the `<symbol>@bookTicker` event. */
export function bookTickerJson(sym: SimSymbol, top: BookTopView, nowMs: number): Record<string, unknown> {
  return {
    e: 'bookTicker',
    u: top.updateId,
    E: nowMs,
    T: nowMs,
    s: sym.spec.symbol,
    b: formatPrice(sym, top.bid?.[0] ?? 0),
    B: formatQty(sym, top.bid?.[1] ?? 0),
    a: formatPrice(sym, top.ask?.[0] ?? 0),
    A: formatQty(sym, top.ask?.[1] ?? 0),
  };
}

/** Returns the REST bookTicker entry. */
export function restBookTickerJson(sym: SimSymbol, top: BookTopView, nowMs: number): Record<string, unknown> {
  return {
    symbol: sym.spec.symbol,
    bidPrice: formatPrice(sym, top.bid?.[0] ?? 0),
    bidQty: formatQty(sym, top.bid?.[1] ?? 0),
    askPrice: formatPrice(sym, top.ask?.[0] ?? 0),
    askQty: formatQty(sym, top.ask?.[1] ?? 0),
    time: nowMs,
    lastUpdateId: top.updateId,
  };
}

/** Returns the `<symbol>@depth@100ms` event. */
export function depthUpdateJson(sym: SimSymbol, batch: DepthBatch, nowMs: number): Record<string, unknown> {
  return {
    e: 'depthUpdate',
    E: nowMs,
    T: nowMs,
    s: sym.spec.symbol,
    U: batch.firstUpdateId,
    u: batch.finalUpdateId,
    pu: batch.prevFinalUpdateId,
    b: levelsJson(sym, batch.bids),
    a: levelsJson(sym, batch.asks),
  };
}

/** Returns the REST depth snapshot. */
export function depthSnapshotJson(sym: SimSymbol, snapshot: { lastUpdateId: number; bids: Levels; asks: Levels }, nowMs: number): Record<string, unknown> {
  return { lastUpdateId: snapshot.lastUpdateId, E: nowMs, T: nowMs, bids: levelsJson(sym, snapshot.bids), asks: levelsJson(sym, snapshot.asks) };
}

export interface FundingView {
  readonly markHalfTicks: number;
  readonly rateUnits: number;
  readonly nextFundingTimeMs: number;
}

/** Returns the `<symbol>@markPrice` event. */
export function markPriceJson(sym: SimSymbol, f: FundingView, nowMs: number): Record<string, unknown> {
  const mark = formatHalfTicks(sym, f.markHalfTicks);
  return { e: 'markPriceUpdate', E: nowMs, s: sym.spec.symbol, p: mark, ap: mark, P: mark, i: mark, r: formatFundingRate(f.rateUnits), T: f.nextFundingTimeMs };
}

/** Returns the GET /fapi/v1/premiumIndex entry. */
export function premiumIndexJson(sym: SimSymbol, f: FundingView, nowMs: number): Record<string, unknown> {
  const mark = formatHalfTicks(sym, f.markHalfTicks);
  return {
    symbol: sym.spec.symbol,
    markPrice: mark,
    indexPrice: mark,
    estimatedSettlePrice: mark,
    lastFundingRate: formatFundingRate(f.rateUnits),
    interestRate: '0.00010000',
    nextFundingTime: f.nextFundingTimeMs,
    time: nowMs,
  };
}

/** Returns GET /fapi/v1/exchangeInfo. */
export function exchangeInfoJson(
  symbols: readonly SimSymbol[],
  nowMs: number,
  limits: { weight1m: number; orders10s: number; orders1m: number },
): Record<string, unknown> {
  return {
    timezone: 'UTC',
    serverTime: nowMs,
    futuresType: 'U_MARGINED',
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: limits.weight1m },
      { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: limits.orders1m },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: limits.orders10s },
    ],
    exchangeFilters: [],
    assets: [{ asset: 'USDT', marginAvailable: true, autoAssetExchange: '-10000' }],
    symbols: symbols.map((sym) => {
      const s = sym.spec;
      return {
        symbol: s.symbol,
        pair: s.symbol,
        contractType: 'PERPETUAL',
        deliveryDate: 4133404800000,
        onboardDate: 1569398400000,
        status: 'TRADING',
        maintMarginPercent: '2.5000',
        requiredMarginPercent: '5.0000',
        baseAsset: s.baseAsset,
        quoteAsset: s.quoteAsset,
        marginAsset: s.marginAsset,
        pricePrecision: sym.pricePrecision,
        quantityPrecision: sym.quantityPrecision,
        baseAssetPrecision: 8,
        quotePrecision: 8,
        underlyingType: 'COIN',
        underlyingSubType: UNDERLYING_SUB_TYPES[s.baseAsset] ?? ['Layer-1'],
        settlePlan: 0,
        triggerProtect: '0.0500',
        liquidationFee: '0.012500',
        marketTakeBound: '0.05',
        maxMoveOrderLimit: 10000,
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: s.minPrice, maxPrice: s.maxPrice, tickSize: s.tickSize },
          { filterType: 'LOT_SIZE', minQty: s.minQty, maxQty: s.maxQty, stepSize: s.stepSize },
          { filterType: 'MARKET_LOT_SIZE', minQty: s.minQty, maxQty: s.marketMaxQty, stepSize: s.stepSize },
          { filterType: 'MAX_NUM_ORDERS', limit: 200 },
          { filterType: 'MAX_NUM_ALGO_ORDERS', limit: 10 },
          { filterType: 'MIN_NOTIONAL', notional: s.minNotional },
          { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: '4' },
        ],
        orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
        timeInForce: ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'],
        permissionSets: ['GRID', 'COPY'],
      };
    }),
  };
}

interface MarginFigures {
  readonly notional: Money;
  readonly positionInitial: Money;
  readonly openOrderInitial: Money;
  readonly maint: Money;
  readonly bidNotional: Money;
  readonly askNotional: Money;
}

function marginFigures(engine: MatchingEngine, p: PositionView): MarginFigures {
  const sym = engine.symbol(p.symbol);
  const leverage = BigInt(engine.settings(p.symbol).leverage);
  const value = divRound(sym.instrument.tickStepsToMoney(BigInt(p.markHalfTicks) * BigInt(Math.abs(p.amountSteps))), 2n, 'half-up');
  const sides = sideNotionals(engine, p.symbol);
  return {
    notional: p.amountSteps < 0 ? -value : value,
    positionInitial: divRound(value, leverage, 'half-up'),
    openOrderInitial: divRound(sides.bids + sides.asks, leverage, 'half-up'),
    maint: divRound(value * MAINT_MARGIN_BPS, 10_000n, 'half-up'),
    bidNotional: sides.bids,
    askNotional: sides.asks,
  };
}

/** Returns one GET /fapi/v3/positionRisk entry. */
export function positionRiskV3Json(engine: MatchingEngine, p: PositionView): Record<string, unknown> {
  const sym = engine.symbol(p.symbol);
  const m = marginFigures(engine, p);
  return {
    symbol: p.symbol,
    positionSide: 'BOTH',
    positionAmt: formatQty(sym, p.amountSteps),
    entryPrice: p.entryPrice,
    breakEvenPrice: p.entryPrice,
    markPrice: formatHalfTicks(sym, p.markHalfTicks),
    unRealizedProfit: formatMoney(p.unrealizedPnl),
    liquidationPrice: '0',
    isolatedMargin: '0',
    notional: formatMoney(m.notional),
    marginAsset: engine.asset(),
    isolatedWallet: '0',
    initialMargin: formatMoney(m.positionInitial + m.openOrderInitial),
    maintMargin: formatMoney(m.maint),
    positionInitialMargin: formatMoney(m.positionInitial),
    openOrderInitialMargin: formatMoney(m.openOrderInitial),
    adl: 0,
    bidNotional: formatMoney(m.bidNotional),
    askNotional: formatMoney(m.askNotional),
    updateTime: p.updateTimeMs,
  };
}

/** Returns one GET /fapi/v2/positionRisk entry (the older shape with leverage and margin type). */
export function positionRiskV2Json(engine: MatchingEngine, p: PositionView): Record<string, unknown> {
  const sym = engine.symbol(p.symbol);
  const settings = engine.settings(p.symbol);
  const m = marginFigures(engine, p);
  return {
    symbol: p.symbol,
    positionAmt: formatQty(sym, p.amountSteps),
    entryPrice: p.entryPrice,
    breakEvenPrice: p.entryPrice,
    markPrice: formatHalfTicks(sym, p.markHalfTicks),
    unRealizedProfit: formatMoney(p.unrealizedPnl),
    liquidationPrice: '0',
    leverage: String(settings.leverage),
    maxNotionalValue: '1000000000',
    marginType: settings.marginType === 'CROSSED' ? 'cross' : 'isolated',
    isolatedMargin: '0.00000000',
    isAutoAddMargin: 'false',
    positionSide: 'BOTH',
    notional: formatMoney(m.notional),
    isolatedWallet: '0',
    updateTime: p.updateTimeMs,
  };
}

/** Returns the account-wide figures: wallet, unrealized PnL, margins, available balance. */
export function accountFigures(engine: MatchingEngine): {
  wallet: Money;
  unrealized: Money;
  positionInitial: Money;
  openOrderInitial: Money;
  maint: Money;
  available: Money;
} {
  let unrealized = 0n;
  let positionInitial = 0n;
  let openOrderInitial = 0n;
  let maint = 0n;
  for (const symbol of engine.symbolNames()) {
    const p = engine.position(symbol);
    const m = marginFigures(engine, p);
    unrealized += p.unrealizedPnl;
    positionInitial += m.positionInitial;
    openOrderInitial += m.openOrderInitial;
    maint += m.maint;
  }
  const wallet = engine.walletBalance();
  const available = wallet + unrealized - positionInitial - openOrderInitial;
  return { wallet, unrealized, positionInitial, openOrderInitial, maint, available: available > 0n ? available : 0n };
}

/** Returns GET /fapi/v3/balance (and v2). */
export function balanceJson(engine: MatchingEngine, nowMs: number): Record<string, unknown>[] {
  const f = accountFigures(engine);
  return [
    {
      accountAlias: 'SgsR',
      asset: engine.asset(),
      balance: formatMoney(f.wallet),
      crossWalletBalance: formatMoney(f.wallet),
      crossUnPnl: formatMoney(f.unrealized),
      availableBalance: formatMoney(f.available),
      maxWithdrawAmount: formatMoney(f.available),
      marginAvailable: true,
      updateTime: nowMs,
    },
  ];
}

/** Returns GET /fapi/v3/account (single-asset mode). */
export function accountJson(engine: MatchingEngine, nowMs: number): Record<string, unknown> {
  const f = accountFigures(engine);
  const money = formatMoney;
  const positions = engine
    .symbolNames()
    .map((symbol) => engine.position(symbol))
    .filter((p) => p.amountSteps !== 0 || engine.openOrders(p.symbol).length > 0)
    .map((p) => {
      const m = marginFigures(engine, p);
      return {
        symbol: p.symbol,
        positionSide: 'BOTH',
        positionAmt: formatQty(engine.symbol(p.symbol), p.amountSteps),
        unrealizedProfit: money(p.unrealizedPnl),
        isolatedMargin: '0',
        notional: money(m.notional),
        isolatedWallet: '0',
        initialMargin: money(m.positionInitial + m.openOrderInitial),
        maintMargin: money(m.maint),
        updateTime: p.updateTimeMs,
      };
    });
  return {
    totalInitialMargin: money(f.positionInitial + f.openOrderInitial),
    totalMaintMargin: money(f.maint),
    totalWalletBalance: money(f.wallet),
    totalUnrealizedProfit: money(f.unrealized),
    totalMarginBalance: money(f.wallet + f.unrealized),
    totalPositionInitialMargin: money(f.positionInitial),
    totalOpenOrderInitialMargin: money(f.openOrderInitial),
    totalCrossWalletBalance: money(f.wallet),
    totalCrossUnPnl: money(f.unrealized),
    availableBalance: money(f.available),
    maxWithdrawAmount: money(f.available),
    assets: [
      {
        asset: engine.asset(),
        walletBalance: money(f.wallet),
        unrealizedProfit: money(f.unrealized),
        marginBalance: money(f.wallet + f.unrealized),
        maintMargin: money(f.maint),
        initialMargin: money(f.positionInitial + f.openOrderInitial),
        positionInitialMargin: money(f.positionInitial),
        openOrderInitialMargin: money(f.openOrderInitial),
        crossWalletBalance: money(f.wallet),
        crossUnPnl: money(f.unrealized),
        availableBalance: money(f.available),
        maxWithdrawAmount: money(f.available),
        updateTime: nowMs,
      },
    ],
    positions,
  };
}
