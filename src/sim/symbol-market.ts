/**
 * One contract as the matching engine sees it: the synthetic book a taker consumes, the
 * account's resting orders in price-time priority, the mark, the position and the symbol's
 * settings. The matching loops here walk the book; what a fill does to the account is the
 * engine's business, through the callbacks it passes in.
 */
import { absSteps, addSteps, asTicks, minSteps, subSteps, ZERO_STEPS, type Steps, type Ticks } from '../core/instrument.ts';
import type { Money } from '../core/money.ts';
import { sideSign, type MarginType, type Side } from '../core/model.ts';
import type { PositionView, SimOrder } from './engine-types.ts';
import type { SyntheticBook } from './market-model.ts';
import { positionView, type Position } from './position-accounting.ts';
import type { SimSymbol } from './symbols.ts';

/** What the matching loops report: a fill of `order` at a price, or one of our own orders met by a taker (self-trade prevention). */
export interface MatchCallbacks {
  fill(order: SimOrder, priceTicks: Ticks, qty: Steps, maker: boolean): void;
  selfTrade(own: SimOrder): void;
  /** A resting order has filled completely and left the book. */
  filledOut(order: SimOrder): void;
}

export class SymbolMarket {
  readonly sym: SimSymbol;
  /** Resting bids best first (price desc, then time), asks best first (price asc, then time). */
  readonly bids: SimOrder[] = [];
  readonly asks: SimOrder[] = [];
  /** The synthetic book, copied, so that what a taker consumes is gone until the next step. */
  private synthBids: Array<[Ticks, Steps]> = [];
  private synthAsks: Array<[Ticks, Steps]> = [];
  markHalfTicks: number;
  readonly position: Position = { amount: ZERO_STEPS, cost: 0n, realized: 0n, updateTimeMs: 0 };
  leverage: number;
  marginType: MarginType = 'CROSSED';
  countdownDeadlineMs: number | null = null;

  constructor(sym: SimSymbol, leverage: number) {
    this.sym = sym;
    this.leverage = leverage;
    this.markHalfTicks = 2 * sym.instrument.priceToTicks(sym.spec.startPrice, 'nearest');
  }

  /** Takes the market's new book and mark. */
  setMarket(book: SyntheticBook, markHalfTicks: number): void {
    this.synthBids = book.bids.map(([p, q]) => [p, q]);
    this.synthAsks = book.asks.map(([p, q]) => [p, q]);
    this.markHalfTicks = markHalfTicks;
  }

  /** Returns the best synthetic bid and ask prices (undefined when a side is empty). */
  bestSynthetic(): { readonly bid: Ticks | undefined; readonly ask: Ticks | undefined } {
    return { bid: this.synthBids[0]?.[0], ask: this.synthAsks[0]?.[0] };
  }

  /** Returns the price a MARKET order on `side` would meet first (the mark when the book is empty). */
  referencePrice(side: Side): Ticks {
    const opposite = side === 'BUY' ? this.synthAsks : this.synthBids;
    return opposite[0]?.[0] ?? asTicks(Math.round(this.markHalfTicks / 2));
  }

  /** Returns the resting orders, bids then asks. */
  openOrders(): SimOrder[] {
    return [...this.bids, ...this.asks];
  }

  /** Returns the position valued at the mark. */
  positionView(): PositionView {
    return positionView(this.sym, this.position, this.markHalfTicks);
  }

  /** True when a limit at `priceTicks` would trade at once, against the market or our own orders. */
  wouldTake(side: Side, priceTicks: Ticks): boolean {
    if (side === 'BUY') {
      const synth = this.synthAsks[0]?.[0];
      const own = this.asks[0]?.priceTicks;
      return (synth !== undefined && priceTicks >= synth) || (own !== undefined && priceTicks >= own);
    }
    const synth = this.synthBids[0]?.[0];
    const own = this.bids[0]?.priceTicks;
    return (synth !== undefined && priceTicks <= synth) || (own !== undefined && priceTicks <= own);
  }

  /** Returns the synthetic quantity a taker on `side` could take up to `limit` (no limit: all of it). */
  takeableQty(side: Side, limit: Ticks | null): Steps {
    const levels = side === 'BUY' ? this.synthAsks : this.synthBids;
    let total = ZERO_STEPS;
    for (const [price, qty] of levels) {
      if (limit !== null && (side === 'BUY' ? price > limit : price < limit)) break;
      total = addSteps(total, qty);
    }
    return total;
  }

  /** Caps a reduce-only fill at the position it reduces; anything else fills as asked. */
  fillableSteps(order: SimOrder, wanted: Steps): Steps {
    if (!order.reduceOnly) return wanted;
    const pos = this.position.amount;
    if (pos * sideSign(order.side) >= 0) return ZERO_STEPS;
    return minSteps(wanted, absSteps(pos));
  }

  /** Returns the quantity the reduce-only orders on `side` still wait to fill, `except` one of them. */
  pendingReduceOnly(side: Side, except: SimOrder | null): Steps {
    return (side === 'BUY' ? this.bids : this.asks)
      .filter((o) => o.reduceOnly && o !== except)
      .reduce((sum, o) => addSteps(sum, subSteps(o.qtySteps, o.executedSteps)), ZERO_STEPS);
  }

  /**
   * Takes liquidity for an incoming order, best price first across the synthetic book and our
   * own resting orders. Our own orders met on the way are reported (the engine expires them:
   * self-trade prevention EXPIRE_MAKER) rather than traded against, so our book never crosses.
   */
  take(order: SimOrder, limit: Ticks | null, on: MatchCallbacks): void {
    const buying = order.side === 'BUY';
    const levels = buying ? this.synthAsks : this.synthBids;
    const own = buying ? this.asks : this.bids;
    const better = (a: Ticks, b: Ticks): boolean => (buying ? a <= b : a >= b);
    while (order.executedSteps < order.qtySteps) {
      const level = levels[0];
      const ownBest = own[0];
      if (ownBest && (!level || better(ownBest.priceTicks, level[0])) && (limit === null || better(ownBest.priceTicks, limit))) {
        on.selfTrade(ownBest);
        continue;
      }
      if (!level || (limit !== null && !better(level[0], limit))) return;
      const wanted = this.fillableSteps(order, subSteps(order.qtySteps, order.executedSteps));
      if (wanted === 0) return;
      const qty = minSteps(wanted, level[1]);
      on.fill(order, level[0], qty, false);
      level[1] = subSteps(level[1], qty);
      if (level[1] === 0) levels.shift();
    }
  }

  /** Fills our resting orders that an aggressor on `aggressor` side trades through, up to `qty`. */
  tradeThrough(aggressor: Side, priceTicks: Ticks, qty: Steps, on: MatchCallbacks): void {
    const makers = aggressor === 'BUY' ? this.asks : this.bids;
    let left = qty;
    let i = 0;
    while (left > 0 && i < makers.length) {
      const order = makers[i];
      if (!order) break;
      const crossed = aggressor === 'BUY' ? order.priceTicks <= priceTicks : order.priceTicks >= priceTicks;
      if (!crossed) break;
      const fillQty = minSteps(left, this.fillableSteps(order, subSteps(order.qtySteps, order.executedSteps)));
      if (fillQty === 0) {
        i += 1;
        continue;
      }
      on.fill(order, order.priceTicks, fillQty, true);
      left = subSteps(left, fillQty);
      if (order.executedSteps === order.qtySteps) {
        makers.splice(i, 1);
        on.filledOut(order);
      } else {
        i += 1;
      }
    }
  }

  /** Puts an order in the book behind every order at its price. */
  rest(order: SimOrder): void {
    const book = order.side === 'BUY' ? this.bids : this.asks;
    const after = (o: SimOrder): boolean => (order.side === 'BUY' ? o.priceTicks < order.priceTicks : o.priceTicks > order.priceTicks);
    const at = book.findIndex(after);
    if (at < 0) book.push(order);
    else book.splice(at, 0, order);
  }

  /** Takes an order out of the book (no-op when it is not there). */
  unrest(order: SimOrder): void {
    for (const book of [this.bids, this.asks]) {
      const at = book.indexOf(order);
      if (at >= 0) book.splice(at, 1);
    }
  }

  /** Returns the notional still to fill of the resting bids and of the resting asks. */
  openNotionals(): { readonly bids: Money; readonly asks: Money } {
    const sum = (orders: readonly SimOrder[]): Money =>
      orders.reduce((total, o) => total + this.sym.instrument.notional(o.priceTicks, subSteps(o.qtySteps, o.executedSteps)), 0n);
    return { bids: sum(this.bids), asks: sum(this.asks) };
  }

  /** Returns our own resting quantity per price level. */
  ownLevels(): { readonly bids: Map<Ticks, Steps>; readonly asks: Map<Ticks, Steps> } {
    const sum = (orders: readonly SimOrder[]): Map<Ticks, Steps> => {
      const levels = new Map<Ticks, Steps>();
      for (const o of orders) levels.set(o.priceTicks, addSteps(levels.get(o.priceTicks) ?? ZERO_STEPS, subSteps(o.qtySteps, o.executedSteps)));
      return levels;
    };
    return { bids: sum(this.bids), asks: sum(this.asks) };
  }
}
