/**
 * The account's wallet flows as GET /fapi/v1/income reports them: the starting TRANSFER, then a
 * COMMISSION (and a REALIZED_PNL when not zero) per fill and a FUNDING_FEE per funding payment.
 * Their sum is the wallet balance at every moment.
 */
import type { Money } from '../core/money.ts';
import type { IncomeRecord, IncomeType } from './engine-types.ts';

export class IncomeLedger {
  private readonly records: IncomeRecord[] = [];
  private nextTranId = 9_000_000_001;

  /** Records one flow; a zero amount is not a flow and is skipped. */
  record(type: IncomeType, symbol: string, amount: Money, timeMs: number, tradeId: number | null): void {
    if (amount === 0n) return;
    this.records.push({ tranId: this.nextTranId++, symbol, type, amount, timeMs, tradeId });
  }

  /** Returns every flow, oldest first. */
  all(): readonly IncomeRecord[] {
    return this.records;
  }
}
