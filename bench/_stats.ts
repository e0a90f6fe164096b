/**
 * Summary statistics of the bench scripts' timings.
 *
 * @example
 * ```ts
 * import { quantile } from "./_stats.ts";
 * if (quantile([4, 1, 3, 2], 0.5) !== 2.5) throw new Error("the median of 1..4 is 2.5");
 * ```
 *
 * @module
 */

/**
 * The `q` quantile (0 to 1) of `values`, interpolated linearly between the two nearest ranks;
 * `NaN` for no values. `quantile(values, 0.5)` is the median.
 */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
