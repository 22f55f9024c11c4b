/**
 * Publishes the market streams: book tickers and depth as the book changes, aggregate trades
 * as they print, and on their documented cadences the mark prices (1 s and 3 s), the 24-hour
 * tickers (2 s per symbol, 1 s for the all-market arrays) and the klines (250 ms, with a
 * final `x: true` update when a bar closes). Events are built only for streams someone reads.
 */
import type { FundingView } from './funding-history.ts';
import type { DayStats, KlineBook } from './kline-book.ts';
import { KLINE_INTERVALS, slotStart } from './kline-intervals.ts';
import type { PublicBook, DepthBatch } from './public-book.ts';
import { depthStreams, partialDepthStreams } from './streams.ts';
import type { SimSymbol } from './symbols.ts';
import type { AggTrade } from './trade-tape.ts';
import {
  aggTradeEventJson,
  bookTickerJson,
  depthUpdateJson,
  klineEventJson,
  markPriceJson,
  miniTickerEventJson,
  partialDepthJson,
  tickerEventJson,
} from './wire-streams.ts';

/** Where stream events go; `build` runs only when someone listens. */
export interface MarketSink {
  publish(stream: string, build: () => object): void;
  /** True when some socket reads `stream`. */
  listens(stream: string): boolean;
}

/** The market state the periodic streams read. */
export interface MarketData {
  symbols(): readonly SimSymbol[];
  funding(symbol: string): FundingView;
  klines(symbol: string): KlineBook;
}

export interface MarketPublisherOptions {
  /** Period of `@markPrice@1s` and `!markPrice@arr@1s`; the plain streams get every third. */
  readonly markPriceIntervalMs: number;
}

const MARK_EVERY_SLOW = 3;
const TICKER_INTERVAL_MS = 2000;
const ALL_TICKERS_INTERVAL_MS = 1000;
const KLINE_INTERVAL_MS = 250;

/** Runs `fire` at most once per `periodMs` of the clock it is given. */
class Cadence {
  private lastMs: number;
  private readonly periodMs: number;

  constructor(periodMs: number, startMs: number) {
    this.periodMs = periodMs;
    this.lastMs = startMs;
  }

  due(nowMs: number): boolean {
    if (nowMs - this.lastMs < this.periodMs) return false;
    this.lastMs = nowMs;
    return true;
  }
}

export class MarketPublisher {
  private readonly sink: MarketSink;
  private readonly data: MarketData;
  private readonly marks: Cadence;
  private markCount = 0;
  private readonly tickers: Cadence;
  private readonly allTickers: Cadence;
  private readonly klineCadence: Cadence;
  /** The bar (open time) last published per "symbol interval". */
  private readonly klineSlots = new Map<string, number>();

  constructor(sink: MarketSink, data: MarketData, options: MarketPublisherOptions, nowMs: number) {
    this.sink = sink;
    this.data = data;
    this.marks = new Cadence(options.markPriceIntervalMs, nowMs);
    this.tickers = new Cadence(TICKER_INTERVAL_MS, nowMs);
    this.allTickers = new Cadence(ALL_TICKERS_INTERVAL_MS, nowMs);
    this.klineCadence = new Cadence(KLINE_INTERVAL_MS, nowMs);
  }

  /** Publishes a symbol's new best bid/ask on `<symbol>@bookTicker` and `!bookTicker`. */
  bookTop(sym: SimSymbol, book: PublicBook, nowMs: number): void {
    const top = book.top();
    let event: object | null = null;
    const build = (): object => (event ??= bookTickerJson(sym, top, nowMs));
    this.sink.publish(`${sym.spec.symbol.toLowerCase()}@bookTicker`, build);
    this.sink.publish('!bookTicker', build);
  }

  /** Publishes a depth batch on the diff streams and the resulting top levels on the partial ones. */
  depth(sym: SimSymbol, book: PublicBook, batch: DepthBatch, nowMs: number): void {
    let diff: object | null = null;
    for (const stream of depthStreams(sym.spec.symbol)) this.sink.publish(stream, () => (diff ??= depthUpdateJson(sym, batch, nowMs)));
    const partial = new Map<number, object>();
    for (const { stream, levels } of partialDepthStreams(sym.spec.symbol)) {
      this.sink.publish(stream, () => {
        let event = partial.get(levels);
        if (event === undefined) {
          event = partialDepthJson(sym, batch, book.snapshot(levels), nowMs);
          partial.set(levels, event);
        }
        return event;
      });
    }
  }

  /** Publishes new aggregate trades on `<symbol>@aggTrade`. */
  aggTrades(sym: SimSymbol, aggs: readonly AggTrade[], nowMs: number): void {
    const stream = `${sym.spec.symbol.toLowerCase()}@aggTrade`;
    for (const agg of aggs) this.sink.publish(stream, () => aggTradeEventJson(sym, agg, nowMs));
  }

  /** Publishes whatever periodic stream is due at `nowMs`. */
  periodic(nowMs: number): void {
    if (this.marks.due(nowMs)) this.markPrices(nowMs);
    const perSymbol = this.tickers.due(nowMs);
    const all = this.allTickers.due(nowMs);
    if (perSymbol || all) this.dayTickers(nowMs, perSymbol, all);
    if (this.klineCadence.due(nowMs)) this.klineBars(nowMs);
  }

  private markPrices(nowMs: number): void {
    this.markCount += 1;
    const slow = this.markCount % MARK_EVERY_SLOW === 0;
    const symbols = this.data.symbols();
    const events = new Map<string, object>();
    const eventOf = (sym: SimSymbol): object => {
      let event = events.get(sym.spec.symbol);
      if (event === undefined) {
        event = markPriceJson(sym, this.data.funding(sym.spec.symbol), nowMs);
        events.set(sym.spec.symbol, event);
      }
      return event;
    };
    for (const sym of symbols) {
      const lower = sym.spec.symbol.toLowerCase();
      this.sink.publish(`${lower}@markPrice@1s`, () => eventOf(sym));
      if (slow) this.sink.publish(`${lower}@markPrice`, () => eventOf(sym));
    }
    this.sink.publish('!markPrice@arr@1s', () => symbols.map(eventOf));
    if (slow) this.sink.publish('!markPrice@arr', () => symbols.map(eventOf));
  }

  private dayTickers(nowMs: number, perSymbol: boolean, all: boolean): void {
    const symbols = this.data.symbols();
    const statsOf = (sym: SimSymbol): DayStats | null => this.data.klines(sym.spec.symbol).dayStats(nowMs);
    if (perSymbol) {
      for (const sym of symbols) {
        const lower = sym.spec.symbol.toLowerCase();
        const ticker = `${lower}@ticker`;
        const mini = `${lower}@miniTicker`;
        if (!this.sink.listens(ticker) && !this.sink.listens(mini)) continue;
        const stats = statsOf(sym);
        if (stats === null) continue;
        this.sink.publish(ticker, () => tickerEventJson(sym, stats, nowMs));
        this.sink.publish(mini, () => miniTickerEventJson(sym, stats, nowMs));
      }
    }
    if (all && (this.sink.listens('!ticker@arr') || this.sink.listens('!miniTicker@arr'))) {
      const traded = symbols.flatMap((sym) => {
        const stats = statsOf(sym);
        return stats === null ? [] : [{ sym, stats }];
      });
      if (traded.length === 0) return;
      this.sink.publish('!ticker@arr', () => traded.map(({ sym, stats }) => tickerEventJson(sym, stats, nowMs)));
      this.sink.publish('!miniTicker@arr', () => traded.map(({ sym, stats }) => miniTickerEventJson(sym, stats, nowMs)));
    }
  }

  private klineBars(nowMs: number): void {
    for (const sym of this.data.symbols()) {
      const book = this.data.klines(sym.spec.symbol);
      const lower = sym.spec.symbol.toLowerCase();
      for (const interval of KLINE_INTERVALS) {
        const key = `${sym.spec.symbol} ${interval}`;
        const slot = slotStart(interval, nowMs);
        const previous = this.klineSlots.get(key);
        this.klineSlots.set(key, slot);
        const stream = `${lower}@kline_${interval}`;
        if (!this.sink.listens(stream)) continue;
        if (previous !== undefined && previous !== slot) {
          const closed = book.bars(interval, { startTime: previous, endTime: previous, limit: 1 }, nowMs)[0];
          if (closed !== undefined) this.sink.publish(stream, () => klineEventJson(sym, interval, closed, true, nowMs));
        }
        const bar = book.current(interval, nowMs);
        if (bar !== null) this.sink.publish(stream, () => klineEventJson(sym, interval, bar, false, nowMs));
      }
    }
  }
}
