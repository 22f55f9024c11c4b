/**
 * The risk state machine: 0 normal, 1 soft reduce, 2 hard reduce. It moves one state at a time;
 * a jump of several states is emitted as consecutive single steps.
 */
import type { Money } from './money.ts';

export type RiskState = 0 | 1 | 2;

export interface RiskLimits {
  readonly softPositionNotional: Money;
  readonly hardPositionNotional: Money;
  readonly maxWorstCaseNotional: Money;
}

export interface RiskInputs {
  /** |position| x mid. */
  readonly positionNotionalAbs: Money;
  readonly worstLongNotional: Money;
  readonly worstShortNotional: Money;
}

export interface RiskTransition {
  readonly from: RiskState;
  readonly to: RiskState;
  readonly reason: string;
}

/**
 * Returns the state the rules ask for: 2 at or over the hard limit, and (hysteresis) staying 2
 * until the position is back under the soft limit; 1 at or over the soft limit or with a worst
 * case over its limit; otherwise 0.
 */
export function targetRiskState(current: RiskState, inputs: RiskInputs, limits: RiskLimits): RiskState {
  if (inputs.positionNotionalAbs >= limits.hardPositionNotional) return 2;
  if (current === 2 && inputs.positionNotionalAbs >= limits.softPositionNotional) return 2;
  if (inputs.positionNotionalAbs >= limits.softPositionNotional) return 1;
  if (inputs.worstLongNotional > limits.maxWorstCaseNotional || inputs.worstShortNotional > limits.maxWorstCaseNotional) return 1;
  return 0;
}

function reasonFor(from: RiskState, to: RiskState, inputs: RiskInputs, limits: RiskLimits): string {
  if (to > from) {
    if (to === 2) return 'position_notional_at_or_over_hard_limit';
    if (inputs.positionNotionalAbs >= limits.softPositionNotional) return 'position_notional_at_or_over_soft_limit';
    return inputs.worstLongNotional > limits.maxWorstCaseNotional ? 'worst_case_long_over_limit' : 'worst_case_short_over_limit';
  }
  return to === 1 ? 'position_notional_under_soft_limit' : 'within_limits';
}

/** Holds the current risk state and steps it toward the rules' target. */
export class RiskMachine {
  private current: RiskState = 0;
  private readonly limits: RiskLimits;

  constructor(limits: RiskLimits) {
    this.limits = limits;
  }

  /** Returns the current state. */
  get state(): RiskState {
    return this.current;
  }

  /** Moves to the target state one step at a time; returns each step taken, in order. */
  evaluate(inputs: RiskInputs): RiskTransition[] {
    const target = targetRiskState(this.current, inputs, this.limits);
    const steps: RiskTransition[] = [];
    while (this.current !== target) {
      const from = this.current;
      const to = (from + (target > from ? 1 : -1)) as RiskState;
      steps.push({ from, to, reason: reasonFor(from, to, inputs, this.limits) });
      this.current = to;
    }
    return steps;
  }
}
