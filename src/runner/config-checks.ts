/**
 * Start-up checks of the configuration against the venue's instruments, run once exchangeInfo
 * is loaded: a configuration that cannot trade sensibly on them is refused (a ConfigError, exit
 * 2) instead of churning rejected orders. Sizes must lie on the symbol's lot step (silently
 * rounding a size the user chose would trade something else than configured) and not exceed its
 * LOT_SIZE maxQty, and the quote ladder must stay inside its PERCENT_PRICE band (a symbol without
 * one is not checked against it).
 */
import { compareDecimal } from '../core/decimal.ts';
import type { Instrument, PercentPriceBand } from '../core/instrument.ts';
import type { StrategyParams } from '../core/params.ts';
import { ConfigError, type ConfigIssue } from '../config/errors.ts';
import { fieldByKey, fieldLabel, type FieldKey } from '../config/fields.ts';
import { ladderReachBps } from '../config/schema.ts';

/**
 * The share of the PERCENT_PRICE band the ladder may use: Binance measures the band from the
 * mark price, and mid (which the ladder is priced from) can differ from it.
 */
export const PERCENT_PRICE_USABLE_SHARE = 0.9;

function label(key: FieldKey): string {
  const field = fieldByKey(key);
  return field === undefined ? key : fieldLabel(field);
}

function configuredQuantities(params: StrategyParams): Array<[FieldKey, string]> {
  return [
    ['orderQty', params.orderQty],
    ['reduceOnlyClipQty', params.reduceOnlyClipQty],
    ...(params.grindEnabled ? [['grindClipQty', params.grindClipQty] as [FieldKey, string]] : []),
  ];
}

/** Returns true when decimal string `a` is greater than `b`, exactly (however large, whatever the grid). */
function greater(a: string, b: string): boolean {
  return compareDecimal(a, b) > 0;
}

/**
 * Returns one issue per configured quantity that is not a whole number of the symbol's lot steps,
 * or below one step. A quantity above maxQty is left to maxQtyIssues (one issue per field).
 */
export function lotStepIssues(instrument: Instrument, params: StrategyParams): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const maxQty = instrument.spec.maxQty;
  for (const [key, value] of configuredQuantities(params)) {
    if (greater(maxQty, '0') && greater(value, maxQty)) continue;
    let steps: number;
    try {
      steps = instrument.qtyToSteps(value, 'exact');
    } catch {
      issues.push({ field: label(key), message: `"${value}" is not on ${instrument.symbol}'s lot step ${instrument.spec.stepSize}` });
      continue;
    }
    if (steps < 1) issues.push({ field: label(key), message: `"${value}" is below one lot step of ${instrument.symbol} (${instrument.spec.stepSize})` });
  }
  return issues;
}

/** Returns one issue per configured quantity above the symbol's LOT_SIZE maxQty (Binance refuses such an order). */
export function maxQtyIssues(instrument: Instrument, params: StrategyParams): ConfigIssue[] {
  const maxQty = instrument.spec.maxQty;
  if (!greater(maxQty, '0')) return [];
  return configuredQuantities(params)
    .filter(([, value]) => greater(value, maxQty))
    .map(([key, value]) => ({
      field: label(key),
      message: `"${value}" is above ${instrument.symbol}'s maximum quantity ${instrument.spec.maxQty} (LOT_SIZE maxQty): every such order would be rejected`,
    }));
}

function bps(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Returns how far below and above the mark price the band reaches, bps. */
function bandBps(band: PercentPriceBand): { below: number; above: number } {
  return { below: bps((1 - Number(band.multiplierDown)) * 10_000), above: bps((Number(band.multiplierUp) - 1) * 10_000) };
}

/** Returns an issue when the outermost quote level would price outside the symbol's PERCENT_PRICE band. */
export function percentPriceIssues(instrument: Instrument, params: StrategyParams): ConfigIssue[] {
  const band = instrument.spec.percentPrice;
  if (band === undefined) return [];
  const { below, above } = bandBps(band);
  const usable = bps(Math.min(below, above) * PERCENT_PRICE_USABLE_SHARE);
  const reach = ladderReachBps(params);
  if (reach <= usable) return [];
  return [
    {
      field: label('halfSpreadBps'),
      message:
        `puts the outermost quote ${reach} bps from mid (MM_HALF_SPREAD_BPS + (MM_LEVELS - 1) x MM_LEVEL_SPACING_BPS), but ${instrument.symbol}'s ` +
        `PERCENT_PRICE filter accepts limit prices only from ${band.multiplierDown} to ${band.multiplierUp} times the mark price ` +
        `(${below} bps below, ${above} bps above); keep the ladder within ${usable} bps (${PERCENT_PRICE_USABLE_SHARE * 100}% of the band, as mid may differ from the mark price)`,
    },
  ];
}

/** Returns every problem of the configuration on these instruments (off the lot step, above maxQty, ladder outside PERCENT_PRICE). */
export function instrumentConfigIssues(instruments: readonly Instrument[], params: StrategyParams): ConfigIssue[] {
  return instruments.flatMap((instrument) => [
    ...lotStepIssues(instrument, params),
    ...maxQtyIssues(instrument, params),
    ...percentPriceIssues(instrument, params),
  ]);
}

/** Throws one ConfigError naming every problem of the configuration on these instruments; returns when there is none. */
export function checkConfigAgainstInstruments(instruments: readonly Instrument[], params: StrategyParams): void {
  const issues = instrumentConfigIssues(instruments, params);
  if (issues.length > 0) throw new ConfigError(issues);
}
