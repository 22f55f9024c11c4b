/**
 * Prices and quantities on the wire: parsed from request strings into ticks/steps with the
 * error Binance gives for each way a value can be wrong, and formatted at the contract's
 * precision ("0.10" tick -> two decimals, as Binance writes BTCUSDT prices).
 */
import { DecimalFormatError, decimalsOf, formatScaled, parseScaled, pow10 } from '../core/decimal.ts';
import { asSteps, asTicks, type Steps, type Ticks } from '../core/instrument.ts';
import { BinanceApiError, apiErrors } from './errors.ts';
import type { SimSymbol } from './symbols.ts';

const DECIMAL_TEXT = /^\d+(?:\.\d*)?$/;

function gridUnits(size: string, precision: number): bigint {
  return parseScaled(size, precision);
}

/** Returns ticks as a wire price string at the contract's price precision. */
export function formatPrice(sym: SimSymbol, ticks: Ticks): string {
  return formatScaled(BigInt(ticks) * gridUnits(sym.spec.tickSize, sym.pricePrecision), sym.pricePrecision);
}

/** Returns a price given in half ticks with 8 decimals (mark and index prices). */
export function formatHalfTicks(sym: SimSymbol, halfTicks: number): string {
  const tickUnits = parseScaled(sym.spec.tickSize, sym.pricePrecision);
  return formatScaled((BigInt(halfTicks) * tickUnits * pow10(8 - sym.pricePrecision)) / 2n, 8);
}

/** Returns steps as a wire quantity string at the contract's quantity precision. */
export function formatQty(sym: SimSymbol, steps: Steps): string {
  return formatScaled(BigInt(steps) * gridUnits(sym.spec.stepSize, sym.quantityPrecision), sym.quantityPrecision);
}

function scaledOrThrow(text: string, precision: number, param: string): bigint {
  if (!DECIMAL_TEXT.test(text)) throw apiErrors.illegalValue(param);
  if (decimalsOf(text) > precision && /[1-9]/.test(text.split('.')[1]?.slice(precision) ?? '')) throw apiErrors.precision();
  try {
    return parseScaled(text, precision, 'trunc');
  } catch (error) {
    if (error instanceof DecimalFormatError) throw apiErrors.illegalValue(param);
    throw error;
  }
}

/** Returns a LIMIT price in ticks, or throws the BinanceApiError Binance would answer. */
export function parsePrice(sym: SimSymbol, text: string): Ticks {
  const scaled = scaledOrThrow(text, sym.pricePrecision, 'price');
  const tick = gridUnits(sym.spec.tickSize, sym.pricePrecision);
  if (scaled <= 0n) throw apiErrors.priceTooLow();
  if (scaled % tick !== 0n) throw apiErrors.priceTick();
  const ticks = asTicks(Number(scaled / tick));
  if (ticks < sym.instrument.minPriceTicks) throw apiErrors.priceTooLow();
  if (sym.instrument.maxPriceTicks > 0 && ticks > sym.instrument.maxPriceTicks) throw apiErrors.priceTooHigh();
  return ticks;
}

/** Returns an order quantity in steps, or throws the BinanceApiError Binance would answer. */
export function parseQty(sym: SimSymbol, text: string): Steps {
  const scaled = scaledOrThrow(text, sym.quantityPrecision, 'quantity');
  const step = gridUnits(sym.spec.stepSize, sym.quantityPrecision);
  if (scaled <= 0n) throw apiErrors.qtyNotPositive();
  if (scaled % step !== 0n) throw apiErrors.precision();
  const steps = asSteps(Number(scaled / step));
  if (steps < sym.instrument.minQtySteps) throw new BinanceApiError(-4004, 'Quantity less than min quantity.');
  if (steps > sym.instrument.maxQtySteps) throw apiErrors.qtyTooLarge();
  return steps;
}
