/**
 * An instrument's grid: prices are integer ticks, quantities integer steps. Wire strings are
 * parsed straight into ticks/steps and formatted back on the grid; off-grid input is an error.
 */
import { DecimalFormatError, decimalsOf, formatScaled, parseScaled, pow10, rescale, significantDecimalsOf } from './decimal.ts';
import { MONEY_DECIMALS, type Money } from './money.ts';

declare const ticksBrand: unique symbol;
declare const stepsBrand: unique symbol;

/** A price as an integer number of ticks; branded so that a quantity in steps cannot pass for it. */
export type Ticks = number & { readonly [ticksBrand]: true };
/** A quantity as an integer number of lot steps; branded so that a price in ticks cannot pass for it. */
export type Steps = number & { readonly [stepsBrand]: true };

/** Returns `n` as a price in ticks (no check: `n` must already be an integer count of ticks). */
export function asTicks(n: number): Ticks {
  return n as Ticks;
}

/** Returns `n` as a quantity in steps (no check: `n` must already be an integer count of steps). */
export function asSteps(n: number): Steps {
  return n as Steps;
}

/** No ticks: the price of a market order, or of a side that has none. */
export const ZERO_TICKS: Ticks = asTicks(0);
/** No quantity. */
export const ZERO_STEPS: Steps = asSteps(0);
/** One lot step. */
export const ONE_STEP: Steps = asSteps(1);

/** Returns the price `offset` ticks above `price` (below when `offset` is negative). */
export function offsetTicks(price: Ticks, offset: number): Ticks {
  return asTicks(price + offset);
}

/** Returns the mid of `bid` and `ask`, rounded to a whole tick (half-ticks round up). */
export function midTicks(bid: Ticks, ask: Ticks): Ticks {
  return asTicks(Math.round((bid + ask) / 2));
}

/** Returns the lower of two prices. */
export function minTicks(a: Ticks, b: Ticks): Ticks {
  return asTicks(Math.min(a, b));
}

/** Returns the higher of two prices. */
export function maxTicks(a: Ticks, b: Ticks): Ticks {
  return asTicks(Math.max(a, b));
}

/** Returns `a + b`. */
export function addSteps(a: Steps, b: Steps): Steps {
  return asSteps(a + b);
}

/** Returns `a - b`. */
export function subSteps(a: Steps, b: Steps): Steps {
  return asSteps(a - b);
}

/** Returns `-a`: the same quantity the other way. */
export function negSteps(a: Steps): Steps {
  return asSteps(-a);
}

/** Returns `|a|`. */
export function absSteps(a: Steps): Steps {
  return asSteps(Math.abs(a));
}

/** Returns `qty` times `sign` (1, -1 or 0): a quantity turned the way of a side or of another quantity. */
export function signedSteps(sign: number, qty: Steps): Steps {
  return asSteps(sign * qty);
}

/** Returns the smaller of two quantities. */
export function minSteps(a: Steps, b: Steps): Steps {
  return asSteps(Math.min(a, b));
}

/** Returns the larger of two quantities. */
export function maxSteps(a: Steps, b: Steps): Steps {
  return asSteps(Math.max(a, b));
}

/** The PERCENT_PRICE filter: a limit price must lie within [mark x multiplierDown, mark x multiplierUp]. */
export interface PercentPriceBand {
  /** Decimal strings, e.g. "1.0500" and "0.9500". */
  readonly multiplierUp: string;
  readonly multiplierDown: string;
}

export interface InstrumentSpec {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly marginAsset: string;
  /** PRICE_FILTER tickSize, e.g. "0.10". */
  readonly tickSize: string;
  /** LOT_SIZE stepSize, e.g. "0.001". */
  readonly stepSize: string;
  /** MIN_NOTIONAL notional, e.g. "100". */
  readonly minNotional: string;
  /** LOT_SIZE minQty / maxQty, as strings. */
  readonly minQty: string;
  readonly maxQty: string;
  /** PRICE_FILTER minPrice / maxPrice ("0" means no bound). */
  readonly minPrice: string;
  readonly maxPrice: string;
  /** PERCENT_PRICE: limit prices the venue accepts, as multipliers of the mark price; absent when the venue gave none. */
  readonly percentPrice?: PercentPriceBand;
}

export class OffGridError extends Error {
  readonly code = 'MM_ERR_OFF_GRID';
  readonly symbol: string;
  readonly field: 'price' | 'quantity';
  readonly input: string;
  constructor(symbol: string, field: 'price' | 'quantity', input: string, grid: string) {
    super(`${symbol} ${field} "${input}" is not a multiple of ${grid}`);
    this.symbol = symbol;
    this.field = field;
    this.input = input;
  }
}

/** Returns a positive integer count of 10^-decimals units that one grid step is. */
function gridUnits(size: string, decimals: number): bigint {
  const units = parseScaled(size, decimals);
  if (units <= 0n) throw new DecimalFormatError(size, 'grid size must be positive');
  return units;
}

export class Instrument {
  readonly symbol: string;
  readonly spec: InstrumentSpec;
  /** Decimals a price is written with (those of tickSize, trailing zeros ignored). */
  readonly priceDecimals: number;
  readonly qtyDecimals: number;
  private readonly tickUnits: bigint;
  private readonly stepUnits: bigint;
  readonly minNotional: Money;
  readonly minQtySteps: Steps;
  readonly maxQtySteps: Steps;
  readonly minPriceTicks: Ticks;
  readonly maxPriceTicks: Ticks;

  constructor(spec: InstrumentSpec) {
    this.spec = spec;
    this.symbol = spec.symbol;
    this.priceDecimals = significantDecimalsOf(spec.tickSize);
    this.qtyDecimals = significantDecimalsOf(spec.stepSize);
    this.tickUnits = gridUnits(spec.tickSize, this.priceDecimals);
    this.stepUnits = gridUnits(spec.stepSize, this.qtyDecimals);
    this.minNotional = rescale(parseScaled(spec.minNotional, decimalsOf(spec.minNotional)), decimalsOf(spec.minNotional), MONEY_DECIMALS, 'ceil');
    this.minQtySteps = this.qtyToSteps(spec.minQty, 'ceil');
    this.maxQtySteps = this.qtyToSteps(spec.maxQty, 'floor');
    this.minPriceTicks = this.priceToTicks(spec.minPrice, 'ceil');
    this.maxPriceTicks = this.priceToTicks(spec.maxPrice, 'floor');
  }

  /** Returns the price as ticks; off-grid input throws unless a rounding is given. */
  priceToTicks(text: string, rounding: 'exact' | 'floor' | 'ceil' | 'nearest' = 'exact'): Ticks {
    return asTicks(this.toGrid(text, this.priceDecimals, this.tickUnits, rounding, 'price', this.spec.tickSize));
  }

  /** Returns the quantity as steps; off-grid input throws unless a rounding is given. */
  qtyToSteps(text: string, rounding: 'exact' | 'floor' | 'ceil' | 'nearest' = 'exact'): Steps {
    return asSteps(this.toGrid(text, this.qtyDecimals, this.stepUnits, rounding, 'quantity', this.spec.stepSize));
  }

  /** Returns ticks as the wire price string, e.g. 650001 -> "65000.1". */
  formatPrice(ticks: Ticks): string {
    return formatScaled(BigInt(ticks) * this.tickUnits, this.priceDecimals);
  }

  /** Returns steps as the wire quantity string, e.g. 5 -> "0.005". */
  formatQty(steps: Steps): string {
    return formatScaled(BigInt(steps) * this.stepUnits, this.qtyDecimals);
  }

  /** Returns price x quantity in Money (1e-8 units), rounded half-up where the grid is finer. */
  notional(ticks: Ticks, steps: Steps): Money {
    const raw = BigInt(ticks) * this.tickUnits * BigInt(steps) * this.stepUnits;
    return rescale(raw, this.priceDecimals + this.qtyDecimals, MONEY_DECIMALS, 'half-up');
  }

  /**
   * Returns a tick·step product (such as a position's cost basis, sum of price x qty) as Money.
   * Exact whenever priceDecimals + qtyDecimals <= 8, which holds for USDⓈ-M contracts.
   */
  tickStepsToMoney(tickSteps: bigint): Money {
    return rescale(tickSteps * this.tickUnits * this.stepUnits, this.priceDecimals + this.qtyDecimals, MONEY_DECIMALS, 'half-up');
  }

  /** Returns a price in ticks for a fractional tick value expressed as num/den, as a decimal string. */
  formatFractionalPrice(num: bigint, den: bigint, extraDecimals = 4): string {
    if (den === 0n) return this.formatPrice(ZERO_TICKS);
    const scale = this.priceDecimals + extraDecimals;
    const scaled = (num * this.tickUnits * pow10(extraDecimals) * 2n + den) / (2n * den);
    return formatScaled(scaled, scale);
  }

  /** Returns the basis-point distance of `ticks` from `refTicks` as a float (a ratio, not money). */
  bpsFrom(ticks: Ticks, refTicks: Ticks): number {
    return refTicks === 0 ? 0 : ((ticks - refTicks) / refTicks) * 10_000;
  }

  private toGrid(
    text: string,
    decimals: number,
    units: bigint,
    rounding: 'exact' | 'floor' | 'ceil' | 'nearest',
    field: 'price' | 'quantity',
    grid: string,
  ): number {
    const scaled = parseScaled(text, decimals, rounding === 'exact' ? 'exact' : rounding === 'nearest' ? 'half-up' : rounding);
    const q = scaled / units;
    const r = scaled % units;
    let result = q;
    if (r !== 0n) {
      switch (rounding) {
        case 'exact':
          throw new OffGridError(this.symbol, field, text, grid);
        case 'floor':
          result = scaled < 0n ? q - 1n : q;
          break;
        case 'ceil':
          result = scaled > 0n ? q + 1n : q;
          break;
        case 'nearest':
          result = (r < 0n ? -r : r) * 2n >= units ? (scaled < 0n ? q - 1n : q + 1n) : q;
          break;
      }
    }
    if (result > BigInt(Number.MAX_SAFE_INTEGER) || result < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new DecimalFormatError(text, `${field} out of range`);
    }
    return Number(result);
  }
}
