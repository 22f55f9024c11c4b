/**
 * Small statistics helpers for the benchmarks: medians, percentiles, and ratios of paired
 * rounds. Every comparison in the suite is a median of per-round ratios, each round measuring
 * both variants back to back, so slow drift of a noisy machine cancels out.
 */

/** Returns the q-quantile (0..1) of `values` by nearest rank on a sorted copy; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] as number;
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function p99(values: readonly number[]): number {
  return quantile(values, 0.99);
}

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length === 0 ? Number.NaN : sum / values.length;
}

/** Rounds to `digits` significant decimals for the JSON result. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Returns the median of the per-round ratios a[i]/b[i]. */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) ratios.push((a[i] as number) / (b[i] as number));
  return median(ratios);
}

/** Returns the median of the per-round differences a[i]-b[i]. */
export function pairedDelta(a: readonly number[], b: readonly number[]): number {
  const deltas: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) deltas.push((a[i] as number) - (b[i] as number));
  return median(deltas);
}

/** Returns process CPU (user + system) in microseconds. */
export function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Returns a monotonic reading in microseconds (float). */
export function nowMicros(): number {
  return performance.now() * 1000;
}

/** Returns a one-line summary of a distribution in the given unit. */
export function dist(values: readonly number[]): { p50: number; p99: number; n: number } {
  return { p50: round(median(values)), p99: round(p99(values)), n: values.length };
}
