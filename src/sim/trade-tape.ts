/**
 * The public trades of one contract: every print of the synthetic crowd and every fill of the
 * account, with Binance's trade ids, and their aggregation as Binance defines it for
 * `aggTrades` ("market trades that fill in 100ms with the same price and the same taking side":
 * here, the trades of one market step at one price and one taker side).
 */
import { addSteps, type Steps, type Ticks } from '../core/instrument.ts';
import type { Money } from '../core/money.ts';

export interface PublicTrade {
  readonly id: number;
  readonly priceTicks: Ticks;
  readonly qtySteps: Steps;
  readonly quote: Money;
  readonly timeMs: number;
  /** True when the buyer was the resting side (the taker sold). */
  readonly buyerIsMaker: boolean;
}

export interface AggTrade {
  readonly aggId: number;
  readonly priceTicks: Ticks;
  readonly qtySteps: Steps;
  readonly firstId: number;
  readonly lastId: number;
  readonly timeMs: number;
  readonly buyerIsMaker: boolean;
}

/** Which aggregate trades GET /fapi/v1/aggTrades asks for (already validated). */
export interface AggTradeQuery {
  readonly fromId: number | null;
  readonly startTime: number | null;
  readonly endTime: number | null;
  readonly limit: number;
}

export class TradeTape {
  private readonly trades: PublicTrade[] = [];
  private readonly aggs: AggTrade[] = [];
  private nextAggId: number;
  private readonly maxKept: number;

  constructor(firstAggId: number, maxKept = 50_000) {
    this.nextAggId = firstAggId;
    this.maxKept = maxKept;
  }

  /** Records the trades of one market step (ids ascending) and returns the aggregate trades they make. */
  record(batch: readonly PublicTrade[]): AggTrade[] {
    const made: AggTrade[] = [];
    let open: { first: PublicTrade; last: PublicTrade; qty: Steps } | null = null;
    const closeOpen = (): void => {
      if (open === null) return;
      const { first, last, qty } = open;
      made.push({
        aggId: this.nextAggId++,
        priceTicks: first.priceTicks,
        qtySteps: qty,
        firstId: first.id,
        lastId: last.id,
        timeMs: first.timeMs,
        buyerIsMaker: first.buyerIsMaker,
      });
      open = null;
    };
    for (const trade of batch) {
      this.trades.push(trade);
      if (open !== null && open.first.priceTicks === trade.priceTicks && open.first.buyerIsMaker === trade.buyerIsMaker) {
        open.last = trade;
        open.qty = addSteps(open.qty, trade.qtySteps);
      } else {
        closeOpen();
        open = { first: trade, last: trade, qty: trade.qtySteps };
      }
    }
    closeOpen();
    this.aggs.push(...made);
    trim(this.trades, this.maxKept);
    trim(this.aggs, this.maxKept);
    return made;
  }

  /** Returns the most recent `limit` trades, oldest first. */
  recent(limit: number): PublicTrade[] {
    return this.trades.slice(-limit);
  }

  /** Returns the last trade, if any. */
  last(): PublicTrade | undefined {
    return this.trades.at(-1);
  }

  /**
   * Returns aggregate trades, oldest first: from `fromId` (inclusive), else within
   * [startTime, endTime] (the first `limit`), else the most recent `limit`.
   */
  aggTrades(query: AggTradeQuery): AggTrade[] {
    if (query.fromId !== null) {
      const fromId = query.fromId;
      return this.aggs.filter((a) => a.aggId >= fromId && inRange(a.timeMs, query)).slice(0, query.limit);
    }
    if (query.startTime === null && query.endTime === null) return this.aggs.slice(-query.limit);
    const inWindow = this.aggs.filter((a) => inRange(a.timeMs, query));
    return query.startTime === null ? inWindow.slice(-query.limit) : inWindow.slice(0, query.limit);
  }
}

function inRange(timeMs: number, query: AggTradeQuery): boolean {
  return (query.startTime === null || timeMs >= query.startTime) && (query.endTime === null || timeMs <= query.endTime);
}

function trim<T>(list: T[], max: number): void {
  if (list.length > max) list.splice(0, list.length - max);
}
