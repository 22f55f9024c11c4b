/**
 * Money (margin-asset amounts: PnL, fees, funding, balances) as bigint units of 1e-8, the
 * precision Binance reports balances, commissions and funding fees in.
 */
import { formatScaled, parseScaled, type Rounding } from './decimal.ts';

export const MONEY_DECIMALS = 8;

/** An amount of the margin asset in units of 1e-8. */
export type Money = bigint;

/** Returns a wire decimal string as Money; digits past 1e-8 are rounded half-up. */
export function parseMoney(text: string, rounding: Rounding = 'half-up'): Money {
  return parseScaled(text, MONEY_DECIMALS, rounding);
}

/** Returns Money as a decimal string with 8 decimals. */
export function formatMoney(value: Money): string {
  return formatScaled(value, MONEY_DECIMALS);
}
