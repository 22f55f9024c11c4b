/**
 * Candlesticks of one contract for every Binance interval, built from its public trades, and
 * the rolling 24-hour statistics of the tickers. A slot without trades is a bar at the
 * previous close with no volume, as Binance shows it; slots before the first trade have none.
 */
import { addSteps, maxTicks, minTicks, ZERO_STEPS, type Steps, type Ticks } from '../core/instrument.ts';
import type { Money } from '../core/money.ts';
import { KLINE_INTERVALS, shiftSlot, slotAtOrAfter, slotStart } from './kline-intervals.ts';
import type { PublicTrade } from './trade-tape.ts';

export interface Bar {
  readonly openTime: number;
  /** The last millisecond of the slot. */
  readonly closeTime: number;
  readonly open: Ticks;
  readonly high: Ticks;
  readonly low: Ticks;
  readonly close: Ticks;
  readonly volume: Steps;
  readonly quote: Money;
  readonly trades: number;
  readonly takerBuyVolume: Steps;
  readonly takerBuyQuote: Money;
  /** -1 when the slot had no trade. */
  readonly firstId: number;
  readonly lastId: number;
}

/** Which bars GET /fapi/v1/klines asks for (already validated). */
export interface KlineQuery {
  readonly startTime: number | null;
  readonly endTime: number | null;
  readonly limit: number;
}

/** Rolling 24-hour statistics (GET /fapi/v1/ticker/24hr, the @ticker and @miniTicker streams). */
export interface DayStats {
  readonly openTime: number;
  readonly closeTime: number;
  readonly open: Ticks;
  readonly high: Ticks;
  readonly low: Ticks;
  readonly last: Ticks;
  readonly lastQty: Steps;
  readonly volume: Steps;
  readonly quote: Money;
  readonly trades: number;
  readonly firstId: number;
  readonly lastId: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Bars kept per interval: Binance's largest klines limit. */
const KEPT_BARS = 1500;

type MutableBar = { -readonly [K in keyof Bar]: Bar[K] };

/** Returns the statistics of a contract that has not traded yet: flat at `priceTicks`, no volume. */
export function flatDayStats(priceTicks: Ticks, nowMs: number): DayStats {
  const p = priceTicks;
  return {
    openTime: nowMs - DAY_MS,
    closeTime: nowMs,
    open: p,
    high: p,
    low: p,
    last: p,
    lastQty: ZERO_STEPS,
    volume: ZERO_STEPS,
    quote: 0n,
    trades: 0,
    firstId: -1,
    lastId: -1,
  };
}

export class KlineBook {
  private readonly series = new Map<string, MutableBar[]>(KLINE_INTERVALS.map((interval) => [interval, []]));
  private lastTrade: PublicTrade | null = null;

  /** Adds a public trade (in time order) to the bar of every interval. */
  add(trade: PublicTrade): void {
    this.lastTrade = trade;
    for (const [interval, bars] of this.series) {
      const open = slotStart(interval, trade.timeMs);
      const bar = bars.at(-1);
      const takerBought = !trade.buyerIsMaker;
      if (bar !== undefined && bar.openTime === open) {
        bar.high = maxTicks(bar.high, trade.priceTicks);
        bar.low = minTicks(bar.low, trade.priceTicks);
        bar.close = trade.priceTicks;
        bar.volume = addSteps(bar.volume, trade.qtySteps);
        bar.quote += trade.quote;
        bar.trades += 1;
        if (takerBought) {
          bar.takerBuyVolume = addSteps(bar.takerBuyVolume, trade.qtySteps);
          bar.takerBuyQuote += trade.quote;
        }
        bar.lastId = trade.id;
        continue;
      }
      bars.push({
        openTime: open,
        closeTime: shiftSlot(interval, open, 1) - 1,
        open: trade.priceTicks,
        high: trade.priceTicks,
        low: trade.priceTicks,
        close: trade.priceTicks,
        volume: trade.qtySteps,
        quote: trade.quote,
        trades: 1,
        takerBuyVolume: takerBought ? trade.qtySteps : ZERO_STEPS,
        takerBuyQuote: takerBought ? trade.quote : 0n,
        firstId: trade.id,
        lastId: trade.id,
      });
      if (bars.length > KEPT_BARS) bars.shift();
    }
  }

  /**
   * Returns bars oldest first, as GET /fapi/v1/klines: from startTime (the first `limit`), else
   * up to endTime (the last `limit`), else the most recent `limit`, never past the bar of `nowMs`.
   */
  bars(interval: string, query: KlineQuery, nowMs: number): Bar[] {
    const bars = this.seriesOf(interval);
    const first = bars[0];
    if (first === undefined) return [];
    const lo = Math.max(first.openTime, query.startTime === null ? first.openTime : slotAtOrAfter(interval, query.startTime));
    const hi = Math.min(slotStart(interval, nowMs), query.endTime === null ? Number.MAX_SAFE_INTEGER : slotStart(interval, query.endTime));
    if (lo > hi) return [];
    const slots: number[] = [];
    if (query.startTime !== null) {
      for (let t = lo; t <= hi && slots.length < query.limit; t = shiftSlot(interval, t, 1)) slots.push(t);
    } else {
      for (let t = hi; t >= lo && slots.length < query.limit; t = shiftSlot(interval, t, -1)) slots.push(t);
      slots.reverse();
    }
    return this.fill(interval, bars, slots);
  }

  /** Returns the bar of `interval` that holds `nowMs` (a flat one at the last price when it has no trade yet), or null before any trade. */
  current(interval: string, nowMs: number): Bar | null {
    return this.bars(interval, { startTime: null, endTime: null, limit: 1 }, nowMs)[0] ?? null;
  }

  /** Returns the statistics of the 24 hours up to `nowMs`, or null before any trade. */
  dayStats(nowMs: number): DayStats | null {
    const last = this.lastTrade;
    if (last === null) return null;
    const window = this.bars('1m', { startTime: slotStart('1m', nowMs - DAY_MS), endTime: nowMs, limit: KEPT_BARS }, nowMs);
    const traded = window.filter((b) => b.trades > 0);
    const firstTraded = traded[0];
    const lastTraded = traded.at(-1);
    return {
      openTime: nowMs - DAY_MS,
      closeTime: nowMs,
      open: firstTraded?.open ?? last.priceTicks,
      high: traded.length > 0 ? traded.map((b) => b.high).reduce(maxTicks) : last.priceTicks,
      low: traded.length > 0 ? traded.map((b) => b.low).reduce(minTicks) : last.priceTicks,
      last: last.priceTicks,
      lastQty: last.qtySteps,
      volume: traded.reduce((sum, b) => addSteps(sum, b.volume), ZERO_STEPS),
      quote: traded.reduce((sum, b) => sum + b.quote, 0n),
      trades: traded.reduce((sum, b) => sum + b.trades, 0),
      firstId: firstTraded?.firstId ?? -1,
      lastId: lastTraded?.lastId ?? -1,
    };
  }

  private seriesOf(interval: string): MutableBar[] {
    const bars = this.series.get(interval);
    if (bars === undefined) throw new RangeError(`unknown kline interval ${interval}`);
    return bars;
  }

  /** Returns a bar per slot: the stored one, or a flat one at the close carried from before. */
  private fill(interval: string, bars: readonly MutableBar[], slots: readonly number[]): Bar[] {
    const firstSlot = slots[0];
    if (firstSlot === undefined) return [];
    let i = 0;
    while (i < bars.length && (bars[i]?.openTime ?? 0) < firstSlot) i++;
    let carry = bars[i - 1]?.close ?? null;
    const out: Bar[] = [];
    for (const slot of slots) {
      while (i < bars.length && (bars[i]?.openTime ?? 0) < slot) carry = bars[i++]?.close ?? carry;
      const stored = bars[i];
      if (stored !== undefined && stored.openTime === slot) {
        out.push({ ...stored });
        carry = stored.close;
        i++;
        continue;
      }
      if (carry === null) continue;
      out.push({
        openTime: slot,
        closeTime: shiftSlot(interval, slot, 1) - 1,
        open: carry,
        high: carry,
        low: carry,
        close: carry,
        volume: ZERO_STEPS,
        quote: 0n,
        trades: 0,
        takerBuyVolume: ZERO_STEPS,
        takerBuyQuote: 0n,
        firstId: -1,
        lastId: -1,
      });
    }
    return out;
  }
}
