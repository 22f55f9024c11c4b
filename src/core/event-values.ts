/**
 * The typed numbers of domain events: a price in ticks, a quantity in steps, an amount of money,
 * a price between ticks (a mid, an average entry). The core puts the integers it computed with
 * into an event; only the sinks (event log, stdout, OpenTelemetry) turn them into the event
 * log's decimal strings, by `toString()` (or `JSON.stringify`, through `toJSON()`).
 */
import type { Instrument, Steps, Ticks } from './instrument.ts';
import { formatMoney, type Money } from './money.ts';

/**
 * A typed decimal in an event's fields; `toString()` is its decimal string, formatted once
 * however many sinks write it (event log, stdout, OpenTelemetry).
 */
export abstract class EventDecimal {
  private text: string | null = null;

  /** Returns the decimal string (called at most once). */
  protected abstract format(): string;

  toString(): string {
    this.text ??= this.format();
    return this.text;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** A price on the instrument's grid. */
export class Price extends EventDecimal {
  readonly ticks: Ticks;
  private readonly instrument: Instrument;

  constructor(instrument: Instrument, ticks: Ticks) {
    super();
    this.instrument = instrument;
    this.ticks = ticks;
  }

  protected override format(): string {
    return this.instrument.formatPrice(this.ticks);
  }
}

/**
 * A price that may fall between ticks: `tickUnits / divisor` ticks (a mid, an average entry
 * price), written with `extraDecimals` more decimals than the grid's; "0" when the divisor is 0
 * (no position, no entry price).
 */
export class FractionalPrice extends EventDecimal {
  readonly tickUnits: bigint;
  readonly divisor: bigint;
  private readonly instrument: Instrument;
  /** Decimals written beyond the grid's. */
  private readonly extraDecimals: number;

  constructor(instrument: Instrument, tickUnits: bigint, divisor: bigint, extraDecimals: number) {
    super();
    this.instrument = instrument;
    this.tickUnits = tickUnits;
    this.divisor = divisor;
    this.extraDecimals = extraDecimals;
  }

  protected override format(): string {
    if (this.divisor === 0n) return '0';
    return this.instrument.formatFractionalPrice(this.tickUnits, this.divisor, this.extraDecimals);
  }
}

/** A quantity (or a signed position) in lot steps. */
export class Quantity extends EventDecimal {
  readonly steps: Steps;
  private readonly instrument: Instrument;

  constructor(instrument: Instrument, steps: Steps) {
    super();
    this.instrument = instrument;
    this.steps = steps;
  }

  protected override format(): string {
    return this.instrument.formatQty(this.steps);
  }
}

/** An amount of the margin asset (PnL, fees, funding, notionals). */
export class Amount extends EventDecimal {
  readonly money: Money;

  constructor(money: Money) {
    super();
    this.money = money;
  }

  protected override format(): string {
    return formatMoney(this.money);
  }
}
