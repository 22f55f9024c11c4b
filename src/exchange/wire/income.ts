/** GET /fapi/v1/income (Get Income History) -> FundingPayment, for incomeType FUNDING_FEE. */
import type { FundingPayment } from '../../core/model.ts';
import { asArray, asObject, id, int, money, str } from './fields.ts';

/**
 * Returns the FUNDING_FEE records of an income-history answer, in the order sent; records of
 * other types are skipped (the request asks for FUNDING_FEE only, but a shared parser must not
 * count a commission as funding). Every field read is checked.
 */
export function parseFundingPayments(body: unknown): FundingPayment[] {
  const list = asArray(body, '$');
  const out: FundingPayment[] = [];
  for (let i = 0; i < list.length; i++) {
    const path = `$[${i}]`;
    const r = asObject(list[i], path);
    if (str(r, 'incomeType', `${path}.incomeType`) !== 'FUNDING_FEE') continue;
    out.push({
      symbol: str(r, 'symbol', `${path}.symbol`),
      incomeId: id(r, 'tranId', `${path}.tranId`),
      asset: str(r, 'asset', `${path}.asset`),
      amount: money(r, 'income', `${path}.income`),
      timeMs: int(r, 'time', `${path}.time`),
    });
  }
  return out;
}
