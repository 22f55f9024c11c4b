/**
 * Grinding: a small reduce-only clip on the reducing side, priced at least a minimum profit
 * beyond the position's break-even. The break-even is the average entry adjusted by what the
 * position's cycle has already earned (realized PnL net of fees, plus funding), so each filled
 * clip moves the break-even of the rest in our favour.
 */
import { divRound } from './decimal.ts';
import { absSteps, asTicks, minSteps, type Instrument, type Steps, type Ticks } from './instrument.ts';
import type { Side } from './model.ts';
import type { Money } from './money.ts';

export interface GrindInputs {
  readonly positionSteps: Steps;
  /** Signed cost basis in ticks x steps (same sign as the position). */
  readonly costBasisTickSteps: bigint;
  /** Realized net of fees plus funding since the position opened. */
  readonly cycleNet: Money;
  readonly minProfitBps: number;
  readonly clipSteps: Steps;
  /** The price the normal quote on the reducing side would have (best level), if any. */
  readonly normalQuoteTicks: Ticks | null;
  readonly bestBidTicks: Ticks;
  readonly bestAskTicks: Ticks;
}

export interface GrindClip {
  readonly side: Side;
  readonly priceTicks: Ticks;
  readonly qtySteps: Steps;
  /** Break-even price of the position as a decimal string. */
  readonly breakEvenPrice: string;
}

const BPS_SCALE = 1_000_000n;

/** Returns the break-even price as a fraction of ticks (numerator may be <= 0 for a long). */
export function breakEvenTicks(instrument: Instrument, positionSteps: Steps, costBasisTickSteps: bigint, cycleNet: Money): { num: bigint; den: bigint } | null {
  const moneyPerTickStep = instrument.tickStepsToMoney(1n);
  if (positionSteps === 0 || moneyPerTickStep <= 0n) return null;
  const absCost = costBasisTickSteps < 0n ? -costBasisTickSteps : costBasisTickSteps;
  const den = BigInt(Math.abs(positionSteps)) * moneyPerTickStep;
  const num = positionSteps > 0 ? absCost * moneyPerTickStep - cycleNet : absCost * moneyPerTickStep + cycleNet;
  return { num, den };
}

/**
 * Returns the grinding clip for the position, or null when there is none to place: a long sells
 * at max(ceil(breakEven x (1 + bps)), normal ask), a short buys at min(floor(breakEven x
 * (1 - bps)), normal bid); both never cross the book and never cost more than the normal quote.
 */
export function grindClip(instrument: Instrument, inputs: GrindInputs): GrindClip | null {
  const be = breakEvenTicks(instrument, inputs.positionSteps, inputs.costBasisTickSteps, inputs.cycleNet);
  if (be === null) return null;
  const profitScaled = BigInt(Math.ceil(Math.max(0, inputs.minProfitBps) * 100));
  const qtySteps = minSteps(inputs.clipSteps, absSteps(inputs.positionSteps));
  const breakEvenPrice = be.num > 0n ? instrument.formatFractionalPrice(be.num, be.den) : '0';
  const maxPrice = instrument.maxPriceTicks > 0 ? instrument.maxPriceTicks : Number.MAX_SAFE_INTEGER;
  if (inputs.positionSteps > 0) {
    const floorPrice = be.num <= 0n ? 1n : divRound(be.num * (BPS_SCALE + profitScaled), be.den * BPS_SCALE, 'ceil');
    const price = asTicks(Math.max(Number(floorPrice), inputs.normalQuoteTicks ?? 0, inputs.bestBidTicks + 1, instrument.minPriceTicks));
    if (price > maxPrice) return null;
    return { side: 'SELL', priceTicks: price, qtySteps, breakEvenPrice };
  }
  if (profitScaled >= BPS_SCALE) return null;
  const ceilingPrice = Number(divRound(be.num * (BPS_SCALE - profitScaled), be.den * BPS_SCALE, 'floor'));
  const price = asTicks(Math.min(ceilingPrice, inputs.normalQuoteTicks ?? Number.MAX_SAFE_INTEGER, inputs.bestAskTicks - 1, maxPrice));
  if (price < Math.max(1, instrument.minPriceTicks)) return null;
  return { side: 'BUY', priceTicks: price, qtySteps, breakEvenPrice };
}
