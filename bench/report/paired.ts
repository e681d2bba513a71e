/**
 * Figures of paired runs. The orchestrator runs every system once per round,
 * one after the other (the order turned round in even rounds), so run i of
 * a system and run i of its baseline saw the same moment of a shared machine; their ratio (or difference) is
 * steadier than that of two medians. The median of the per-round ratios (or
 * differences) is the figure, and their range says how much to trust it.
 *
 * @module
 */

import { median } from "./rows.ts";

/** The median of the per-round figures, their range, and how many rounds had both figures. */
export interface Paired {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** `combine(a, b)` for every round where both have a finite figure and the result is finite. */
function paired(
  runsA: readonly (number | null)[],
  runsB: readonly (number | null)[],
  combine: (a: number, b: number) => number,
): Paired | null {
  const figures: number[] = [];
  for (let i = 0; i < Math.min(runsA.length, runsB.length); i++) {
    const [a, b] = [runsA[i] ?? null, runsB[i] ?? null];
    if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    const figure = combine(a, b);
    if (Number.isFinite(figure)) figures.push(figure);
  }
  if (figures.length === 0) return null;
  return {
    median: median(figures),
    min: Math.min(...figures),
    max: Math.max(...figures),
    n: figures.length,
  };
}

/**
 * Divides round i of `runsA` by round i of `runsB`, for every round where
 * both have a finite figure (and the baseline's is not 0).
 *
 * @param runsA A system's figure in each round.
 * @param runsB Its baseline's figure in the same rounds.
 * @returns The median ratio and its range, or null when no round has both.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pairedRatio } from "./paired.ts";
 *
 * assert.deepEqual(pairedRatio([90, 120, 80], [100, 100, 100]), {
 *   median: 0.9, min: 0.8, max: 1.2, n: 3,
 * });
 * assert.equal(pairedRatio([1], [null]), null);
 * ```
 */
export function pairedRatio(
  runsA: readonly (number | null)[],
  runsB: readonly (number | null)[],
): Paired | null {
  return paired(runsA, runsB, (a, b) => b === 0 ? Number.NaN : a / b);
}

/**
 * Subtracts round i of `runsB` from round i of `runsA`, for every round where
 * both have a finite figure: for a bound such as "at most the baseline plus
 * 4 KiB".
 *
 * @param runsA A system's figure in each round.
 * @param runsB Its baseline's figure in the same rounds.
 * @returns The median difference and its range, or null when no round has both.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pairedDifference } from "./paired.ts";
 *
 * assert.deepEqual(pairedDifference([9, 12, 8], [5, 6, 7]), {
 *   median: 4, min: 1, max: 6, n: 3,
 * });
 * ```
 */
export function pairedDifference(
  runsA: readonly (number | null)[],
  runsB: readonly (number | null)[],
): Paired | null {
  return paired(runsA, runsB, (a, b) => a - b);
}
