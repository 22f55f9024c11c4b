/** GET /fapi/v3/positionRisk -> PositionSnapshot (one-way mode: the BOTH side). */
import { ZERO_STEPS } from '../../core/instrument.ts';
import type { PositionSnapshot } from '../../core/model.ts';
import { toPositionSide } from './enums.ts';
import { asArray, asObject, decimal, int, money, steps, str } from './fields.ts';
import { requireInstrument, type InstrumentLookup } from './instruments.ts';

/**
 * Returns the one-way position of `symbol` from a positionRisk array. The venue lists only
 * symbols with a position or open orders, so an absent symbol is a flat position.
 */
export function parsePositionRisk(body: unknown, symbol: string, lookup: InstrumentLookup, nowMs: number): PositionSnapshot {
  const list = asArray(body, '$');
  const instrument = requireInstrument(lookup, symbol, 'symbol');
  for (let i = 0; i < list.length; i++) {
    const path = `$[${i}]`;
    const p = asObject(list[i], path);
    if (str(p, 'symbol', `${path}.symbol`) !== symbol) continue;
    if (toPositionSide(str(p, 'positionSide', `${path}.positionSide`), `${path}.positionSide`) !== 'BOTH') continue;
    return {
      symbol,
      amountSteps: steps(instrument, p, 'positionAmt', `${path}.positionAmt`),
      entryPrice: decimal(p, 'entryPrice', `${path}.entryPrice`),
      markPrice: decimal(p, 'markPrice', `${path}.markPrice`),
      unrealizedPnl: money(p, 'unRealizedProfit', `${path}.unRealizedProfit`),
      updateTimeMs: int(p, 'updateTime', `${path}.updateTime`),
    };
  }
  return { symbol, amountSteps: ZERO_STEPS, entryPrice: '0', markPrice: '0', unrealizedPnl: 0n, updateTimeMs: nowMs };
}
