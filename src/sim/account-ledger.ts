/**
 * The account's money in its one margin asset: wallet balance, fees, realized PnL and funding
 * totals, every fill and funding payment, and the wallet flows GET /fapi/v1/income reports.
 */
import { divRound, parseScaled, pow10 } from '../core/decimal.ts';
import type { Steps, Ticks } from '../core/instrument.ts';
import type { Money } from '../core/money.ts';
import type { Fill, FundingPayment, IdSequence, IncomeRecord, SimOrder } from './engine-types.ts';
import { IncomeLedger } from './income-ledger.ts';

/** Fee and funding rates are kept in units of 1e-8 ("0.0002" -> 20000n). */
export const RATE_DECIMALS = 8;

export interface AccountLedgerOptions {
  readonly asset: string;
  readonly makerFeeRate: string;
  readonly takerFeeRate: string;
  readonly startingBalance: Money;
  /** Time of the starting balance's TRANSFER. */
  readonly openedAtMs: number;
  readonly tradeIds: IdSequence;
}

export class AccountLedger {
  readonly asset: string;
  private readonly makerRate: bigint;
  private readonly takerRate: bigint;
  private readonly rates: { readonly maker: string; readonly taker: string };
  private readonly startingBalance: Money;
  private wallet: Money;
  private feesPaid: Money = 0n;
  private realizedTotal: Money = 0n;
  private fundingTotal: Money = 0n;
  private readonly tradeIds: IdSequence;
  private readonly income = new IncomeLedger();
  private readonly fills: Fill[] = [];
  private readonly fundingPayments: FundingPayment[] = [];

  constructor(options: AccountLedgerOptions) {
    this.asset = options.asset;
    this.makerRate = parseScaled(options.makerFeeRate, RATE_DECIMALS, 'half-up');
    this.takerRate = parseScaled(options.takerFeeRate, RATE_DECIMALS, 'half-up');
    this.rates = { maker: options.makerFeeRate, taker: options.takerFeeRate };
    this.startingBalance = options.startingBalance;
    this.wallet = options.startingBalance;
    this.tradeIds = options.tradeIds;
    this.income.record('TRANSFER', '', options.startingBalance, options.openedAtMs, null);
  }

  /** Returns the wallet balance. */
  walletBalance(): Money {
    return this.wallet;
  }

  /** Returns the fee rates as configured (decimal strings). */
  feeRates(): { readonly maker: string; readonly taker: string } {
    return this.rates;
  }

  /** Returns totals since start: fees paid, realized PnL, funding received (negative when paid). */
  totals(): { readonly startingBalance: Money; readonly fees: Money; readonly realizedPnl: Money; readonly funding: Money } {
    return { startingBalance: this.startingBalance, fees: this.feesPaid, realizedPnl: this.realizedTotal, funding: this.fundingTotal };
  }

  /** Returns every fill since start, oldest first. */
  allFills(): readonly Fill[] {
    return this.fills;
  }

  /** Returns every funding payment since start, oldest first. */
  allFundingPayments(): readonly FundingPayment[] {
    return this.fundingPayments;
  }

  /** Returns every wallet flow since start, oldest first. */
  incomeRecords(): readonly IncomeRecord[] {
    return this.income.all();
  }

  /** Books a fill of `order`: commission on the quote, the realized PnL it caused; returns the fill with its new trade id. */
  bookFill(order: SimOrder, priceTicks: Ticks, qtySteps: Steps, quote: Money, realizedPnl: Money, maker: boolean, nowMs: number): Fill {
    const commission = divRound(quote * (maker ? this.makerRate : this.takerRate), pow10(RATE_DECIMALS), 'half-up');
    this.wallet += realizedPnl - commission;
    this.feesPaid += commission;
    this.realizedTotal += realizedPnl;
    const fill: Fill = {
      tradeId: this.tradeIds.next(),
      symbol: order.symbol,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      side: order.side,
      priceTicks,
      qtySteps,
      quote,
      commission,
      realizedPnl,
      maker,
      timeMs: nowMs,
    };
    this.fills.push(fill);
    this.income.record('REALIZED_PNL', order.symbol, realizedPnl, nowMs, fill.tradeId);
    this.income.record('COMMISSION', order.symbol, -commission, nowMs, fill.tradeId);
    return fill;
  }

  /**
   * Books funding on a position of `amountSteps` whose mark value is `notional`: the payer side
   * (longs when the rate is positive) pays |notional x rate|. Returns the signed fee.
   */
  bookFunding(symbol: string, rateUnits: number, markHalfTicks: number, amountSteps: Steps, notional: Money, nowMs: number): Money {
    const magnitude = divRound(notional * BigInt(Math.abs(rateUnits)), pow10(RATE_DECIMALS), 'half-up');
    const fee = amountSteps > 0 === rateUnits > 0 ? -magnitude : magnitude;
    this.wallet += fee;
    this.fundingTotal += fee;
    this.fundingPayments.push({ symbol, timeMs: nowMs, rateUnits, markHalfTicks, amountSteps, amount: fee });
    this.income.record('FUNDING_FEE', symbol, fee, nowMs, null);
    return fee;
  }
}
