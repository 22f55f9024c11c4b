/**
 * An instrument's grid: prices are integer ticks, quantities integer steps. Wire strings are
 * parsed straight into ticks/steps and formatted back on the grid; off-grid input is an error.
 */
import { DecimalFormatError, decimalsOf, formatScaled, parseScaled, pow10, rescale, significantDecimalsOf } from './decimal.ts';
import { MONEY_DECIMALS, type Money } from './money.ts';

/** A price as an integer number of ticks. */
export type Ticks = number;
/** A quantity as an integer number of lot steps. */
export type Steps = number;

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
    return this.toGrid(text, this.priceDecimals, this.tickUnits, rounding, 'price', this.spec.tickSize);
  }

  /** Returns the quantity as steps; off-grid input throws unless a rounding is given. */
  qtyToSteps(text: string, rounding: 'exact' | 'floor' | 'ceil' | 'nearest' = 'exact'): Steps {
    return this.toGrid(text, this.qtyDecimals, this.stepUnits, rounding, 'quantity', this.spec.stepSize);
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
    if (den === 0n) return this.formatPrice(0);
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
