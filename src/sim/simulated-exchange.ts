/**
 * The simulated venue without its wire: market models, the matching engine, the public books,
 * funding, the dead-man switch and the listenKey, stepped by the caller with the time. What
 * happens is published to a StreamSink as Binance-shaped stream events.
 */
import type { Clock } from '../core/clock.ts';
import type { Money } from '../core/money.ts';
import { ListenKeys } from './listen-keys.ts';
import { MarketModel, type MarketModelOptions } from './market-model.ts';
import { MatchingEngine, type EngineConfig, type EngineEvent } from './matching-engine.ts';
import { Prng } from './prng.ts';
import { PublicBook } from './public-book.ts';
import { depthStreams } from './streams.ts';
import type { SimSymbol } from './symbols.ts';
import { bookTickerJson, depthUpdateJson, markPriceJson, userEventJson, type FundingView } from './wire-format.ts';

/** Where stream events go; `build` runs only when someone listens. */
export interface StreamSink {
  publish(stream: string, build: () => object): void;
  publishUser(listenKey: string, build: () => object): void;
  /** Sends listenKeyExpired on the key's sockets and closes them. */
  expireUser(listenKey: string, event: object): void;
}

export interface SimulatedExchangeOptions {
  readonly symbols: readonly SimSymbol[];
  readonly seed: number;
  readonly market: MarketModelOptions;
  readonly makerFeeRate: string;
  readonly takerFeeRate: string;
  readonly startingBalance: Money;
  readonly startingPositions?: EngineConfig['startingPositions'];
  readonly defaultLeverage: number;
  readonly fundingIntervalMs: number;
  readonly markPriceIntervalMs: number;
  readonly listenKeyValidityMs: number;
  readonly clock: Clock;
}

const MARK_EVERY_SLOW = 3;

export class SimulatedExchange {
  readonly engine: MatchingEngine;
  readonly listenKeys: ListenKeys;
  readonly clock: Clock;
  private readonly models = new Map<string, MarketModel>();
  private readonly books = new Map<string, PublicBook>();
  private readonly options: SimulatedExchangeOptions;
  private sink: StreamSink | null = null;
  private nextFundingTimeMs: number;
  private lastMarkPublishMs: number;
  private markPublishCount = 0;

  constructor(options: SimulatedExchangeOptions) {
    this.options = options;
    this.clock = options.clock;
    this.engine = new MatchingEngine({
      symbols: options.symbols,
      makerFeeRate: options.makerFeeRate,
      takerFeeRate: options.takerFeeRate,
      startingBalance: options.startingBalance,
      ...(options.startingPositions ? { startingPositions: options.startingPositions } : {}),
      marginAsset: 'USDT',
      defaultLeverage: options.defaultLeverage,
    });
    this.listenKeys = new ListenKeys(options.listenKeyValidityMs);
    const nowMs = options.clock.nowMs();
    options.symbols.forEach((sym, i) => {
      const model = new MarketModel(sym, new Prng(options.seed + i * 7919), options.market);
      this.models.set(sym.spec.symbol, model);
      const book = new PublicBook(1_000_000 * (i + 1));
      this.books.set(sym.spec.symbol, book);
      this.engine.applyMarket(sym.spec.symbol, model.current(), [], model.midHalfTicks(), nowMs);
      book.update(model.current(), this.engine.ownLevels(sym.spec.symbol));
      book.flush();
    });
    this.nextFundingTimeMs = nextBoundary(nowMs, options.fundingIntervalMs);
    this.lastMarkPublishMs = nowMs;
  }

  /** Connects the stream sink (the WebSocket hub). */
  attach(sink: StreamSink): void {
    this.sink = sink;
  }

  /** Returns the symbols listed. */
  symbols(): readonly SimSymbol[] {
    return this.options.symbols;
  }

  /** Returns the public book of a symbol (synthetic liquidity plus our own orders). */
  book(symbol: string): PublicBook {
    const book = this.books.get(symbol);
    if (!book) throw new RangeError(`no book for ${symbol}`);
    return book;
  }

  /** Returns mark price, funding rate and next funding time of a symbol. */
  funding(symbol: string): FundingView {
    const model = this.models.get(symbol);
    if (!model) throw new RangeError(`no market for ${symbol}`);
    return { markHalfTicks: model.midHalfTicks(), rateUnits: model.fundingRate(), nextFundingTimeMs: this.nextFundingTimeMs };
  }

  /**
   * Advances the market one step at the clock's time: new book and trades per symbol (filling
   * resting orders they reach), the countdown switch, funding when due, mark prices, depth
   * batches, and listenKey expiry.
   */
  step(): void {
    const nowMs = this.clock.nowMs();
    for (const [symbol, model] of this.models) {
      const moved = model.step();
      this.emit(this.engine.applyMarket(symbol, moved.book, moved.trades, model.midHalfTicks(), nowMs));
      this.refreshBook(symbol, nowMs);
    }
    this.housekeeping(nowMs);
    for (const [symbol, book] of this.books) {
      const batch = book.flush();
      if (!batch) continue;
      const sym = this.engine.symbol(symbol);
      let event: object | null = null;
      for (const stream of depthStreams(symbol)) this.sink?.publish(stream, () => (event ??= depthUpdateJson(sym, batch, nowMs)));
    }
  }

  /** Runs the time-driven duties that do not move the market (countdown, funding, marks, keys). */
  housekeeping(nowMs: number): void {
    const cancelled = this.engine.checkCountdowns(nowMs);
    if (cancelled.length > 0) {
      this.emit(cancelled);
      for (const symbol of this.books.keys()) this.refreshBook(symbol, nowMs);
    }
    while (nowMs >= this.nextFundingTimeMs) {
      for (const [symbol, model] of this.models) this.emit(this.engine.settleFunding(symbol, model.fundingRate(), nowMs));
      this.nextFundingTimeMs += this.options.fundingIntervalMs;
    }
    if (nowMs - this.lastMarkPublishMs >= this.options.markPriceIntervalMs) {
      this.lastMarkPublishMs = nowMs;
      this.markPublishCount += 1;
      for (const symbol of this.models.keys()) {
        const sym = this.engine.symbol(symbol);
        const view = this.funding(symbol);
        const lower = symbol.toLowerCase();
        this.sink?.publish(`${lower}@markPrice@1s`, () => markPriceJson(sym, view, nowMs));
        if (this.markPublishCount % MARK_EVERY_SLOW === 0) this.sink?.publish(`${lower}@markPrice`, () => markPriceJson(sym, view, nowMs));
      }
    }
    const expired = this.listenKeys.takeExpired(nowMs);
    if (expired) this.expireListenKey(expired, nowMs);
  }

  /** Invalidates the live listenKey now, telling its sockets. */
  forceListenKeyExpiry(): void {
    const key = this.listenKeys.close();
    if (key) this.expireListenKey(key, this.clock.nowMs());
  }

  /** Publishes engine events on the user stream and refreshes the books they touched. */
  emitAndRefresh(events: readonly EngineEvent[], symbol: string): void {
    const nowMs = this.clock.nowMs();
    this.emit(events);
    this.refreshBook(symbol, nowMs);
  }

  private expireListenKey(key: string, nowMs: number): void {
    // Binance's documented listenKeyExpired writes E as a string, unlike every other event.
    this.sink?.expireUser(key, { e: 'listenKeyExpired', E: String(nowMs), listenKey: key });
  }

  private emit(events: readonly EngineEvent[]): void {
    const key = this.listenKeys.live(this.clock.nowMs());
    if (!key || !this.sink) return;
    for (const event of events) this.sink.publishUser(key, () => userEventJson(this.engine, event));
  }

  private refreshBook(symbol: string, nowMs: number): void {
    const model = this.models.get(symbol);
    const book = this.books.get(symbol);
    if (!model || !book) return;
    if (book.update(model.current(), this.engine.ownLevels(symbol))) {
      const sym = this.engine.symbol(symbol);
      const top = book.top();
      this.sink?.publish(`${symbol.toLowerCase()}@bookTicker`, () => bookTickerJson(sym, top, nowMs));
    }
  }
}

/** Returns the first multiple of `intervalMs` strictly after `nowMs` (funding at fixed hours, like 00:00/08:00/16:00 UTC). */
export function nextBoundary(nowMs: number, intervalMs: number): number {
  return (Math.floor(nowMs / intervalMs) + 1) * intervalMs;
}
