/**
 * The ledger of one symbol: the inventory (position, cost basis, realized PnL, fees, funding),
 * the position the venue reported at reconciliation, and the funding rates. Every fill, whether
 * the user stream delivered it or the trade history filled a gap, goes through `recordFill`.
 */
import type { Instrument, Steps, Ticks } from './instrument.ts';
import { Inventory } from './inventory.ts';
import type { FundingPayment, OrderUpdate, PositionSnapshot, Side, UserTrade } from './model.ts';
import type { Money } from './money.ts';
import { rateToBps } from './grid-params.ts';

/** Where a fill was learnt: the user stream, or the venue's trade history after a stream outage. */
export type FillSource = 'user_stream' | 'backfill';

/** One fill, whichever way it arrived. */
export interface FillRecord {
  readonly clientOrderId: string;
  readonly orderId: string;
  readonly side: Side;
  readonly priceTicks: Ticks;
  readonly qtySteps: Steps;
  readonly commission: Money;
  readonly commissionAsset: string;
  readonly isMaker: boolean;
  /** The venue's time of the trade. */
  readonly venueTimeMs: number;
  /** The order is filled in full with this fill. */
  readonly full: boolean;
}

/** Returns the fill an ORDER_TRADE_UPDATE with execution TRADE reports. */
export function fillOfUpdate(update: OrderUpdate): FillRecord {
  return {
    clientOrderId: update.clientOrderId,
    orderId: update.orderId,
    side: update.side,
    priceTicks: update.lastFilledPriceTicks,
    qtySteps: update.lastFilledSteps,
    commission: update.commission,
    commissionAsset: update.commissionAsset,
    isMaker: update.isMaker,
    venueTimeMs: update.txTimeMs,
    full: update.status === 'FILLED',
  };
}

/** Returns the fill of a trade read from the venue's trade history, for our order `clientOrderId`. */
export function fillOfTrade(trade: UserTrade, clientOrderId: string, full: boolean): FillRecord {
  return {
    clientOrderId,
    orderId: trade.orderId,
    side: trade.side,
    priceTicks: trade.priceTicks,
    qtySteps: trade.qtySteps,
    commission: trade.commission,
    commissionAsset: trade.commissionAsset,
    isMaker: trade.isMaker,
    venueTimeMs: trade.timeMs,
    full,
  };
}

export class Ledger {
  readonly inventory: Inventory;
  private readonly instrument: Instrument;
  /** Fills with a venue time at or before this are already in the position adopted at reconcile. */
  private positionIncludedThroughMs = Number.NEGATIVE_INFINITY;
  private mismatch: Steps | null = null;
  private settledRate: string | null = null;
  private predictedRate: string | null = null;
  private nextFundingMs: number | null = null;
  private readonly recoveredFunding = new Set<string>();

  constructor(instrument: Instrument) {
    this.instrument = instrument;
    this.inventory = new Inventory(instrument);
  }

  /**
   * Records one new fill; returns its realized PnL. A fill the position adopted at reconciliation
   * already contains changes fees only. Commissions in another asset than the margin asset
   * (BNB) are not fees of this ledger.
   */
  recordFill(fill: FillRecord): Money {
    const fee = fill.commissionAsset === this.instrument.spec.marginAsset ? fill.commission : 0n;
    if (fill.venueTimeMs <= this.positionIncludedThroughMs) {
      this.inventory.addFee(fee);
      return 0n;
    }
    return this.inventory.applyFill(fill.side, fill.priceTicks, fill.qtySteps, fee).realizedPnl;
  }

  /**
   * Takes the venue's position at reconciliation. When `oursAgrees` (after a reconnect, the fills
   * the stream missed were applied from the trade history and our position equals the venue's),
   * our exact cost basis is kept: the venue's entry price is rounded to a tick. Later fills count in full.
   */
  reconcilePosition(position: PositionSnapshot, oursAgrees: boolean): void {
    if (!oursAgrees) {
      this.inventory.adoptPosition(position.amountSteps, this.instrument.priceToTicks(position.entryPrice, 'nearest'));
      this.positionIncludedThroughMs = Math.max(this.positionIncludedThroughMs, position.updateTimeMs);
    }
    this.mismatch = null;
  }

  /** Cross-checks the venue's position (ACCOUNT_UPDATE); returns true when it differs from ours. */
  crossCheck(venueSteps: Steps): boolean {
    this.mismatch = venueSteps === this.inventory.positionSteps ? null : venueSteps;
    return this.mismatch !== null;
  }

  /** Records a funding payment the user stream delivered (positive when received). */
  recordFunding(amount: Money): void {
    this.inventory.addFunding(amount);
  }

  /**
   * Records a funding payment read from the income history (the user stream missed it); returns
   * false, recording nothing, when this income id was recorded before (a later recovery reads
   * overlapping history).
   */
  recordRecoveredFunding(payment: FundingPayment): boolean {
    if (this.recoveredFunding.has(payment.incomeId)) return false;
    this.recoveredFunding.add(payment.incomeId);
    this.inventory.addFunding(payment.amount);
    return true;
  }

  /**
   * Takes the mark price stream's funding rate and next funding time; returns true when the
   * predicted rate changed (to the basis point) or a funding time passed (the predicted rate settled).
   */
  updateFundingRate(rate: string, nextFundingTimeMs: number): boolean {
    const settled = this.nextFundingMs !== null && nextFundingTimeMs > this.nextFundingMs && this.predictedRate !== null;
    if (settled) this.settledRate = this.predictedRate;
    const changed = this.predictedRate === null || rateToBps(this.predictedRate) !== rateToBps(rate);
    this.predictedRate = rate;
    this.nextFundingMs = nextFundingTimeMs;
    return changed || settled;
  }

  /** The venue's position when its last report differed from ours, else null. */
  get venuePositionMismatch(): Steps | null {
    return this.mismatch;
  }

  /** The rate of the last funding that settled, if one did while we ran. */
  get fundingRate(): string | null {
    return this.settledRate;
  }

  get predictedFundingRate(): string | null {
    return this.predictedRate;
  }

  get nextFundingTimeMs(): number | null {
    return this.nextFundingMs;
  }
}
