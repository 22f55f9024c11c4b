/**
 * Venue-neutral domain types shared by the core, the Binance adapter and the simulator.
 * Prices are ticks, quantities steps, money bigint 1e-8 units; times are epoch ms.
 */
import type { Steps, Ticks } from './instrument.ts';
import type { Money } from './money.ts';

export type Side = 'BUY' | 'SELL';
export type OrderType = 'LIMIT' | 'MARKET';
/** GTX is Binance's post-only: rejected (-5022) instead of taking liquidity. */
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'GTX';
export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED' | 'EXPIRED_IN_MATCH';
export type ExecutionType = 'NEW' | 'CANCELED' | 'CALCULATED' | 'EXPIRED' | 'TRADE' | 'AMENDMENT';
export type MarginType = 'CROSSED' | 'ISOLATED';

/** Returns the opposite side. */
export function oppositeSide(side: Side): Side {
  return side === 'BUY' ? 'SELL' : 'BUY';
}

/** Returns +1 for BUY and -1 for SELL. */
export function sideSign(side: Side): 1 | -1 {
  return side === 'BUY' ? 1 : -1;
}

/** Returns true once an order can no longer fill. */
export function isFinalStatus(status: OrderStatus): boolean {
  switch (status) {
    case 'NEW':
    case 'PARTIALLY_FILLED':
      return false;
    case 'FILLED':
    case 'CANCELED':
    case 'REJECTED':
    case 'EXPIRED':
    case 'EXPIRED_IN_MATCH':
      return true;
  }
}

/** A command to place one order (imperative, immutable). */
export interface PlaceOrder {
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  /** Required for LIMIT. */
  readonly priceTicks?: Ticks;
  readonly qtySteps: Steps;
  readonly timeInForce?: TimeInForce;
  readonly reduceOnly: boolean;
  /** Matches ^[\.A-Z\:/a-z0-9_-]{1,36}$; unique per order, makes the request idempotent. */
  readonly clientOrderId: string;
}

export interface CancelOrder {
  readonly symbol: string;
  readonly clientOrderId: string;
}

/** The exchange's view of one order (REST response or query). */
export interface OrderSnapshot {
  readonly symbol: string;
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly status: OrderStatus;
  readonly priceTicks: Ticks;
  readonly qtySteps: Steps;
  readonly executedSteps: Steps;
  readonly reduceOnly: boolean;
  readonly updateTimeMs: number;
}

/**
 * How long all sending stops after a 429 (rate limited) or 418 (IP banned) that came without a
 * Retry-After header: Binance documents bans of 2 minutes and more, and asks clients to back off
 * on 429. The one table of this policy: the adapter fills rejections with it, the runner obeys
 * what the rejection carries.
 */
export const RATE_LIMIT_WAIT_MS: Readonly<Record<429 | 418, number>> = { 429: 10_000, 418: 120_000 };

/**
 * The outcome of an order command. Exactly one of: accepted by the venue, rejected by the venue,
 * denied locally, or ambiguous (timeout, reset, 5xx, 503 unknown): the order may or may not exist
 * and stays in flight until the user stream or a status query settles it.
 */
/** How orders, cancels and order queries travel to the venue: its WebSocket API, or REST. */
export type OrderTransport = 'ws' | 'rest';

/** The way a command travelled, when it reached the wire (absent when it was denied locally). */
export interface Routed {
  readonly transport?: OrderTransport;
}

export type CommandOutcome<T> = Routed &
  (
    | { readonly kind: 'accepted'; readonly value: T }
    | {
        readonly kind: 'rejected';
        readonly code: number;
        readonly reason: string;
        readonly httpStatus: number;
        /** How long the venue asked us to wait (429/418): its Retry-After, else RATE_LIMIT_WAIT_MS. */
        readonly retryAfterMs?: number;
      }
    | { readonly kind: 'denied'; readonly reason: string }
    | { readonly kind: 'ambiguous'; readonly reason: string }
  );

/** Best bid/offer from the bookTicker stream. */
export interface BookTop {
  readonly symbol: string;
  readonly updateId: number;
  readonly bidTicks: Ticks;
  readonly bidSteps: Steps;
  readonly askTicks: Ticks;
  readonly askSteps: Steps;
  /** Venue transaction time and event time (ms). */
  readonly txTimeMs: number;
  readonly eventTimeMs: number;
}

/**
 * Mark price and funding (markPrice stream or premiumIndex). Rates are decimal strings as the
 * venue sends them (e.g. "0.00010000"): a rate is a ratio, never money.
 */
export interface MarkPriceUpdate {
  readonly symbol: string;
  readonly markPrice: string;
  readonly indexPrice: string;
  readonly fundingRate: string;
  readonly nextFundingTimeMs: number;
  readonly eventTimeMs: number;
}

/** An ORDER_TRADE_UPDATE from the user stream. */
export interface OrderUpdate {
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly orderId: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly qtySteps: Steps;
  readonly priceTicks: Ticks;
  readonly execution: ExecutionType;
  readonly status: OrderStatus;
  /** Last filled quantity and price (TRADE only; 0 otherwise). */
  readonly lastFilledSteps: Steps;
  readonly lastFilledPriceTicks: Ticks;
  readonly cumulativeFilledSteps: Steps;
  /** Commission of this fill (n) in its asset (N); 0 when none. */
  readonly commission: Money;
  readonly commissionAsset: string;
  /** Realized profit of this trade (rp). */
  readonly realizedPnl: Money;
  readonly tradeId: number;
  readonly isMaker: boolean;
  readonly reduceOnly: boolean;
  readonly eventTimeMs: number;
  readonly txTimeMs: number;
}

export type AccountUpdateReason =
  | 'DEPOSIT'
  | 'WITHDRAW'
  | 'ORDER'
  | 'FUNDING_FEE'
  | 'WITHDRAW_REJECT'
  | 'ADJUSTMENT'
  | 'INSURANCE_CLEAR'
  | 'ADMIN_DEPOSIT'
  | 'ADMIN_WITHDRAW'
  | 'MARGIN_TRANSFER'
  | 'MARGIN_TYPE_CHANGE'
  | 'ASSET_TRANSFER'
  | 'OPTIONS_PREMIUM_FEE'
  | 'OPTIONS_SETTLE_PROFIT'
  | 'AUTO_EXCHANGE'
  | 'COIN_SWAP_DEPOSIT'
  | 'COIN_SWAP_WITHDRAW';

export interface BalanceUpdate {
  readonly asset: string;
  readonly walletBalance: Money;
  readonly crossWalletBalance: Money;
  /** Balance change except PnL and commission (bc): the funding fee on FUNDING_FEE. */
  readonly balanceChange: Money;
}

export interface PositionUpdate {
  readonly symbol: string;
  /** Signed position amount in steps (pa). */
  readonly amountSteps: Steps;
  /** Entry price as the venue's decimal string (ep); may be off the tick grid. */
  readonly entryPrice: string;
  readonly unrealizedPnl: Money;
  readonly positionSide: 'BOTH' | 'LONG' | 'SHORT';
}

/** An ACCOUNT_UPDATE from the user stream. */
export interface AccountUpdate {
  readonly reason: AccountUpdateReason;
  readonly balances: readonly BalanceUpdate[];
  readonly positions: readonly PositionUpdate[];
  readonly eventTimeMs: number;
  readonly txTimeMs: number;
}

export interface MarginCall {
  readonly crossWalletBalance: Money;
  readonly positions: ReadonlyArray<{ readonly symbol: string; readonly amountSteps: Steps; readonly maintenanceMargin: Money }>;
  readonly eventTimeMs: number;
}

/** The exchange's view of a position (GET /fapi/v3/positionRisk). */
export interface PositionSnapshot {
  readonly symbol: string;
  readonly amountSteps: Steps;
  readonly entryPrice: string;
  readonly markPrice: string;
  readonly unrealizedPnl: Money;
  readonly updateTimeMs: number;
}

/**
 * One of our trades as the venue's trade history lists it (GET /fapi/v1/userTrades): how fills
 * missed while the user stream was down are recovered.
 */
export interface UserTrade {
  readonly symbol: string;
  readonly tradeId: number;
  /** The venue's order id (the trade list carries no client order id). */
  readonly orderId: string;
  readonly side: Side;
  readonly priceTicks: Ticks;
  readonly qtySteps: Steps;
  /** Commission of this trade in `commissionAsset` (negative: a rebate). */
  readonly commission: Money;
  readonly commissionAsset: string;
  /** The venue's realized profit of this trade. */
  readonly realizedPnl: Money;
  readonly isMaker: boolean;
  /** Venue trade time (ms). */
  readonly timeMs: number;
}

/** Rate-limit usage read from X-MBX-* response headers. */
/**
 * A funding payment as the venue's income history lists it (GET /fapi/v1/income, incomeType
 * FUNDING_FEE): how funding paid while the user stream was down is recovered.
 */
export interface FundingPayment {
  readonly symbol: string;
  /** The venue's transaction id (unique within the income type). */
  readonly incomeId: string;
  readonly asset: string;
  /** Positive when received, negative when paid. */
  readonly amount: Money;
  /** Venue time of the payment (ms). */
  readonly timeMs: number;
}

export interface RateLimitUsage {
  readonly usedWeight1m?: number;
  readonly orderCount10s?: number;
  readonly orderCount1m?: number;
}

/** Returns the order an ORDER_TRADE_UPDATE describes, as a snapshot (to adopt an order we did not track). */
export function snapshotOfUpdate(update: OrderUpdate): OrderSnapshot {
  return {
    symbol: update.symbol,
    orderId: update.orderId,
    clientOrderId: update.clientOrderId,
    side: update.side,
    type: update.type,
    timeInForce: update.timeInForce,
    status: update.status,
    priceTicks: update.priceTicks,
    qtySteps: update.qtySteps,
    executedSteps: update.cumulativeFilledSteps,
    reduceOnly: update.reduceOnly,
    updateTimeMs: update.eventTimeMs,
  };
}
