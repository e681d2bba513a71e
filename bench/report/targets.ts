/**
 * The targets the scale-out work (issue 11) and the runtimes work (issue 9)
 * set, each checked against the figures of the same run: a markdown table of
 * what was measured, the target, and whether it is met. A ratio is the
 * median of paired runs (report/paired.ts) with their range, and is judged
 * only on {@linkcode MIN_PAIRED_RUNS} or more.
 *
 * @module
 */

import type { ModeConfig } from "../harness/config.ts";
import type { Row } from "./rows.ts";
import { RAW_ID } from "../systems/list.ts";
import { pairedRatio } from "./paired.ts";
import type { PairedRatio } from "./paired.ts";
import { formatTimes, formatValue } from "./table.ts";

/** Single runs on a shared machine swing by up to 40%: fewer paired runs than this judge nothing. */
const MIN_PAIRED_RUNS = 3;

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

/** The paired ratio of `system` ÷ `baseline` in a row, or why there is none. */
function pairedOf(
  rows: readonly Row[],
  rowId: string,
  system: string,
  baseline: string,
): PairedRatio | string {
  for (const id of [system, baseline]) {
    const value = valueOf(rows, rowId, id);
    if (typeof value === "string") return id === system ? value : `${baseline}: ${value}`;
  }
  const rounds = rows.find((r) => r.id === rowId)?.rounds;
  return pairedRatio(rounds?.[system] ?? [], rounds?.[baseline] ?? []) ?? "no paired runs";
}

/** A bound on a ratio. */
type Bound = { readonly atLeast: number } | { readonly atMost: number };

/** A paired ratio against a bound, judged on {@linkcode MIN_PAIRED_RUNS} runs or more. */
function ratioTarget(what: string, ratio: PairedRatio | string, bound: Bound): Target {
  const target = "atLeast" in bound
    ? `≥ ${bound.atLeast.toFixed(2)}×`
    : `≤ ${bound.atMost.toFixed(2)}×`;
  if (typeof ratio === "string") return { what, measured: ratio, target, met: "—", speed: true };
  const runs = `${ratio.n} paired run${ratio.n === 1 ? "" : "s"}`;
  const range = `${formatTimes(ratio.min).slice(0, -1)}–${formatTimes(ratio.max)}`;
  const measured = ratio.n === 1
    ? `${formatTimes(ratio.median)} (${runs})`
    : `${formatTimes(ratio.median)} (median of ${runs}, range ${range})`;
  const inBound = "atLeast" in bound ? ratio.median >= bound.atLeast : ratio.median <= bound.atMost;
  const met = ratio.n < MIN_PAIRED_RUNS ? `— (${runs}; ${MIN_PAIRED_RUNS} needed)` : inBound;
  return { what, measured, target, met, speed: true };
}

/** W2 of wsrpc ÷ the raw echo, on each runtime (issue 9). */
const W2_PER_RUNTIME = [
  { runtime: "Deno", wsrpc: "wsrpc-json", label: "wsrpc (JSON) ÷ raw", raw: RAW_ID },
  { runtime: "Node", wsrpc: "wsrpc-node", label: "wsrpc (Node) ÷ raw ws (Node)", raw: "ws-node" },
  { runtime: "Bun", wsrpc: "wsrpc-bun", label: "wsrpc (Bun) ÷ raw (Bun)", raw: "raw-bun" },
] as const;

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
export function renderTargets(rows: readonly Row[], config: ModeConfig): string {
  const instances = config.params.w6.instances;
  const storm = valueOf(rows, "w7.ms", "wsrpc-redis");
  const reads = valueOf(rows, "w7.reads", "wsrpc-redis");
  const targets: Target[] = [
    ...W2_PER_RUNTIME.map((w2) =>
      ratioTarget(
        `W2 pipelined calls on ${w2.runtime}, ${w2.label}`,
        pairedOf(rows, "w2.rate", w2.wsrpc, w2.raw),
        { atLeast: 0.85 },
      )
    ),
    ratioTarget(
      "W5 memory per idle connection on Node, wsrpc (Node) ÷ rpc-websockets (Node)",
      pairedOf(rows, "w5.kib", "wsrpc-node", "rpc-websockets"),
      { atMost: 1.3 },
    ),
    ratioTarget(
      "W4 fan-out through a topic (memory engine), wsrpc (JSON) ÷ raw",
      pairedOf(rows, "w4.rate", "wsrpc-json", RAW_ID),
      { atLeast: 0.8 },
    ),
    ratioTarget(
      "W6 wsrpc (Redis), 2 instances on one Redis ÷ wsrpc (JSON), one instance on the memory " +
        "engine",
      pairedOf(rows, "w6.rate", "wsrpc-redis", "wsrpc-json"),
      { atLeast: 0.5 },
    ),
    ratioTarget(
      `W6 wsrpc (Redis) ÷ socket.io + Redis adapter, both on ${instances} instances on one ` +
        "Redis (wsrpc on Deno, socket.io on Node)",
      pairedOf(rows, "w6.rate", "wsrpc-redis", "socketio-redis"),
      { atLeast: 1 },
    ),
    ratioTarget(
      `W6 wsrpc (Redis, Node) ÷ socket.io + Redis adapter, both on ${instances} instances on ` +
        "one Redis, both servers on Node",
      pairedOf(rows, "w6.rate", "wsrpc-redis-node", "socketio-redis"),
      { atLeast: 1 },
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
