/**
 * Exact decimal-string <-> scaled-integer conversion. Money and sizes never pass through
 * floating point: a wire string such as "65000.10" becomes the bigint 6500010n at scale 2.
 */

export class DecimalFormatError extends Error {
  readonly code = 'MM_ERR_DECIMAL_FORMAT';
  readonly input: string;
  constructor(input: string, reason: string) {
    super(`invalid decimal "${input}": ${reason}`);
    this.input = input;
  }
}

const DECIMAL_RE = /^([+-])?(\d+)(?:\.(\d*))?$/;
const POW10: bigint[] = Array.from({ length: 40 }, (_, i) => 10n ** BigInt(i));

/** Returns 10^n as a bigint. */
export function pow10(n: number): bigint {
  return POW10[n] ?? 10n ** BigInt(n);
}

/** Returns the number of decimals written in a decimal string ("0.0100" -> 4). */
export function decimalsOf(text: string): number {
  const m = DECIMAL_RE.exec(text);
  if (!m) throw new DecimalFormatError(text, 'not a decimal number');
  return m[3]?.length ?? 0;
}

/** Returns the number of significant decimals ("0.0100" -> 2, "10" -> 0). */
export function significantDecimalsOf(text: string): number {
  const m = DECIMAL_RE.exec(text);
  if (!m) throw new DecimalFormatError(text, 'not a decimal number');
  return (m[3] ?? '').replace(/0+$/, '').length;
}

export type Rounding = 'exact' | 'floor' | 'ceil' | 'half-up' | 'trunc';

/**
 * Returns `text` as an integer count of 10^-scale units. With `rounding: 'exact'` (the
 * default) a value with non-zero digits beyond `scale` is an error, never silently rounded.
 */
export function parseScaled(text: string, scale: number, rounding: Rounding = 'exact'): bigint {
  const m = DECIMAL_RE.exec(text.trim());
  if (!m) throw new DecimalFormatError(text, 'not a decimal number');
  const negative = m[1] === '-';
  const intPart = m[2] ?? '0';
  const frac = m[3] ?? '';
  const kept = frac.slice(0, scale).padEnd(scale, '0');
  const dropped = frac.slice(scale);
  let value = BigInt(intPart + kept);
  if (/[1-9]/.test(dropped)) {
    switch (rounding) {
      case 'exact':
        throw new DecimalFormatError(text, `more than ${scale} decimals`);
      case 'trunc':
        break;
      case 'floor':
        if (negative) value += 1n;
        break;
      case 'ceil':
        if (!negative) value += 1n;
        break;
      case 'half-up':
        if ((dropped[0] ?? '0') >= '5') value += 1n;
        break;
    }
  }
  return negative ? -value : value;
}

/** Returns the decimal string of `value` x 10^-scale, always with exactly `scale` decimals. */
export function formatScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** Returns a / b rounded as asked (b > 0). */
export function divRound(a: bigint, b: bigint, rounding: Exclude<Rounding, 'exact'>): bigint {
  if (b <= 0n) throw new RangeError('divisor must be positive');
  const q = a / b;
  const r = a % b;
  if (r === 0n) return q;
  switch (rounding) {
    case 'trunc':
      return q;
    case 'floor':
      return a < 0n ? q - 1n : q;
    case 'ceil':
      return a > 0n ? q + 1n : q;
    case 'half-up': {
      const twice = (r < 0n ? -r : r) * 2n;
      if (twice >= b) return a < 0n ? q - 1n : q + 1n;
      return q;
    }
  }
}

/** Returns `value` (at scale `from`) re-expressed at scale `to`, rounding when precision is lost. */
export function rescale(value: bigint, from: number, to: number, rounding: Exclude<Rounding, 'exact'> = 'half-up'): bigint {
  if (to >= from) return value * pow10(to - from);
  return divRound(value, pow10(from - to), rounding);
}

/** Compares two non-negative or negative decimal strings exactly: -1, 0 or 1. */
export function compareDecimal(a: string, b: string): number {
  const scale = Math.max(decimalsOf(a), decimalsOf(b));
  const diff = parseScaled(a, scale) - parseScaled(b, scale);
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
}
