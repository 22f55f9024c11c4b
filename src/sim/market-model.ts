/**
 * The synthetic market of one contract: a seeded random-walk mid with occasional jumps, a
 * ladder of displayed liquidity around it, aggressor trades each step (small ones at the touch
 * and occasional sweeps several bps deep, so that quotes a few bps away get filled), a mark
 * price, and a funding rate that wanders slowly.
 */
import type { Side } from '../core/model.ts';
import { asSteps, asTicks, maxSteps, offsetTicks, ONE_STEP, type Steps, type Ticks } from '../core/instrument.ts';
import type { Prng } from './prng.ts';
import type { SimSymbol } from './symbols.ts';

/** Price levels of one side, best first, as [ticks, steps]. */
export type Levels = ReadonlyArray<readonly [Ticks, Steps]>;

export interface SyntheticBook {
  /** Bids, highest first. */
  readonly bids: Levels;
  /** Asks, lowest first. */
  readonly asks: Levels;
}

/** A trade by an anonymous aggressor: a BUY lifts offers up to `priceTicks`. */
export interface SyntheticTrade {
  readonly aggressor: Side;
  readonly priceTicks: Ticks;
  readonly qtySteps: Steps;
}

export interface MarketModelOptions {
  /** Standard deviation of the mid's move per step, in bps. */
  readonly volatilityBps: number;
  /** Probability per step of a jump, and its size in bps. */
  readonly jumpProbability: number;
  readonly jumpBps: number;
  /** Distance best bid to best ask, in ticks. */
  readonly spreadTicks: number;
  /** Price levels near the touch whose sizes churn every step. */
  readonly depthLevels: number;
  /**
   * Price levels shown on each side in all (at least `depthLevels`), so that a depth snapshot
   * of Binance's largest limit (1000) is full. Levels beyond `depthLevels` have a size fixed by
   * their price, so they change only as the touch moves toward or away from them.
   */
  readonly bookDepthLevels: number;
  /** Mean number of small aggressor trades at the touch per step. */
  readonly tradesPerStep: number;
  /** Probability per step of a sweep, and the mean depth it reaches beyond the touch, in bps. */
  readonly sweepProbability: number;
  readonly sweepMeanBps: number;
  /**
   * Trend regimes: with this probability per step a trend starts, drifting the mid by
   * `trendBpsPerStep` per step in one direction for about `trendMeanSteps` steps. Trends are what
   * push a market maker's inventory one way, so risk states and reduce-only orders get exercised.
   */
  readonly trendProbability: number;
  readonly trendBpsPerStep: number;
  readonly trendMeanSteps: number;
  /** Funding rate at start and its standard deviation per step, as fractions (0.0001 = 1 bp). */
  readonly startFundingRate: number;
  readonly fundingRateVolatility: number;
}

/** Returns defaults tuned so that a 2 bps quote in BTCUSDT fills several times a minute per side at 100 ms steps. */
export function defaultMarketModelOptions(): MarketModelOptions {
  return {
    volatilityBps: 0.3,
    jumpProbability: 0.002,
    jumpBps: 6,
    spreadTicks: 1,
    depthLevels: 20,
    bookDepthLevels: 1000,
    tradesPerStep: 1.2,
    sweepProbability: 0.045,
    sweepMeanBps: 3,
    trendProbability: 0.006,
    trendBpsPerStep: 0.5,
    trendMeanSteps: 120,
    startFundingRate: 0.0001,
    fundingRateVolatility: 0.000002,
  };
}

/** What one step of the market produced. */
export interface MarketStep {
  readonly book: SyntheticBook;
  readonly trades: readonly SyntheticTrade[];
}

/** Funding rates are kept in units of 1e-8 (the wire writes 8 decimals). */
const RATE_SCALE = 100_000_000;
/** The funding rate stays within +-0.3% (units of 1e-8). */
export const MAX_RATE_UNITS = 300_000;

export class MarketModel {
  readonly symbol: SimSymbol;
  private readonly prng: Prng;
  private readonly options: MarketModelOptions;
  private readonly displayedSteps: Steps;
  private bidTicks: Ticks;
  private book: SyntheticBook;
  private fundingRateUnits: number;
  private trendStepsLeft = 0;
  private trendSign: 1 | -1 = 1;

  constructor(symbol: SimSymbol, prng: Prng, options: MarketModelOptions) {
    this.symbol = symbol;
    this.prng = prng;
    this.options = options;
    this.displayedSteps = maxSteps(ONE_STEP, symbol.instrument.qtyToSteps(symbol.spec.displayedQty, 'nearest'));
    const start = symbol.instrument.priceToTicks(symbol.spec.startPrice, 'nearest');
    this.bidTicks = offsetTicks(start, -Math.floor(options.spreadTicks / 2));
    this.fundingRateUnits = Math.round(options.startFundingRate * RATE_SCALE);
    this.book = this.ladder(new Map(), new Map());
  }

  /** Returns the current displayed book. */
  current(): SyntheticBook {
    return this.book;
  }

  /** Returns the mid in half ticks (best bid + best ask), so that a one-tick spread stays exact. */
  midHalfTicks(): number {
    return 2 * this.bidTicks + this.options.spreadTicks;
  }

  /** Returns the funding rate in units of 1e-8. */
  fundingRate(): number {
    return this.fundingRateUnits;
  }

  /** Moves the market one step and returns the new book and the trades printed during it. */
  step(): MarketStep {
    const o = this.options;
    const refTicks = this.bidTicks;
    let move = this.prng.stochasticRound(this.prng.normal() * o.volatilityBps * 1e-4 * refTicks);
    if (this.trendStepsLeft === 0 && o.trendProbability > 0 && this.prng.chance(o.trendProbability)) {
      this.trendStepsLeft = Math.max(1, Math.round(o.trendMeanSteps * (0.5 + this.prng.next())));
      this.trendSign = this.prng.chance(0.5) ? 1 : -1;
    }
    if (this.trendStepsLeft > 0) {
      this.trendStepsLeft -= 1;
      move += this.trendSign * this.prng.stochasticRound(o.trendBpsPerStep * 1e-4 * refTicks);
    }
    if (this.prng.chance(o.jumpProbability)) {
      const jump = Math.max(1, Math.round(o.jumpBps * 1e-4 * refTicks));
      move += this.prng.chance(0.5) ? jump : -jump;
    }
    const floor = Math.max(this.symbol.instrument.minPriceTicks, 1) + o.depthLevels;
    this.bidTicks = asTicks(Math.max(floor, this.bidTicks + move));
    this.fundingRateUnits = clamp(
      this.fundingRateUnits + Math.round(this.prng.normal() * o.fundingRateVolatility * RATE_SCALE),
      -MAX_RATE_UNITS,
      MAX_RATE_UNITS,
    );

    // Only the churning levels carry over: the deep ones are a function of their price.
    const previousBids = new Map(this.book.bids.slice(0, o.depthLevels).map(([p, q]) => [p, q] as const));
    const previousAsks = new Map(this.book.asks.slice(0, o.depthLevels).map(([p, q]) => [p, q] as const));
    this.book = this.ladder(previousBids, previousAsks);
    return { book: this.book, trades: this.trades(move) };
  }

  private trades(move: number): SyntheticTrade[] {
    const o = this.options;
    const bestBid = this.bidTicks;
    const bestAsk = offsetTicks(this.bidTicks, o.spreadTicks);
    const trades: SyntheticTrade[] = [];
    const buyBias = move > 0 ? 0.65 : move < 0 ? 0.35 : 0.5;
    const count = this.prng.poisson(o.tradesPerStep);
    for (let i = 0; i < count; i++) {
      const aggressor: Side = this.prng.chance(buyBias) ? 'BUY' : 'SELL';
      const qtySteps = asSteps(Math.max(1, Math.ceil(this.prng.exponential(this.displayedSteps * 0.08))));
      trades.push({ aggressor, priceTicks: aggressor === 'BUY' ? bestAsk : bestBid, qtySteps });
    }
    if (this.prng.chance(o.sweepProbability)) {
      const aggressor: Side = this.prng.chance(0.5) ? 'BUY' : 'SELL';
      const depth = Math.round(this.prng.exponential(o.sweepMeanBps) * 1e-4 * bestBid);
      const qtySteps = asSteps(Math.max(1, Math.ceil(this.prng.exponential(this.displayedSteps * 0.4))));
      trades.push({ aggressor, priceTicks: aggressor === 'BUY' ? offsetTicks(bestAsk, depth) : asTicks(Math.max(1, bestBid - depth)), qtySteps });
    }
    return trades;
  }

  private ladder(previousBids: ReadonlyMap<Ticks, Steps>, previousAsks: ReadonlyMap<Ticks, Steps>): SyntheticBook {
    const bids: Array<readonly [Ticks, Steps]> = [];
    const asks: Array<readonly [Ticks, Steps]> = [];
    const bestAsk = offsetTicks(this.bidTicks, this.options.spreadTicks);
    for (let level = 0; level < this.options.depthLevels; level++) {
      const bidPrice = offsetTicks(this.bidTicks, -level);
      const askPrice = offsetTicks(bestAsk, level);
      bids.push([bidPrice, this.levelSize(previousBids.get(bidPrice), level)]);
      asks.push([askPrice, this.levelSize(previousAsks.get(askPrice), level)]);
    }
    const lowest = Math.max(1, this.symbol.instrument.minPriceTicks);
    const highest = this.symbol.instrument.maxPriceTicks > 0 ? this.symbol.instrument.maxPriceTicks : Number.MAX_SAFE_INTEGER;
    for (let level = this.options.depthLevels; level < this.options.bookDepthLevels; level++) {
      const bidPrice = offsetTicks(this.bidTicks, -level);
      const askPrice = offsetTicks(bestAsk, level);
      if (bidPrice >= lowest) bids.push([bidPrice, this.deepLevelSize(bidPrice)]);
      if (askPrice <= highest) asks.push([askPrice, this.deepLevelSize(askPrice)]);
    }
    return { bids, asks };
  }

  /** Returns the size shown at a deep level: drawn from its price alone (no PRNG), so it stays put while the touch moves. */
  private deepLevelSize(priceTicks: Ticks): Steps {
    const mean = this.displayedSteps * (1 + this.options.depthLevels * 0.25);
    return asSteps(Math.max(1, Math.round(mean * (0.4 + 1.2 * unitHash(priceTicks)))));
  }

  /** Keeps most levels as they were so that diff-depth updates stay small, like a real book. */
  private levelSize(previous: Steps | undefined, level: number): Steps {
    if (previous !== undefined && this.prng.chance(0.8)) return previous;
    const mean = this.displayedSteps * (1 + level * 0.25);
    return asSteps(Math.max(1, Math.round(mean * (0.4 + 1.2 * this.prng.next()))));
  }
}

/** Returns a number in [0, 1) that depends only on `n` (a 32-bit integer mix). */
function unitHash(n: number): number {
  let h = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** Returns a funding rate in 1e-8 units as Binance writes it ("0.00010000"). */
export function formatFundingRate(units: number): string {
  const sign = units < 0 ? '-' : '';
  const abs = Math.abs(units).toString().padStart(9, '0');
  return `${sign}${abs.slice(0, -8)}.${abs.slice(-8)}`;
}
