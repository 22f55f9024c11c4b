/**
 * Binance's kline intervals and the UTC slots they cut time into: fixed lengths from the epoch
 * for minutes, hours and days, weeks from Monday 00:00, months from the 1st.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 1970-01-05, the first Monday after the epoch. */
const FIRST_MONDAY = 4 * DAY;

/** Length of each fixed interval; 1M is calendar months. */
const FIXED: Readonly<Record<string, number>> = {
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '2h': 2 * HOUR,
  '4h': 4 * HOUR,
  '6h': 6 * HOUR,
  '8h': 8 * HOUR,
  '12h': 12 * HOUR,
  '1d': DAY,
  '3d': 3 * DAY,
  '1w': 7 * DAY,
};

/** Every interval Binance documents, shortest first. */
export const KLINE_INTERVALS: readonly string[] = [...Object.keys(FIXED), '1M'];

/** Returns true for an interval Binance documents (case-sensitive: "1m" is a minute, "1M" a month). */
export function isKlineInterval(text: string): boolean {
  return KLINE_INTERVALS.includes(text);
}

/** Returns the start of the slot of `interval` holding `timeMs`. */
export function slotStart(interval: string, timeMs: number): number {
  if (interval === '1M') {
    const d = new Date(timeMs);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  const length = fixedLength(interval);
  const origin = interval === '1w' ? FIRST_MONDAY : 0;
  return Math.floor((timeMs - origin) / length) * length + origin;
}

/** Returns the start of the slot `n` slots after (negative: before) the one starting at `start`. */
export function shiftSlot(interval: string, start: number, n: number): number {
  if (interval === '1M') {
    const d = new Date(start);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1);
  }
  return start + n * fixedLength(interval);
}

/** Returns the first slot start at or after `timeMs`. */
export function slotAtOrAfter(interval: string, timeMs: number): number {
  const start = slotStart(interval, timeMs);
  return start === timeMs ? start : shiftSlot(interval, start, 1);
}

function fixedLength(interval: string): number {
  const length = FIXED[interval];
  if (length === undefined) throw new RangeError(`unknown kline interval ${interval}`);
  return length;
}
