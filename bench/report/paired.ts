/**
 * Ratios of paired runs. The orchestrator runs every system once per round,
 * one after the other, so run i of a system and run i of its baseline saw
 * the same moment of a shared machine; their ratio is steadier than the
 * ratio of two medians. The median of those ratios is the figure, and their
 * range says how much to trust it.
 *
 * @module
 */

import { median } from "./rows.ts";

/** The median of the per-round ratios, their range, and how many rounds had both figures. */
export interface PairedRatio {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
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
): PairedRatio | null {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(runsA.length, runsB.length); i++) {
    const [a, b] = [runsA[i] ?? null, runsB[i] ?? null];
    if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) continue;
    ratios.push(a / b);
  }
  if (ratios.length === 0) return null;
  return {
    median: median(ratios),
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    n: ratios.length,
  };
}
