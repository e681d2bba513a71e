/** The figures of the table: one row per figure, one value per system. @module */

import type { RunOutcome } from "../harness/measure.ts";
import type { WorkloadName, WorkloadResults } from "../harness/protocol.ts";

/** One figure across systems. */
export interface Row {
  /** Stable id, such as "w1.p50". */
  readonly id: string;
  /** What it is, such as "W1 p50 round trip". */
  readonly label: string;
  readonly unit: string;
  readonly better: "lower" | "higher";
  /**
   * By system id; null when the system failed or has no such figure. A
   * system that does not run the row's workload has no entry, and no line.
   */
  readonly values: Readonly<Record<string, number | null>>;
  /** Said in place of a null value, by system id: "skipped: …". */
  readonly notes?: Readonly<Record<string, string>>;
  /**
   * The figure of each round, by system id, where every run succeeded: for
   * ratios of paired runs (report/paired.ts). Absent for figures that don't
   * come from rounds.
   */
  readonly rounds?: Readonly<Record<string, readonly number[]>>;
}

/** How a row's value comes out of one workload's successful runs. */
interface Figure<W extends WorkloadName> {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly better: "lower" | "higher";
  readonly workload: W;
  /** The figure of one run; undefined where the system has no such figure. */
  readonly pick: (
    result: WorkloadResults[W],
    run: RunOutcome & { ok: true },
  ) => number | undefined;
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
    id: "w1same.p50",
    label: "W1, client and server on one CPU, p50 round trip",
    unit: "µs",
    better: "lower",
    workload: "w1same",
    pick: (r) => r.p50Us,
  }),
  figure({
    id: "w1same.p99",
    label: "W1, client and server on one CPU, p99 round trip",
    unit: "µs",
    better: "lower",
    workload: "w1same",
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
  figure({
    id: "w6.rate",
    label: "W6 cross-instance fan-out (the systems on Redis: the subscribers split across 2 " +
      "instances on one Redis; the others: one process)",
    unit: "deliveries/s",
    better: "higher",
    workload: "w6",
    pick: (r) => r.deliveriesPerSec,
  }),
  figure({
    id: "w7.ms",
    label: "W7 resume storm, from the first reconnect until every client caught up",
    unit: "ms",
    better: "lower",
    workload: "w7",
    pick: (r) => r.ms,
  }),
  figure({
    id: "w7.reads",
    label: "W7 history reads per instance during the storm (Redis read-script runs)",
    unit: "reads",
    better: "lower",
    workload: "w7",
    pick: (_, run) => run.redis === undefined ? undefined : run.redis.reads / run.redis.instances,
  }),
  figure({
    id: "w7.commands",
    label: "W7 Redis commands during the storm (INFO commandstats, those run by scripts included)",
    unit: "commands",
    better: "lower",
    workload: "w7",
    pick: (_, run) => run.redis?.total,
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
 * any run of that workload failed (with a note if it was skipped). A system
 * that did not run the workload, or has no such figure, has no entry; a row
 * with no entries is left out.
 */
export function workloadRows(runs: RunsBySystem, systemIds: readonly string[]): Row[] {
  const rows: Row[] = [];
  for (const fig of FIGURES) {
    const values: Record<string, number | null> = {};
    const notes: Record<string, string> = {};
    const rounds: Record<string, number[]> = {};
    for (const id of systemIds) {
      const outcomes = runs[id]?.[fig.workload] ?? [];
      if (outcomes.length === 0) continue;
      const skipped = outcomes.find((o) => !o.ok && o.skipped !== undefined);
      if (skipped !== undefined && !skipped.ok) {
        values[id] = null;
        notes[id] = `skipped: ${skipped.skipped}`;
        continue;
      }
      const good = outcomes.filter((o): o is RunOutcome & { ok: true } => o.ok);
      if (good.length !== outcomes.length) {
        values[id] = null;
        continue;
      }
      const picked = good.map((run) => fig.pick(run.result, run));
      if (picked.every((value) => value === undefined)) continue;
      const figures = picked.map((value) => value ?? Number.NaN);
      rounds[id] = figures;
      values[id] = median(figures);
    }
    if (Object.keys(values).length === 0) continue;
    const { id, label, unit, better } = fig;
    rows.push({
      id,
      label,
      unit,
      better,
      values,
      ...(Object.keys(notes).length > 0 ? { notes } : {}),
      rounds,
    });
  }
  return rows;
}
