/**
 * Milliseconds rounded to a tenth, as latencies are shown in messages and evidence.
 *
 * @module
 */

/** `ms` rounded to one decimal. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
