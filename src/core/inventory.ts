/**
 * Position and PnL by the average-cost method (as Binance computes `rp`). The cost basis is an
 * exact signed sum of ticks x steps; realized PnL is kept in the same units so that, at every
 * moment, realized - costBasis equals the cash flow of all fills (nothing is lost to rounding).
 */
import { divRound } from './decimal.ts';
import { FractionalPrice } from './event-values.ts';
import { absSteps, addSteps, minSteps, signedSteps, subSteps, ZERO_STEPS, type Instrument, type Steps, type Ticks } from './instrument.ts';
import { sideSign, type Side } from './model.ts';
import type { Money } from './money.ts';

/** What one fill did to the inventory. */
export interface FillEffect {
  /** Realized PnL of the closing part of this fill (0 when it only opened). */
  readonly realizedPnl: Money;
  readonly positionSteps: Steps;
}

export class Inventory {
  private readonly instrument: Instrument;
  private position: Steps = ZERO_STEPS;
  /** Signed sum of ticks x steps of the open position (same sign as the position). */
  private costBasis = 0n;
  private realizedTickSteps = 0n;
  private feesTotal: Money = 0n;
  private fundingTotal: Money = 0n;
  /** Realized, fee and funding money since the position last opened from flat (break-even). */
  private cycleRealizedTickSteps = 0n;
  private cycleFees: Money = 0n;
  private cycleFunding: Money = 0n;

  constructor(instrument: Instrument) {
    this.instrument = instrument;
  }

  /** Returns the signed position in steps. */
  get positionSteps(): Steps {
    return this.position;
  }

  /** Returns the signed cost basis in ticks x steps. */
  get costBasisTickSteps(): bigint {
    return this.costBasis;
  }

  /** Returns realized PnL in ticks x steps (exact). */
  get realizedTickStepsTotal(): bigint {
    return this.realizedTickSteps;
  }

  /** Returns gross realized PnL from fills. */
  get realizedPnl(): Money {
    return this.instrument.tickStepsToMoney(this.realizedTickSteps);
  }

  /** Returns commissions paid in the margin asset (negative commissions are rebates). */
  get fees(): Money {
    return this.feesTotal;
  }

  /** Returns funding received (positive) or paid (negative). */
  get fundingAccum(): Money {
    return this.fundingTotal;
  }

  /** Returns realized PnL net of fees plus funding since the position last opened from flat. */
  get cycleNet(): Money {
    return this.instrument.tickStepsToMoney(this.cycleRealizedTickSteps) - this.cycleFees + this.cycleFunding;
  }

  /** Applies one fill and its commission (already in the margin asset); returns its effect. */
  applyFill(side: Side, priceTicks: Ticks, qtySteps: Steps, commission: Money): FillEffect {
    if (!Number.isInteger(qtySteps) || qtySteps <= 0) throw new RangeError(`fill quantity must be a positive integer, got ${qtySteps}`);
    const signed = signedSteps(sideSign(side), qtySteps);
    const price = BigInt(priceTicks);
    if (this.position === 0) this.resetCycle();
    let realized = 0n;
    let opening = signed;
    if (this.position !== 0 && Math.sign(signed) !== Math.sign(this.position)) {
      const closeAbs = minSteps(qtySteps, absSteps(this.position));
      const closeSigned = signedSteps(Math.sign(signed), closeAbs);
      const removed = divRound(this.costBasis * BigInt(closeAbs), BigInt(Math.abs(this.position)), 'half-up');
      realized = -BigInt(closeSigned) * price - removed;
      this.costBasis -= removed;
      this.position = addSteps(this.position, closeSigned);
      opening = subSteps(signed, closeSigned);
      this.realizedTickSteps += realized;
      this.cycleRealizedTickSteps += realized;
      // A closed-out position ends its cycle; a flip starts the next one with this fill's fee.
      if (this.position === 0) this.resetCycle();
    }
    this.addFee(commission);
    if (opening !== 0) {
      this.position = addSteps(this.position, opening);
      this.costBasis += BigInt(opening) * price;
    }
    return { realizedPnl: this.instrument.tickStepsToMoney(realized), positionSteps: this.position };
  }

  /** Adds a commission (or rebate) that is not tied to a position change. */
  addFee(commission: Money): void {
    this.feesTotal += commission;
    this.cycleFees += commission;
  }

  /** Adds a funding payment (FUNDING_FEE balance change): positive when received. */
  addFunding(amount: Money): void {
    this.fundingTotal += amount;
    this.cycleFunding += amount;
  }

  /**
   * Takes the venue's position as the truth (reconciliation): the cost basis is rebuilt from the
   * venue's entry price rounded to the nearest tick; realized PnL, fees and funding are kept.
   */
  adoptPosition(positionSteps: Steps, entryTicks: Ticks): void {
    if (Math.sign(positionSteps) !== Math.sign(this.position) || positionSteps === 0) this.resetCycle();
    this.position = positionSteps;
    this.costBasis = BigInt(positionSteps) * BigInt(entryTicks);
  }

  /** Returns the average entry price as a decimal string ("0" when flat). */
  averageEntryPrice(): string {
    return this.entryPrice().toString();
  }

  /** Returns the average entry price, typed ("0" when flat). */
  entryPrice(): FractionalPrice {
    const abs = (v: bigint): bigint => (v < 0n ? -v : v);
    return new FractionalPrice(this.instrument, abs(this.costBasis), BigInt(Math.abs(this.position)), 4);
  }

  /** Returns the unrealized PnL of the position valued at `markTicks`. */
  unrealizedPnl(markTicks: Ticks): Money {
    return this.instrument.tickStepsToMoney(BigInt(this.position) * BigInt(markTicks) - this.costBasis);
  }

  private resetCycle(): void {
    this.cycleRealizedTickSteps = 0n;
    this.cycleFees = 0n;
    this.cycleFunding = 0n;
  }
}
