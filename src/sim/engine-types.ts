/**
 * The matching engine's vocabulary: requests, orders, fills, positions, funding payments,
 * income records and the events the engine emits. Money is bigint 1e-8, prices ticks, sizes steps.
 */
import type { Steps, Ticks } from '../core/instrument.ts';
import type { Money } from '../core/money.ts';
import type { ExecutionType, OrderStatus, OrderType, Side, TimeInForce } from '../core/model.ts';
import type { BinanceApiError } from './errors.ts';
import type { SimSymbol } from './symbols.ts';

/** A counter handing out increasing ids (trade ids shared by the account's fills and the public tape). */
export class IdSequence {
  private nextId: number;

  constructor(first: number) {
    this.nextId = first;
  }

  /** Returns the next id. */
  next(): number {
    return this.nextId++;
  }
}

export interface EngineConfig {
  readonly symbols: readonly SimSymbol[];
  /** Fee rates as decimal strings, e.g. "0.0002". */
  readonly makerFeeRate: string;
  readonly takerFeeRate: string;
  readonly startingBalance: Money;
  readonly marginAsset: string;
  readonly defaultLeverage: number;
  /** Closed orders kept for queries before the oldest are forgotten. */
  readonly maxClosedOrders?: number;
  /** Positions the account holds at start (an inheritance from an earlier session), signed steps at an entry price in ticks. */
  readonly startingPositions?: ReadonlyArray<{ readonly symbol: string; readonly amountSteps: Steps; readonly entryTicks: Ticks }>;
  /** Where trade ids come from (shared with the public trade tape). Default: a sequence of its own. */
  readonly tradeIds?: IdSequence;
  /** When the account was opened: the time of the starting balance's TRANSFER income record. Default 0. */
  readonly openedAtMs?: number;
}

export interface NewOrderRequest {
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  /** Required for LIMIT; ignored for MARKET. */
  readonly timeInForce?: TimeInForce;
  readonly priceTicks?: Ticks;
  readonly qtySteps: Steps;
  readonly reduceOnly: boolean;
  readonly clientOrderId?: string;
}

/** PUT /fapi/v1/order: a resting LIMIT order gets a new price and quantity (both required, as Binance). */
export interface ModifyOrderRequest {
  readonly symbol: string;
  readonly ref: OrderRef;
  readonly side: Side;
  readonly priceTicks: Ticks;
  readonly qtySteps: Steps;
}

export interface SimOrder {
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  /** 0 for MARKET orders. */
  priceTicks: Ticks;
  qtySteps: Steps;
  readonly reduceOnly: boolean;
  readonly timeMs: number;
  executedSteps: Steps;
  cumQuote: Money;
  status: OrderStatus;
  updateTimeMs: number;
  /** How many times PUT /fapi/v1/order has amended it. */
  amendments: number;
}

export type OrderView = Readonly<SimOrder>;

export interface Fill {
  readonly tradeId: number;
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly priceTicks: Ticks;
  readonly qtySteps: Steps;
  readonly quote: Money;
  readonly commission: Money;
  readonly realizedPnl: Money;
  readonly maker: boolean;
  readonly timeMs: number;
}

export interface PositionView {
  readonly symbol: string;
  /** Signed amount in steps. */
  readonly amountSteps: Steps;
  /** Cost basis of the open amount (sum of entry notionals). */
  readonly cost: Money;
  /** Entry price as a decimal string (cost / amount), "0" when flat. */
  readonly entryPrice: string;
  readonly unrealizedPnl: Money;
  /** Mark price in half ticks (bid + ask of the synthetic book). */
  readonly markHalfTicks: number;
  readonly realizedPnl: Money;
  readonly updateTimeMs: number;
}

export interface FundingPayment {
  readonly symbol: string;
  readonly timeMs: number;
  /** Rate in units of 1e-8. */
  readonly rateUnits: number;
  readonly markHalfTicks: number;
  readonly amountSteps: Steps;
  readonly amount: Money;
}

/** The kinds of wallet flow GET /fapi/v1/income reports that this venue produces. */
export type IncomeType = 'TRANSFER' | 'REALIZED_PNL' | 'FUNDING_FEE' | 'COMMISSION';

/** One wallet flow: signed amount of the margin asset, with the trade that caused it (if any). */
export interface IncomeRecord {
  /** Unique per account (Binance promises uniqueness within an income type). */
  readonly tranId: number;
  /** "" for flows that concern no symbol (the starting transfer). */
  readonly symbol: string;
  readonly type: IncomeType;
  readonly amount: Money;
  readonly timeMs: number;
  readonly tradeId: number | null;
}

export type EngineEvent =
  | { readonly kind: 'order'; readonly order: OrderView; readonly execution: ExecutionType; readonly fill: Fill | null; readonly timeMs: number }
  | {
      readonly kind: 'account';
      readonly reason: 'ORDER' | 'FUNDING_FEE';
      /** Balance change other than PnL and commission (the funding fee on FUNDING_FEE). */
      readonly balanceChange: Money;
      readonly walletBalance: Money;
      readonly positions: readonly PositionView[];
      readonly timeMs: number;
    }
  /** A symbol's leverage was set (ACCOUNT_CONFIG_UPDATE). */
  | { readonly kind: 'config'; readonly symbol: string; readonly leverage: number; readonly timeMs: number };

/** The outcome of a command on one order: the order as it ends and what happened, or Binance's refusal. */
export type OrderResult =
  { readonly ok: true; readonly order: OrderView; readonly events: EngineEvent[] } | { readonly ok: false; readonly error: BinanceApiError };
/** A placement also tells the order as it was accepted, before matching (the newOrderRespType=ACK answer). */
export type PlaceResult =
  | { readonly ok: true; readonly accepted: OrderView; readonly order: OrderView; readonly events: EngineEvent[] }
  | { readonly ok: false; readonly error: BinanceApiError };
export type CancelResult = OrderResult;
export type ModifyResult = OrderResult;

/** How an order is named in a cancel or a query: by venue id or by client id. */
export type OrderRef = { readonly orderId: number } | { readonly clientOrderId: string };
