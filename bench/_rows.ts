/** The figures of the table: one row per figure, one value per system. @module */

import type { RunOutcome } from "./_measure.ts";
import type { WorkloadName, WorkloadResults } from "./_protocol.ts";

/** One figure across systems. */
export interface Row {
  /** Stable id, such as "w1.p50". */
  readonly id: string;
  /** What it is, such as "W1 p50 round trip". */
  readonly label: string;
  readonly unit: string;
  readonly better: "lower" | "higher";
  /** By system id; null when the system failed or has no such figure. */
  readonly values: Readonly<Record<string, number | null>>;
}

/** How a row's value comes out of one workload's successful runs. */
interface Figure<W extends WorkloadName> {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly better: "lower" | "higher";
  readonly workload: W;
  readonly pick: (result: WorkloadResults[W], run: RunOutcome & { ok: true }) => number;
}

function figure<W extends WorkloadName>(spec: Figure<W>): Figure<WorkloadName> {
  return spec as unknown as Figure<WorkloadName>;
}

/** The figures the workloads give, in table order. */
export const FIGURES: readonly Figure<WorkloadName>[] = [
  figure({
    id: "w1.p50",
    label: "W1 sequential calls, p50 round trip",
    unit: "µs",
    better: "lower",
    workload: "w1",
    pick: (r) => r.p50Us,
  }),
  figure({
    id: "w1.p99",
    label: "W1 sequential calls, p99 round trip",
    unit: "µs",
    better: "lower",
    workload: "w1",
    pick: (r) => r.p99Us,
  }),
  figure({
    id: "w2.rate",
    label: "W2 pipelined calls, 100 in flight",
    unit: "calls/s",
    better: "higher",
    workload: "w2",
    pick: (r) => r.callsPerSec,
  }),
  figure({
    id: "w3.rate",
    label: "W3 one subscription streaming",
    unit: "events/s",
    better: "higher",
    workload: "w3",
    pick: (r) => r.eventsPerSec,
  }),
  figure({
    id: "w4.rate",
    label: "W4 fan-out to subscribed connections",
    unit: "deliveries/s",
    better: "higher",
    workload: "w4",
    pick: (r) => r.deliveriesPerSec,
  }),
  figure({
    id: "w5.kib",
    label: "W5 server RSS per idle connection",
    unit: "KiB/conn",
    better: "lower",
    workload: "w5",
    pick: (_, run) => run.memory?.kibPerConn ?? Number.NaN,
  }),
];

/** The median of some numbers (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? sorted[mid] ?? Number.NaN
    : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

/** The runs of each system and workload. */
export type RunsBySystem = Readonly<Record<string, Partial<Record<WorkloadName, RunOutcome[]>>>>;

/**
 * The workload rows: each figure's median over a system's runs, or null if
 * any run of that workload failed or the workload did not run.
 */
export function workloadRows(runs: RunsBySystem, systemIds: readonly string[]): Row[] {
  return FIGURES.map((fig) => {
    const values: Record<string, number | null> = {};
    for (const id of systemIds) {
      const outcomes = runs[id]?.[fig.workload] ?? [];
      const good = outcomes.filter((o): o is RunOutcome & { ok: true } => o.ok);
      values[id] = outcomes.length === 0 || good.length !== outcomes.length
        ? null
        : median(good.map((run) => fig.pick(run.result, run)));
    }
    return { id: fig.id, label: fig.label, unit: fig.unit, better: fig.better, values };
  });
}
