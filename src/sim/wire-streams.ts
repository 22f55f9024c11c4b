/**
 * Binance JSON for market stream events: book tickers, diff and partial depth, mark prices,
 * aggregate trades, 24-hour tickers and mini tickers, klines.
 */
import { ZERO_STEPS, ZERO_TICKS } from '../core/instrument.ts';
import { formatMoney } from '../core/money.ts';
import type { FundingView } from './funding-history.ts';
import type { Bar, DayStats } from './kline-book.ts';
import { formatFundingRate, type Levels } from './market-model.ts';
import type { BookTopView, DepthBatch } from './public-book.ts';
import type { SimSymbol } from './symbols.ts';
import type { AggTrade } from './trade-tape.ts';
import { dayStatsText, levelsJson } from './wire-market.ts';
import { formatHalfTicks, formatPrice, formatQty } from './wire-numbers.ts';

/** Returns the `<symbol>@bookTicker` (and `!bookTicker`) event. */
export function bookTickerJson(sym: SimSymbol, top: BookTopView, nowMs: number): Record<string, unknown> {
  return {
    e: 'bookTicker',
    u: top.updateId,
    E: nowMs,
    T: nowMs,
    s: sym.spec.symbol,
    b: formatPrice(sym, top.bid?.[0] ?? ZERO_TICKS),
    B: formatQty(sym, top.bid?.[1] ?? ZERO_STEPS),
    a: formatPrice(sym, top.ask?.[0] ?? ZERO_TICKS),
    A: formatQty(sym, top.ask?.[1] ?? ZERO_STEPS),
  };
}

/** Returns the `<symbol>@depth[@speed]` event: the levels changed since the previous one. */
export function depthUpdateJson(sym: SimSymbol, batch: DepthBatch, nowMs: number): Record<string, unknown> {
  return partialDepthJson(sym, batch, { bids: batch.bids, asks: batch.asks }, nowMs);
}

/** Returns the `<symbol>@depth<levels>[@speed]` event: the top levels, with the update ids of the batch that led to them. */
export function partialDepthJson(
  sym: SimSymbol,
  batch: DepthBatch,
  top: { readonly bids: Levels; readonly asks: Levels },
  nowMs: number,
): Record<string, unknown> {
  return {
    e: 'depthUpdate',
    E: nowMs,
    T: nowMs,
    s: sym.spec.symbol,
    U: batch.firstUpdateId,
    u: batch.finalUpdateId,
    pu: batch.prevFinalUpdateId,
    b: levelsJson(sym, top.bids),
    a: levelsJson(sym, top.asks),
  };
}

/** Returns the `<symbol>@markPrice[@1s]` event (an element of `!markPrice@arr` too). */
export function markPriceJson(sym: SimSymbol, f: FundingView, nowMs: number): Record<string, unknown> {
  const mark = formatHalfTicks(sym, f.markHalfTicks);
  return { e: 'markPriceUpdate', E: nowMs, s: sym.spec.symbol, p: mark, ap: mark, P: mark, i: mark, r: formatFundingRate(f.rateUnits), T: f.nextFundingTimeMs };
}

/** Returns the `<symbol>@aggTrade` event (no Retail Price Improvement orders here: `nq` equals `q`). */
export function aggTradeEventJson(sym: SimSymbol, agg: AggTrade, nowMs: number): Record<string, unknown> {
  const qty = formatQty(sym, agg.qtySteps);
  return {
    e: 'aggTrade',
    E: nowMs,
    s: sym.spec.symbol,
    a: agg.aggId,
    p: formatPrice(sym, agg.priceTicks),
    q: qty,
    nq: qty,
    f: agg.firstId,
    l: agg.lastId,
    T: agg.timeMs,
    m: agg.buyerIsMaker,
  };
}

/** Returns the `<symbol>@ticker` event (an element of `!ticker@arr` too). */
export function tickerEventJson(sym: SimSymbol, stats: DayStats, nowMs: number): Record<string, unknown> {
  const t = dayStatsText(sym, stats, 2);
  return {
    e: '24hrTicker',
    E: nowMs,
    s: sym.spec.symbol,
    p: t.change,
    P: t.percent,
    w: t.weightedAvg,
    c: t.last,
    Q: t.lastQty,
    o: t.open,
    h: t.high,
    l: t.low,
    v: t.volume,
    q: t.quote,
    O: stats.openTime,
    C: stats.closeTime,
    F: stats.firstId,
    L: stats.lastId,
    n: stats.trades,
  };
}

/** Returns the `<symbol>@miniTicker` event (an element of `!miniTicker@arr` too). */
export function miniTickerEventJson(sym: SimSymbol, stats: DayStats, nowMs: number): Record<string, unknown> {
  const t = dayStatsText(sym, stats, 2);
  return { e: '24hrMiniTicker', E: nowMs, s: sym.spec.symbol, c: t.last, o: t.open, h: t.high, l: t.low, v: t.volume, q: t.quote };
}

/** Returns the `<symbol>@kline_<interval>` event for the bar in progress (`closed`: its final update). */
export function klineEventJson(sym: SimSymbol, interval: string, bar: Bar, closed: boolean, nowMs: number): Record<string, unknown> {
  return {
    e: 'kline',
    E: nowMs,
    s: sym.spec.symbol,
    k: {
      t: bar.openTime,
      T: bar.closeTime,
      s: sym.spec.symbol,
      i: interval,
      f: bar.firstId,
      L: bar.lastId,
      o: formatPrice(sym, bar.open),
      c: formatPrice(sym, bar.close),
      h: formatPrice(sym, bar.high),
      l: formatPrice(sym, bar.low),
      v: formatQty(sym, bar.volume),
      n: bar.trades,
      x: closed,
      q: formatMoney(bar.quote),
      V: formatQty(sym, bar.takerBuyVolume),
      Q: formatMoney(bar.takerBuyQuote),
      B: '0',
    },
  };
}
