/**
 * The simulated venue without its wire: market models, the matching engine, the public books,
 * the public trade tapes and candlesticks, funding, the dead-man switch and the listenKey,
 * stepped by the caller with the time. What happens is published to a StreamSink as
 * Binance-shaped stream events.
 */
import type { ClockReading } from '../core/clock.ts';
import { asTicks, type Ticks } from '../core/instrument.ts';
import type { Money } from '../core/money.ts';
import { IdSequence, type EngineConfig, type EngineEvent } from './engine-types.ts';
import { FundingHistory, type FundingView } from './funding-history.ts';
import { KlineBook } from './kline-book.ts';
import { ListenKeys } from './listen-keys.ts';
import { MarketPublisher, type MarketSink } from './market-publisher.ts';
import { MarketModel, type MarketModelOptions, type SyntheticTrade } from './market-model.ts';
import { MatchingEngine } from './matching-engine.ts';
import { Prng } from './prng.ts';
import { PublicBook } from './public-book.ts';
import type { SimSymbol } from './symbols.ts';
import { TradeTape, type PublicTrade } from './trade-tape.ts';
import { userEventFrames } from './wire-user-events.ts';

/** Where stream events go; `build` runs only when someone listens. */
export interface StreamSink extends MarketSink {
  /** Sends one user-data event of type `eventType` (the `e` field) to the sockets of a listenKey that want that type. */
  publishUser(listenKey: string, eventType: string, build: () => object): void;
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
  readonly clock: ClockReading;
}

/** Per contract: its market model, its public book, its trade tape and its candlesticks. */
interface Contract {
  readonly sym: SimSymbol;
  readonly model: MarketModel;
  readonly book: PublicBook;
  readonly tape: TradeTape;
  readonly klines: KlineBook;
}

export class SimulatedExchange {
  readonly engine: MatchingEngine;
  readonly listenKeys: ListenKeys;
  readonly clock: ClockReading;
  readonly fundingHistory = new FundingHistory();
  private readonly contracts = new Map<string, Contract>();
  private readonly options: SimulatedExchangeOptions;
  private readonly tradeIds = new IdSequence(700_000_001);
  private sink: StreamSink | null = null;
  private publisher: MarketPublisher | null = null;
  private nextFundingTimeMs: number;

  constructor(options: SimulatedExchangeOptions) {
    this.options = options;
    this.clock = options.clock;
    const nowMs = options.clock.nowMs();
    this.engine = new MatchingEngine({
      symbols: options.symbols,
      makerFeeRate: options.makerFeeRate,
      takerFeeRate: options.takerFeeRate,
      startingBalance: options.startingBalance,
      ...(options.startingPositions ? { startingPositions: options.startingPositions } : {}),
      marginAsset: 'USDT',
      defaultLeverage: options.defaultLeverage,
      tradeIds: this.tradeIds,
      openedAtMs: nowMs,
    });
    this.listenKeys = new ListenKeys(options.listenKeyValidityMs);
    options.symbols.forEach((sym, i) => {
      const model = new MarketModel(sym, new Prng(options.seed + i * 7919), options.market);
      const contract: Contract = {
        sym,
        model,
        book: new PublicBook(1_000_000 * (i + 1)),
        tape: new TradeTape(1_000_000_001 * (i + 1)),
        klines: new KlineBook(),
      };
      this.contracts.set(sym.spec.symbol, contract);
      this.engine.applyMarket(sym.spec.symbol, model.current(), [], model.midHalfTicks(), nowMs);
      contract.book.update(model.current(), this.engine.ownLevels(sym.spec.symbol));
      contract.book.flush();
    });
    this.nextFundingTimeMs = nextBoundary(nowMs, options.fundingIntervalMs);
  }

  /** Connects the stream sink (the WebSocket hub). */
  attach(sink: StreamSink): void {
    this.sink = sink;
    const data = { symbols: () => this.symbols(), funding: (symbol: string) => this.funding(symbol), klines: (symbol: string) => this.klines(symbol) };
    this.publisher = new MarketPublisher(sink, data, { markPriceIntervalMs: this.options.markPriceIntervalMs }, this.clock.nowMs());
  }

  /** Returns the symbols listed. */
  symbols(): readonly SimSymbol[] {
    return this.options.symbols;
  }

  /** Returns the funding interval (funding settles at its multiples since the epoch). */
  fundingIntervalMs(): number {
    return this.options.fundingIntervalMs;
  }

  /** Returns the public book of a symbol (synthetic liquidity plus our own orders). */
  book(symbol: string): PublicBook {
    return this.contract(symbol).book;
  }

  /** Returns the public trades of a symbol. */
  tape(symbol: string): TradeTape {
    return this.contract(symbol).tape;
  }

  /** Returns the candlesticks of a symbol. */
  klines(symbol: string): KlineBook {
    return this.contract(symbol).klines;
  }

  /** Returns mark price, funding rate and next funding time of a symbol. */
  funding(symbol: string): FundingView {
    const model = this.contract(symbol).model;
    return { markHalfTicks: model.midHalfTicks(), rateUnits: model.fundingRate(), nextFundingTimeMs: this.nextFundingTimeMs };
  }

  /** Returns the last traded price of a symbol in ticks (the mid, rounded down, before any trade). */
  lastPrice(symbol: string): { readonly priceTicks: Ticks; readonly timeMs: number } {
    const contract = this.contract(symbol);
    const last = contract.tape.last();
    return last !== undefined
      ? { priceTicks: last.priceTicks, timeMs: last.timeMs }
      : { priceTicks: asTicks(Math.floor(contract.model.midHalfTicks() / 2)), timeMs: this.clock.nowMs() };
  }

  /**
   * Advances the market one step at the clock's time: new book and trades per symbol (filling
   * resting orders they reach, printing on the tape), the countdown switch, funding when due,
   * the periodic streams, depth batches, and listenKey expiry.
   */
  step(): void {
    const nowMs = this.clock.nowMs();
    for (const [symbol, contract] of this.contracts) {
      const moved = contract.model.step();
      const events = this.engine.applyMarket(symbol, moved.book, moved.trades, contract.model.midHalfTicks(), nowMs);
      this.print(contract, events, moved.trades, nowMs);
      this.emit(events);
      this.refreshBook(contract, nowMs);
    }
    this.housekeeping(nowMs);
    for (const contract of this.contracts.values()) {
      const batch = contract.book.flush();
      if (batch) this.publisher?.depth(contract.sym, contract.book, batch, nowMs);
    }
  }

  /** Runs the time-driven duties that do not move the market (countdown, funding, periodic streams, keys). */
  housekeeping(nowMs: number): void {
    const cancelled = this.engine.checkCountdowns(nowMs);
    if (cancelled.length > 0) {
      this.emit(cancelled);
      for (const contract of this.contracts.values()) this.refreshBook(contract, nowMs);
    }
    while (nowMs >= this.nextFundingTimeMs) {
      for (const [symbol, contract] of this.contracts) {
        const rateUnits = contract.model.fundingRate();
        this.fundingHistory.record({ symbol, timeMs: nowMs, rateUnits, markHalfTicks: contract.model.midHalfTicks() });
        this.emit(this.engine.settleFunding(symbol, rateUnits, nowMs));
      }
      this.nextFundingTimeMs += this.options.fundingIntervalMs;
    }
    this.publisher?.periodic(nowMs);
    const expired = this.listenKeys.takeExpired(nowMs);
    if (expired) this.expireListenKey(expired, nowMs);
  }

  /** Invalidates the live listenKey now, telling its sockets. */
  forceListenKeyExpiry(): void {
    const key = this.listenKeys.close();
    if (key) this.expireListenKey(key, this.clock.nowMs());
  }

  /** Publishes what a REST command made the engine do: fills on the tape, user-stream events, the book. */
  emitAndRefresh(events: readonly EngineEvent[], symbol: string): void {
    const nowMs = this.clock.nowMs();
    const contract = this.contract(symbol);
    this.print(contract, events, [], nowMs);
    this.emit(events);
    this.refreshBook(contract, nowMs);
  }

  private contract(symbol: string): Contract {
    const contract = this.contracts.get(symbol);
    if (!contract) throw new RangeError(`no market for ${symbol}`);
    return contract;
  }

  /**
   * Prints the account's fills and the crowd's trades of one moment on the public tape (and
   * into the candlesticks), and publishes the aggregate trades they make. The crowd's trades
   * print whole, whether or not they also filled one of our orders.
   */
  private print(contract: Contract, events: readonly EngineEvent[], crowd: readonly SyntheticTrade[], nowMs: number): void {
    const inst = contract.sym.instrument;
    const batch: PublicTrade[] = [];
    for (const event of events) {
      if (event.kind !== 'order' || event.fill === null) continue;
      const { fill } = event;
      const buyerIsMaker = fill.maker === (fill.side === 'BUY');
      batch.push({ id: fill.tradeId, priceTicks: fill.priceTicks, qtySteps: fill.qtySteps, quote: fill.quote, timeMs: nowMs, buyerIsMaker });
    }
    for (const trade of crowd) {
      const quote = inst.notional(trade.priceTicks, trade.qtySteps);
      batch.push({
        id: this.tradeIds.next(),
        priceTicks: trade.priceTicks,
        qtySteps: trade.qtySteps,
        quote,
        timeMs: nowMs,
        buyerIsMaker: trade.aggressor === 'SELL',
      });
    }
    if (batch.length === 0) return;
    for (const trade of batch) contract.klines.add(trade);
    this.publisher?.aggTrades(contract.sym, contract.tape.record(batch), nowMs);
  }

  private expireListenKey(key: string, nowMs: number): void {
    // Binance's documented listenKeyExpired writes E as a string, unlike every other event.
    this.sink?.expireUser(key, { e: 'listenKeyExpired', E: String(nowMs), listenKey: key });
  }

  private emit(events: readonly EngineEvent[]): void {
    const key = this.listenKeys.live(this.clock.nowMs());
    const sink = this.sink;
    if (!key || !sink) return;
    for (const event of events) {
      for (const frame of userEventFrames(this.engine, event)) sink.publishUser(key, frame.type, () => frame.json);
    }
  }

  private refreshBook(contract: Contract, nowMs: number): void {
    const symbol = contract.sym.spec.symbol;
    if (contract.book.update(contract.model.current(), this.engine.ownLevels(symbol))) this.publisher?.bookTop(contract.sym, contract.book, nowMs);
  }
}

/** Returns the first multiple of `intervalMs` strictly after `nowMs` (funding at fixed hours, like 00:00/08:00/16:00 UTC). */
export function nextBoundary(nowMs: number, intervalMs: number): number {
  return (Math.floor(nowMs / intervalMs) + 1) * intervalMs;
}
