/**
 * Strategy and risk knobs for one symbol, as validated by src/config. Quantities and
 * notionals are decimal strings (converted onto the instrument's grid by the core); ratios
 * and basis points are plain numbers.
 */
export interface StrategyParams {
  /** Distance of the first bid/ask from mid, in bps. */
  readonly halfSpreadBps: number;
  /** Base quantity of each quote level, e.g. "0.010". */
  readonly orderQty: string;
  /** Quote levels per side (1 = best only). */
  readonly levels: number;
  /** Extra distance between consecutive levels, in bps. */
  readonly levelSpacingBps: number;
  /** Shift of both quotes toward flat at a position equal to the soft limit, in bps (linear). */
  readonly inventorySkewBps: number;
  /** Shift of both quotes per bps of predicted funding rate (0 disables); positive funding pushes quotes down. */
  readonly fundingSkewFactor: number;
  /** A resting quote within this many ticks of its target is left alone. */
  readonly requoteToleranceTicks: number;
  /** Soft limit on |position notional| (quote currency): above it, risk state 1 (soft reduce). */
  readonly softPositionNotional: string;
  /** Hard limit on |position notional|: above it, risk state 2 (hard reduce). */
  readonly hardPositionNotional: string;
  /** Limit on worst-case long/short notional (position + every resting order on that side filled). */
  readonly maxWorstCaseNotional: string;
  /** Size multiplier of the reducing quote in soft reduce (0..1]. */
  readonly softReduceSizeFactor: number;
  /** Quantity of each reduce-only order forced in hard reduce. */
  readonly reduceOnlyClipQty: string;
  /** Freeze quoting when the rolling edge (bps captured net of fees) falls below this. */
  readonly minEdgeBps: number;
  /** Number of recent fills the rolling edge is computed over; no freeze before that many. */
  readonly edgeWindowFills: number;
  /** How long a freeze lasts before quoting resumes, ms. */
  readonly freezeCooldownMs: number;
  /** Maker and taker fee rates, e.g. "0.0002". */
  readonly makerFeeRate: string;
  readonly takerFeeRate: string;
  /** A book older than this (venue event time vs now) suppresses quoting, ms. */
  readonly staleBookMs: number;
  /** Grinding: reducing clips priced to lower the position's break-even. */
  readonly grindEnabled: boolean;
  readonly grindClipQty: string;
  /** Minimum profit over the break-even price at which a grinding clip is priced, in bps. */
  readonly grindMinProfitBps: number;
}
