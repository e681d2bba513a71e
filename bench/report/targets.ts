/**
 * The targets the scale-out work set (issue 11), each checked against the
 * figures of the same run: a markdown table of what was measured, the
 * target, and whether it is met. W6 beside socket.io with its Redis adapter
 * is the median of the per-round ratios of the two systems, with its range.
 *
 * @module
 */

import type { ModeConfig } from "../harness/config.ts";
import type { Row, RunsBySystem } from "./rows.ts";
import { FIGURES } from "./rows.ts";
import { medianOfRoundRatios } from "./paired_ratio.ts";
import { RAW_ID } from "../systems/list.ts";
import { formatRatio, formatValue } from "./table.ts";

/** One line of the targets table. */
interface Target {
  readonly what: string;
  readonly measured: string;
  readonly target: string;
  /** true or false when judged; a reason when it can't be. */
  readonly met: boolean | string;
  /** Whether it is about speed, which the smoke mode's tiny counts can't tell. */
  readonly speed: boolean;
}

/** A row's value for a system, or why there is none. */
function valueOf(rows: readonly Row[], rowId: string, system: string): number | string {
  const row = rows.find((r) => r.id === rowId);
  if (row === undefined || !(system in row.values)) return "not run";
  const value = row.values[system] ?? null;
  if (value === null || !Number.isFinite(value)) return row.notes?.[system] ?? "failed";
  return value;
}

/** `a ÷ b` against a floor. */
function ratioTarget(
  what: string,
  a: number | string,
  b: number | string,
  floor: number,
): Target {
  const target = `≥ ${floor.toFixed(2)}×`;
  if (typeof a === "string" || typeof b === "string") {
    return { what, measured: typeof a === "string" ? a : String(b), target, met: "—", speed: true };
  }
  return { what, measured: formatRatio(a, b), target, met: a / b >= floor, speed: true };
}

/** A system's figure in each round, or why there is none (as its row says). */
function roundsOf(
  rows: readonly Row[],
  runs: RunsBySystem,
  rowId: string,
  system: string,
): number[] | string {
  const value = valueOf(rows, rowId, system);
  const figure = FIGURES.find((f) => f.id === rowId);
  if (typeof value === "string" || figure === undefined) return String(value);
  return (runs[system]?.[figure.workload] ?? []).map((run) =>
    run.ok ? figure.pick(run.result, run) ?? Number.NaN : Number.NaN
  );
}

/** Two systems' figure compared round by round, against a floor. */
interface RoundPair {
  readonly rows: readonly Row[];
  readonly runs: RunsBySystem;
  readonly rowId: string;
  readonly numerator: string;
  readonly denominator: string;
  readonly floor: number;
}

/**
 * numerator ÷ denominator round by round against a floor: the median of the
 * per-round ratios, with their range and the two systems' medians beside it.
 */
function pairedRatioTarget(what: string, pair: RoundPair): Target {
  const { rows, runs, rowId, numerator, denominator, floor } = pair;
  const target = `≥ ${floor.toFixed(2)}× (median of per-round ratios)`;
  const a = roundsOf(rows, runs, rowId, numerator);
  const b = roundsOf(rows, runs, rowId, denominator);
  if (typeof a === "string" || typeof b === "string") {
    return { what, measured: typeof a === "string" ? a : String(b), target, met: "—", speed: true };
  }
  const ratio = medianOfRoundRatios(a, b);
  if (ratio === null) return { what, measured: "—", target, met: "—", speed: true };
  const medians = [numerator, denominator].map((id) =>
    formatValue(Number(valueOf(rows, rowId, id)))
  );
  return {
    what,
    measured: `${formatRatio(ratio.median, 1)} (range ${formatRatio(ratio.min, 1)}–` +
      `${formatRatio(ratio.max, 1)} over ${ratio.rounds} round(s); medians ${
        medians.join(" and ")
      })`,
    target,
    met: ratio.median >= floor,
    speed: true,
  };
}

function render(targets: readonly Target[], smoke: boolean): string {
  const out = ["| target | measured in this run | target | met |", "| --- | --- | --- | --- |"];
  for (const t of targets) {
    const met = typeof t.met === "string"
      ? t.met
      : smoke && t.speed
      ? "— (smoke counts)"
      : t.met
      ? "yes"
      : "**no**";
    out.push(`| ${t.what} | ${t.measured} | ${t.target} | ${met} |`);
  }
  return out.join("\n");
}

/** The targets table for the rows of a run. */
export function renderTargets(
  rows: readonly Row[],
  config: ModeConfig,
  runs: RunsBySystem,
): string {
  const redisW6 = valueOf(rows, "w6.rate", "wsrpc-redis");
  const storm = valueOf(rows, "w7.ms", "wsrpc-redis");
  const reads = valueOf(rows, "w7.reads", "wsrpc-redis");
  const targets: Target[] = [
    ratioTarget(
      "W4 fan-out through a topic (memory engine), wsrpc (JSON) ÷ raw",
      valueOf(rows, "w4.rate", "wsrpc-json"),
      valueOf(rows, "w4.rate", RAW_ID),
      0.8,
    ),
    ratioTarget(
      "W6 wsrpc (Redis), 2 instances on one Redis ÷ wsrpc (JSON), one instance on the memory " +
        "engine",
      redisW6,
      valueOf(rows, "w6.rate", "wsrpc-json"),
      0.5,
    ),
    pairedRatioTarget(
      `W6 wsrpc (Redis) ÷ socket.io + Redis adapter, both on ${config.params.w6.instances} ` +
        "instances on one Redis, round by round",
      {
        rows,
        runs,
        rowId: "w6.rate",
        numerator: "wsrpc-redis",
        denominator: "socketio-redis",
        floor: 1,
      },
    ),
    {
      what:
        `W7 wsrpc (Redis), ${config.params.w7.clients.toLocaleString("en-US")} clients resuming ` +
        `${config.params.w7.behind} events behind on one instance, until all caught up`,
      measured: typeof storm === "string" ? storm : `${formatValue(storm)} ms`,
      target: "< 2,000 ms",
      met: typeof storm === "string" ? "—" : storm < 2_000,
      speed: true,
    },
    {
      what: "W7 wsrpc (Redis), history reads per instance during the storm",
      measured: typeof reads === "string" ? reads : formatValue(reads),
      target: "1",
      met: typeof reads === "string" ? "—" : reads === 1,
      speed: false,
    },
  ];
  return render(targets, config.mode === "smoke");
}
