/**
 * Worst-case exposure: what the position would become if every order that may rest on one side
 * (open, in flight or ambiguous) filled completely.
 */
import { addSteps, asSteps, maxSteps, negSteps, ONE_STEP, subSteps, ZERO_STEPS, type Instrument, type Steps, type Ticks } from './instrument.ts';
import type { Money } from './money.ts';

export interface Exposure {
  readonly positionSteps: Steps;
  readonly pendingBuySteps: Steps;
  readonly pendingSellSteps: Steps;
  /** position + pending buys. */
  readonly worstLongSteps: Steps;
  /** -position + pending sells. */
  readonly worstShortSteps: Steps;
}

/** Returns the worst-case exposure of a position and its pending orders. */
export function worstCase(positionSteps: Steps, pendingBuySteps: Steps, pendingSellSteps: Steps): Exposure {
  return {
    positionSteps,
    pendingBuySteps,
    pendingSellSteps,
    worstLongSteps: addSteps(positionSteps, pendingBuySteps),
    worstShortSteps: addSteps(negSteps(positionSteps), pendingSellSteps),
  };
}

/** Returns the signed notional of `steps` at `priceTicks`. */
export function signedNotional(instrument: Instrument, priceTicks: Ticks, steps: Steps): Money {
  return steps < 0 ? -instrument.notional(priceTicks, negSteps(steps)) : instrument.notional(priceTicks, steps);
}

/**
 * Returns the most steps that can be added to a worst case of `worstSteps` while its notional at
 * `priceTicks` stays within `limit` (0 when it is already at or over the limit).
 */
export function headroomSteps(instrument: Instrument, priceTicks: Ticks, worstSteps: Steps, limit: Money): Steps {
  if (signedNotional(instrument, priceTicks, worstSteps) > limit) return ZERO_STEPS;
  const perStep = instrument.notional(priceTicks, ONE_STEP);
  if (perStep <= 0n) return ZERO_STEPS;
  let total = asSteps(Number(limit / perStep));
  while (total > worstSteps && signedNotional(instrument, priceTicks, total) > limit) total = subSteps(total, ONE_STEP);
  while (signedNotional(instrument, priceTicks, addSteps(total, ONE_STEP)) <= limit) total = addSteps(total, ONE_STEP);
  return maxSteps(ZERO_STEPS, subSteps(total, worstSteps));
}

/** The notionals of a position and its worst cases at one price. */
export interface Notionals {
  readonly position: Money;
  readonly worstLong: Money;
  readonly worstShort: Money;
}

/** Returns the signed notionals of the exposure at `priceTicks`. */
export function notionals(instrument: Instrument, exposure: Exposure, priceTicks: Ticks): Notionals {
  return {
    position: signedNotional(instrument, priceTicks, exposure.positionSteps),
    worstLong: signedNotional(instrument, priceTicks, exposure.worstLongSteps),
    worstShort: signedNotional(instrument, priceTicks, exposure.worstShortSteps),
  };
}

/** Returns how close the exposure is to its hard limits: the larger of |position| / hard limit and worst case / worst-case limit. */
export function riskRatio(n: Notionals, hardPositionNotional: Money, maxWorstCaseNotional: Money): number {
  const absPosition = n.position < 0n ? -n.position : n.position;
  const worst = n.worstLong > n.worstShort ? n.worstLong : n.worstShort;
  return Math.max(Number(absPosition) / Number(hardPositionNotional), Number(worst) / Number(maxWorstCaseNotional));
}
