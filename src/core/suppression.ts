/**
 * Why quoting is suppressed. Every applicable reason is collected; the first in precedence order
 * is reported, and each reason says whether it also blocks risk-reducing orders.
 */

export type SuppressionReason =
  | 'ws_disconnected'
  | 'stale_book'
  | 'no_book'
  | 'frozen'
  | 'hard_reduce'
  | 'shadow'
  | 'not_reconciled'
  | 'rate_limited'
  | 'crossed_book'
  | 'stopping'
  | 'event_log_unwritable'
  | 'deadman_unarmed';

/** Precedence: the first applicable reason is the one reported. */
export const SUPPRESSION_PRECEDENCE: readonly SuppressionReason[] = [
  'stopping',
  'shadow',
  'not_reconciled',
  'event_log_unwritable',
  'deadman_unarmed',
  'ws_disconnected',
  'no_book',
  'stale_book',
  'crossed_book',
  'frozen',
  'hard_reduce',
  'rate_limited',
];

/**
 * Returns true when the reason stops every new order, risk-reducing ones included: we are
 * stopping, blind, without a usable price, or out of request budget. Frozen and hard reduce stop
 * only quotes; shadow stops every command but is handled by not sending anything at all.
 */
export function blocksRiskReducing(reason: SuppressionReason): boolean {
  switch (reason) {
    case 'stopping':
    case 'not_reconciled':
    case 'ws_disconnected':
    case 'no_book':
    case 'stale_book':
    case 'crossed_book':
    case 'rate_limited':
      return true;
    case 'shadow':
    case 'frozen':
    case 'hard_reduce':
    case 'event_log_unwritable': // no audit trail: no new risk, but risk can still be reduced
    case 'deadman_unarmed': // nothing would cancel new quotes if we died; reducing orders cannot add risk
      return false;
  }
}

/** Returns the reported reason: the first of `applicable` in precedence order, or null. */
export function reportedReason(applicable: ReadonlySet<SuppressionReason>): SuppressionReason | null {
  for (const reason of SUPPRESSION_PRECEDENCE) if (applicable.has(reason)) return reason;
  return null;
}

/** Tracks the reported reason and says when it changed. */
export class SuppressionReporter {
  private current: SuppressionReason | null = null;

  /** Returns the reported reason. */
  get reason(): SuppressionReason | null {
    return this.current;
  }

  /** Sets the reason; returns the change to report (suppressed with a new reason, or resumed). */
  update(next: SuppressionReason | null): { kind: 'suppressed'; reason: SuppressionReason } | { kind: 'resumed'; previous: SuppressionReason } | null {
    const previous = this.current;
    if (previous === next) return null;
    this.current = next;
    if (next === null) return previous === null ? null : { kind: 'resumed', previous };
    return { kind: 'suppressed', reason: next };
  }
}
