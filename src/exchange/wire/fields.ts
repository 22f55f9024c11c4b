/**
 * Typed field readers for untrusted JSON: every read checks the type and throws a
 * `WireFormatError` naming the field, so a bad frame is reported and skipped, never a crash.
 */
import { DecimalFormatError, parseScaled } from '../../core/decimal.ts';
import { OffGridError, type Instrument, type Steps, type Ticks } from '../../core/instrument.ts';
import { parseMoney, type Money } from '../../core/money.ts';
import { WireFormatError } from '../errors.ts';

export type JsonObject = Readonly<Record<string, unknown>>;

/** Returns `value` as an object, or throws naming `field`. */
export function asObject(value: unknown, field: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new WireFormatError(field, 'expected an object');
  return value as JsonObject;
}

/** Returns `value` as an array, or throws naming `field`. */
export function asArray(value: unknown, field: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new WireFormatError(field, 'expected an array');
  return value;
}

/** Returns the string field `key` of `obj`. */
export function str(obj: JsonObject, key: string, path = key): string {
  const value = obj[key];
  if (typeof value !== 'string') throw new WireFormatError(path, `expected a string, got ${describe(value)}`);
  return value;
}

/** Returns the boolean field `key` of `obj`. */
export function bool(obj: JsonObject, key: string, path = key): boolean {
  const value = obj[key];
  if (typeof value !== 'boolean') throw new WireFormatError(path, `expected a boolean, got ${describe(value)}`);
  return value;
}

/** Returns the integer field `key` (ids, epoch ms); a digit string is accepted too. */
export function int(obj: JsonObject, key: string, path = key): number {
  const value = obj[key];
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,16}$/.test(value)) return Number(value);
  throw new WireFormatError(path, `expected an integer, got ${describe(value)}`);
}

/** Returns an integer id (orderId) as a decimal string, exact even beyond 2^53. */
export function id(obj: JsonObject, key: string, path = key): string {
  const value = obj[key];
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return value;
  throw new WireFormatError(path, `expected an integer id, got ${describe(value)}`);
}

/** Returns the decimal-string field `key`, validated as a decimal number and returned unchanged. */
export function decimal(obj: JsonObject, key: string, path = key): string {
  const text = str(obj, key, path);
  try {
    parseScaled(text, 40, 'trunc');
  } catch (error) {
    throw new WireFormatError(path, `not a decimal: "${clip(text)}"`, error);
  }
  return text;
}

/** Returns the decimal-string field `key` as Money. */
export function money(obj: JsonObject, key: string, path = key): Money {
  return toMoney(str(obj, key, path), path);
}

/** Returns a decimal string as Money, or throws naming `path`. */
export function toMoney(text: string, path: string): Money {
  try {
    return parseMoney(text);
  } catch (error) {
    throw new WireFormatError(path, `not a decimal: "${clip(text)}"`, error);
  }
}

/** Returns a wire price string as ticks on `instrument`'s grid. */
export function toTicks(instrument: Instrument, text: string, path: string): Ticks {
  try {
    return instrument.priceToTicks(text);
  } catch (error) {
    throw gridError(error, path, text);
  }
}

/** Returns a wire quantity string as steps on `instrument`'s grid. */
export function toSteps(instrument: Instrument, text: string, path: string): Steps {
  try {
    return instrument.qtyToSteps(text);
  } catch (error) {
    throw gridError(error, path, text);
  }
}

/** Returns the price field `key` as ticks. */
export function ticks(instrument: Instrument, obj: JsonObject, key: string, path = key): Ticks {
  return toTicks(instrument, str(obj, key, path), path);
}

/** Returns the quantity field `key` as steps. */
export function steps(instrument: Instrument, obj: JsonObject, key: string, path = key): Steps {
  return toSteps(instrument, str(obj, key, path), path);
}

function gridError(error: unknown, path: string, text: string): unknown {
  if (error instanceof OffGridError || error instanceof DecimalFormatError) {
    return new WireFormatError(path, `"${clip(text)}" is not on the instrument grid`, error);
  }
  return error;
}

/** Returns `text` parsed as JSON, or throws a WireFormatError. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new WireFormatError('$', 'not valid JSON', error);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
