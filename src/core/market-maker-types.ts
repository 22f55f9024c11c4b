/**
 * The market maker's public shapes: the commands and events of a decision, the numbers it
 * reports, its options, and the names of its freezes.
 */
import type { EventDraft } from './events.ts';
import type { Steps, Ticks } from './instrument.ts';
import type { CancelOrder, PlaceOrder } from './model.ts';
import type { Money } from './money.ts';
import type { OrderPurpose } from './order-tracker.ts';
import type { SkippedOrder } from './quote-plan.ts';
import type { RiskState } from './risk.ts';
import type { SuppressionReason } from './suppression.ts';

export type OrderCommand =
  | { readonly kind: 'place'; readonly order: PlaceOrder; readonly purpose: OrderPurpose }
  | { readonly kind: 'cancel'; readonly cancel: CancelOrder; readonly reason: string };

export interface Decision {
  /** Cancels first, then places. */
  readonly commands: readonly OrderCommand[];
  readonly events: readonly EventDraft[];
  readonly suppressed: SuppressionReason | null;
  readonly skipped: readonly SkippedOrder[];
}

export interface MarketMakerView {
  readonly symbol: string;
  readonly midTicks: Ticks | null;
  readonly bestBidTicks: Ticks | null;
  readonly bestAskTicks: Ticks | null;
  readonly ourBidTicks: Ticks | null;
  readonly ourAskTicks: Ticks | null;
  readonly positionSteps: Steps;
  readonly pendingBuySteps: Steps;
  readonly pendingSellSteps: Steps;
  readonly worstLongSteps: Steps;
  readonly worstShortSteps: Steps;
  readonly worstLongNotional: Money;
  readonly worstShortNotional: Money;
  readonly positionNotional: Money;
  readonly riskState: RiskState;
  readonly riskRatio: number;
  readonly frozenReason: string | null;
  readonly suppressed: SuppressionReason | null;
  readonly edgeBps: number | null;
  readonly realizedPnl: Money;
  readonly unrealizedPnl: Money;
  readonly fees: Money;
  readonly fundingAccum: Money;
  readonly fundingRate: string | null;
  readonly predictedFundingRate: string | null;
  readonly entryPrice: string;
  readonly openOrders: number;
  readonly inFlight: number;
  readonly ambiguous: number;
  readonly grindingCount: number;
  readonly reduceOnlyForceCount: number;
  /** The position the venue last reported in an ACCOUNT_UPDATE, when it differed from ours. */
  readonly venuePositionMismatchSteps: Steps | null;
}

export interface MarketMakerOptions {
  readonly clientIdPrefix: string;
  readonly shadow: boolean;
  /** Base-36 start-time component of client ids. */
  readonly sessionId: string;
  /**
   * A status query that finds no order settles an ambiguous order only once the order was sent
   * at least this long ago (recvWindow plus clock tolerance: until then the venue may still
   * accept the request). Default 0.
   */
  readonly notFoundAfterMs?: number;
}

/** An ambiguous order is queried once it has been unsettled this long (and again after as long). */
export const AMBIGUOUS_QUERY_GRACE_MS = 2_000;

/** The freeze reason when the rolling fill edge falls below the minimum. */
export const EDGE_FREEZE_REASON = 'edge_below_minimum';

/** The freeze reason when a hard risk limit is breached. */
export const RISK_LIMIT_FREEZE = 'risk_limit';
