/** GET /fapi/v1/income read as funding payments: the documented record shape, other types skipped, every field checked. */
import { describe, expect, it } from 'vitest';
import { WireFormatError } from '../../../src/exchange/errors.ts';
import { parseFundingPayments } from '../../../src/exchange/wire/income.ts';
import { fixture } from './fixtures.ts';

/** The documented example records (TRANSFER, COMMISSION), and the same COMMISSION record as a FUNDING_FEE. */
const documented = fixture('income-history') as Array<Record<string, unknown>>;
const asFunding = { ...documented[1], incomeType: 'FUNDING_FEE', income: '-0.01000000', tradeId: '' };

describe('parseFundingPayments', () => {
  it('reads FUNDING_FEE records and skips the other income types', () => {
    expect(parseFundingPayments(documented)).toEqual([]);
    expect(parseFundingPayments([...documented, asFunding])).toEqual([
      { symbol: 'BTCUSDT', incomeId: '9689322392', asset: 'USDT', amount: -1_000_000n, timeMs: 1570636800000 },
    ]);
  });

  it('refuses a record it cannot read, naming the field', () => {
    expect(() => parseFundingPayments([{ ...asFunding, income: 'lots' }])).toThrow(WireFormatError);
    expect(() => parseFundingPayments([{ ...asFunding, tranId: 'x' }])).toThrow(/\$\[0\]\.tranId/);
    expect(() => parseFundingPayments({})).toThrow(WireFormatError);
  });
});
