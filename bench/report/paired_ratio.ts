/**
 * The ratio of two systems' figure taken round by round: the runs alternate
 * (in each round every system runs once), so round i of one system is paired
 * with round i of the other, which cancels most of what a shared machine's
 * load does to both; the median of those ratios, and their range.
 *
 * @module
 */

import { median } from "./rows.ts";

/** The median of the per-round ratios, and the smallest and largest of them. */
export interface PairedRatio {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** The rounds paired. */
  readonly rounds: number;
}

/**
 * `a[i] ÷ b[i]` for each round i, summed up; null when there is no round with
 * both figures. The two lists are by round, so they have the same length.
 *
 * @example
 * ```ts
 * const r = medianOfRoundRatios([200, 90, 300], [100, 100, 100]);
 * // r: { median: 2, min: 0.9, max: 3, rounds: 3 }
 * ```
 */
export function medianOfRoundRatios(
  a: readonly number[],
  b: readonly number[],
): PairedRatio | null {
  if (a.length !== b.length) {
    throw new RangeError(`rounds differ: ${a.length} against ${b.length}`);
  }
  const ratios = a.map((x, i) => x / b[i]!).filter(Number.isFinite);
  if (ratios.length === 0) return null;
  return {
    median: median(ratios),
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    rounds: ratios.length,
  };
}
