/**
 * One-way-mode position accounting of one contract: average-entry cost basis, realized PnL on
 * reduction, valuation at the mark (kept in half ticks so that a one-tick spread's mid is exact).
 */
import { divRound, formatScaled, parseScaled, pow10 } from '../core/decimal.ts';
import { absSteps, addSteps, minSteps, signedSteps, subSteps, type Steps, type Ticks } from '../core/instrument.ts';
import { MONEY_DECIMALS, type Money } from '../core/money.ts';
import { sideSign, type Side } from '../core/model.ts';
import type { PositionView } from './engine-types.ts';
import type { SimSymbol } from './symbols.ts';

export interface Position {
  amount: Steps;
  cost: Money;
  realized: Money;
  updateTimeMs: number;
}

/** Applies a fill to the position with average-entry accounting; returns the realized PnL. */
export function applyFillToPosition(sym: SimSymbol, p: Position, side: Side, priceTicks: Ticks, qty: Steps, nowMs: number): Money {
  const inst = sym.instrument;
  const sign = sideSign(side);
  p.updateTimeMs = nowMs;
  if (p.amount === 0 || Math.sign(p.amount) === sign) {
    p.amount = addSteps(p.amount, signedSteps(sign, qty));
    p.cost += inst.notional(priceTicks, qty);
    return 0n;
  }
  const closing = minSteps(qty, absSteps(p.amount));
  const removedCost = closing === Math.abs(p.amount) ? p.cost : divRound(p.cost * BigInt(closing), BigInt(Math.abs(p.amount)), 'half-up');
  const closingValue = inst.notional(priceTicks, closing);
  const realized = p.amount > 0 ? closingValue - removedCost : removedCost - closingValue;
  p.cost -= removedCost;
  p.amount = addSteps(p.amount, signedSteps(sign, closing));
  p.realized += realized;
  const opening = subSteps(qty, closing);
  if (opening > 0) {
    p.amount = addSteps(p.amount, signedSteps(sign, opening));
    p.cost = inst.notional(priceTicks, opening);
  }
  return realized;
}

/** Returns the notional of `steps` at a mark given in half ticks. */
export function markNotional(sym: SimSymbol, markHalfTicks: number, steps: Steps): Money {
  return divRound(sym.instrument.tickStepsToMoney(BigInt(markHalfTicks) * BigInt(steps)), 2n, 'half-up');
}

/** Returns a price computed as quote / quantity (average or entry price) as a decimal string. */
export function averagePrice(sym: SimSymbol, quote: Money, steps: Steps): string {
  if (steps === 0) return formatScaled(0n, sym.pricePrecision);
  const stepUnits = parseScaled(sym.spec.stepSize, sym.quantityPrecision);
  const value = divRound(quote * pow10(sym.quantityPrecision), BigInt(steps) * stepUnits, 'half-up');
  return trimTo(formatScaled(value, MONEY_DECIMALS), sym.pricePrecision);
}

/** Returns the position valued at the mark. */
export function positionView(sym: SimSymbol, p: Position, markHalfTicks: number): PositionView {
  const abs = absSteps(p.amount);
  const value = markNotional(sym, markHalfTicks, abs);
  const unrealizedPnl = p.amount > 0 ? value - p.cost : p.amount < 0 ? p.cost - value : 0n;
  return {
    symbol: sym.spec.symbol,
    amountSteps: p.amount,
    cost: p.cost,
    entryPrice: averagePrice(sym, p.cost, abs),
    unrealizedPnl,
    markHalfTicks,
    realizedPnl: p.realized,
    updateTimeMs: p.updateTimeMs,
  };
}

/** Returns a decimal string with trailing zeros dropped, keeping at least `minDecimals`. */
function trimTo(text: string, minDecimals: number): string {
  const dot = text.indexOf('.');
  if (dot < 0) return text;
  let end = text.length;
  while (end > dot + 1 + minDecimals && text[end - 1] === '0') end -= 1;
  return text.slice(0, end === dot + 1 ? dot : end);
}
