/**
 * Binance JSON for market data over REST: exchangeInfo, depth, book and price tickers, 24-hour
 * statistics, klines, public and aggregate trades, mark price and funding.
 */
import { divRound, formatScaled, pow10 } from '../core/decimal.ts';
import { asTicks, ZERO_STEPS, ZERO_TICKS, type Ticks } from '../core/instrument.ts';
import { formatMoney } from '../core/money.ts';
import type { FundingRecord, FundingView } from './funding-history.ts';
import type { Bar, DayStats } from './kline-book.ts';
import { MAX_RATE_UNITS, formatFundingRate, type Levels } from './market-model.ts';
import { averagePrice } from './position-accounting.ts';
import type { BookTopView } from './public-book.ts';
import type { SimSymbol } from './symbols.ts';
import type { AggTrade, PublicTrade } from './trade-tape.ts';
import { formatHalfTicks, formatPrice, formatQty } from './wire-numbers.ts';

/** Binance's underlyingSubType of the listed contracts' base assets. */
const UNDERLYING_SUB_TYPES: Readonly<Record<string, string[]>> = { BTC: ['PoW'], ETH: ['Layer-1'], SOL: ['Layer-1'], BNB: ['BNB Chain'] };
const HOUR_MS = 60 * 60 * 1000;

/** Returns price levels as Binance writes them: [["price", "qty"], ...]. */
export function levelsJson(sym: SimSymbol, levels: Levels): string[][] {
  return levels.map(([p, q]) => [formatPrice(sym, p), formatQty(sym, q)]);
}

/** Returns the REST depth snapshot. */
export function depthSnapshotJson(sym: SimSymbol, snapshot: { lastUpdateId: number; bids: Levels; asks: Levels }, nowMs: number): Record<string, unknown> {
  return { lastUpdateId: snapshot.lastUpdateId, E: nowMs, T: nowMs, bids: levelsJson(sym, snapshot.bids), asks: levelsJson(sym, snapshot.asks) };
}

/** Returns the REST bookTicker entry. */
export function restBookTickerJson(sym: SimSymbol, top: BookTopView, nowMs: number): Record<string, unknown> {
  return {
    symbol: sym.spec.symbol,
    bidPrice: formatPrice(sym, top.bid?.[0] ?? ZERO_TICKS),
    bidQty: formatQty(sym, top.bid?.[1] ?? ZERO_STEPS),
    askPrice: formatPrice(sym, top.ask?.[0] ?? ZERO_TICKS),
    askQty: formatQty(sym, top.ask?.[1] ?? ZERO_STEPS),
    time: nowMs,
    lastUpdateId: top.updateId,
  };
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

/** Returns a GET /fapi/v{1,2}/ticker/price entry: the last trade's price (the mid before any trade). */
export function tickerPriceJson(sym: SimSymbol, lastTicks: Ticks, timeMs: number): Record<string, unknown> {
  return { symbol: sym.spec.symbol, price: formatPrice(sym, lastTicks), time: timeMs };
}

/** The 24-hour statistics as decimal strings, shared by GET /fapi/v1/ticker/24hr and the ticker streams. */
export interface DayStatsText {
  readonly change: string;
  /** Percent with `percentDecimals` decimals. */
  readonly percent: string;
  readonly weightedAvg: string;
  readonly last: string;
  readonly lastQty: string;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly volume: string;
  readonly quote: string;
}

/** Returns 24-hour statistics formatted on the contract's grid; the change percent with the decimals asked for. */
export function dayStatsText(sym: SimSymbol, stats: DayStats, percentDecimals: number): DayStatsText {
  const change = stats.last - stats.open;
  const scaled = stats.open === 0 ? 0n : divRound(BigInt(change) * 100n * pow10(percentDecimals), BigInt(stats.open), 'half-up');
  return {
    change: formatSignedPrice(sym, change),
    percent: formatScaled(scaled, percentDecimals),
    weightedAvg: stats.volume === 0 ? formatPrice(sym, stats.last) : averagePrice(sym, stats.quote, stats.volume),
    last: formatPrice(sym, stats.last),
    lastQty: formatQty(sym, stats.lastQty),
    open: formatPrice(sym, stats.open),
    high: formatPrice(sym, stats.high),
    low: formatPrice(sym, stats.low),
    volume: formatQty(sym, stats.volume),
    quote: formatMoney(stats.quote),
  };
}

/** Returns a GET /fapi/v1/ticker/24hr entry. */
export function ticker24hrJson(sym: SimSymbol, stats: DayStats): Record<string, unknown> {
  const t = dayStatsText(sym, stats, 3);
  return {
    symbol: sym.spec.symbol,
    priceChange: t.change,
    priceChangePercent: t.percent,
    weightedAvgPrice: t.weightedAvg,
    lastPrice: t.last,
    lastQty: t.lastQty,
    openPrice: t.open,
    highPrice: t.high,
    lowPrice: t.low,
    volume: t.volume,
    quoteVolume: t.quote,
    openTime: stats.openTime,
    closeTime: stats.closeTime,
    firstId: stats.firstId,
    lastId: stats.lastId,
    count: stats.trades,
  };
}

/** Returns one GET /fapi/v1/klines row. */
export function klineRowJson(sym: SimSymbol, bar: Bar): unknown[] {
  return [
    bar.openTime,
    formatPrice(sym, bar.open),
    formatPrice(sym, bar.high),
    formatPrice(sym, bar.low),
    formatPrice(sym, bar.close),
    formatQty(sym, bar.volume),
    bar.closeTime,
    formatMoney(bar.quote),
    bar.trades,
    formatQty(sym, bar.takerBuyVolume),
    formatMoney(bar.takerBuyQuote),
    '0',
  ];
}

/** Returns one GET /fapi/v1/trades entry. */
export function publicTradeJson(sym: SimSymbol, trade: PublicTrade): Record<string, unknown> {
  return {
    id: trade.id,
    price: formatPrice(sym, trade.priceTicks),
    qty: formatQty(sym, trade.qtySteps),
    quoteQty: formatMoney(trade.quote),
    time: trade.timeMs,
    isBuyerMaker: trade.buyerIsMaker,
  };
}

/** Returns one GET /fapi/v1/aggTrades entry. */
export function aggTradeJson(sym: SimSymbol, agg: AggTrade): Record<string, unknown> {
  return {
    a: agg.aggId,
    p: formatPrice(sym, agg.priceTicks),
    q: formatQty(sym, agg.qtySteps),
    f: agg.firstId,
    l: agg.lastId,
    T: agg.timeMs,
    m: agg.buyerIsMaker,
  };
}

/** Returns one GET /fapi/v1/fundingRate entry. */
export function fundingRateJson(sym: SimSymbol, record: FundingRecord): Record<string, unknown> {
  return {
    symbol: record.symbol,
    fundingRate: formatFundingRate(record.rateUnits),
    fundingTime: record.timeMs,
    markPrice: formatHalfTicks(sym, record.markHalfTicks),
  };
}

/** Returns one GET /fapi/v1/fundingInfo entry: the rate bounds and the funding interval (fractional hours when shorter than an hour). */
export function fundingInfoJson(sym: SimSymbol, fundingIntervalMs: number): Record<string, unknown> {
  return {
    symbol: sym.spec.symbol,
    adjustedFundingRateCap: formatFundingRate(MAX_RATE_UNITS),
    adjustedFundingRateFloor: formatFundingRate(-MAX_RATE_UNITS),
    fundingIntervalHours: fundingIntervalMs / HOUR_MS,
    disclaimer: false,
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

/** Returns a signed tick count as a price string ("-12.30"). */
function formatSignedPrice(sym: SimSymbol, ticks: number): string {
  const text = formatPrice(sym, asTicks(Math.abs(ticks)));
  return ticks < 0 ? `-${text}` : text;
}
