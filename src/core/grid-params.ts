/**
 * StrategyParams resolved onto an instrument's grid: quantities as steps, notionals as Money,
 * fee rates as basis points. Resolution throws on values no strategy can run with.
 */
import { parseScaled } from './decimal.ts';
import type { Instrument, Steps } from './instrument.ts';
import { parseMoney, type Money } from './money.ts';
import type { StrategyParams } from './params.ts';

export interface GridParams {
  readonly halfSpreadBps: number;
  readonly levels: number;
  readonly levelSpacingBps: number;
  readonly inventorySkewBps: number;
  readonly fundingSkewFactor: number;
  readonly requoteToleranceTicks: number;
  readonly orderQtySteps: Steps;
  readonly softPositionNotional: Money;
  readonly hardPositionNotional: Money;
  readonly maxWorstCaseNotional: Money;
  readonly softReduceSizeFactor: number;
  readonly reduceOnlyClipSteps: Steps;
  readonly minEdgeBps: number;
  readonly edgeWindowFills: number;
  readonly freezeCooldownMs: number;
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
  readonly staleBookMs: number;
  readonly grindEnabled: boolean;
  readonly grindClipSteps: Steps;
  readonly grindMinProfitBps: number;
}

/** Returns a decimal rate such as "0.0002" (or "-0.00005") in basis points, as a ratio. */
export function rateToBps(rate: string): number {
  return Number(parseScaled(rate, 12, 'half-up')) / 1e8;
}

function atLeastOneStep(instrument: Instrument, text: string, field: string): Steps {
  const steps = instrument.qtyToSteps(text, 'floor');
  if (steps < 1) throw new RangeError(`${field} "${text}" is below one lot step of ${instrument.symbol}`);
  return steps;
}

/** Returns the params on the instrument's grid; throws when they are unusable. */
export function resolveGridParams(instrument: Instrument, params: StrategyParams): GridParams {
  const softPositionNotional = parseMoney(params.softPositionNotional);
  const hardPositionNotional = parseMoney(params.hardPositionNotional);
  const maxWorstCaseNotional = parseMoney(params.maxWorstCaseNotional);
  if (!(params.halfSpreadBps > 0)) throw new RangeError('halfSpreadBps must be positive');
  if (!Number.isInteger(params.levels) || params.levels < 1) throw new RangeError('levels must be a positive integer');
  if (params.levelSpacingBps < 0) throw new RangeError('levelSpacingBps must not be negative');
  if (!Number.isInteger(params.requoteToleranceTicks) || params.requoteToleranceTicks < 0)
    throw new RangeError('requoteToleranceTicks must be a non-negative integer');
  if (softPositionNotional <= 0n || softPositionNotional > hardPositionNotional)
    throw new RangeError('softPositionNotional must be positive and not above hardPositionNotional');
  if (maxWorstCaseNotional <= 0n) throw new RangeError('maxWorstCaseNotional must be positive');
  if (!(params.softReduceSizeFactor > 0 && params.softReduceSizeFactor <= 1)) throw new RangeError('softReduceSizeFactor must be in (0, 1]');
  if (!Number.isInteger(params.edgeWindowFills) || params.edgeWindowFills < 1) throw new RangeError('edgeWindowFills must be a positive integer');
  return {
    halfSpreadBps: params.halfSpreadBps,
    levels: params.levels,
    levelSpacingBps: params.levelSpacingBps,
    inventorySkewBps: params.inventorySkewBps,
    fundingSkewFactor: params.fundingSkewFactor,
    requoteToleranceTicks: params.requoteToleranceTicks,
    orderQtySteps: atLeastOneStep(instrument, params.orderQty, 'orderQty'),
    softPositionNotional,
    hardPositionNotional,
    maxWorstCaseNotional,
    softReduceSizeFactor: params.softReduceSizeFactor,
    reduceOnlyClipSteps: atLeastOneStep(instrument, params.reduceOnlyClipQty, 'reduceOnlyClipQty'),
    minEdgeBps: params.minEdgeBps,
    edgeWindowFills: params.edgeWindowFills,
    freezeCooldownMs: params.freezeCooldownMs,
    makerFeeBps: rateToBps(params.makerFeeRate),
    takerFeeBps: rateToBps(params.takerFeeRate),
    staleBookMs: params.staleBookMs,
    grindEnabled: params.grindEnabled,
    grindClipSteps: atLeastOneStep(instrument, params.grindClipQty, 'grindClipQty'),
    grindMinProfitBps: params.grindMinProfitBps,
  };
}
