/**
 * The targets the runtimes work (issue 9), the per-call cost work (issue 10)
 * and the scale-out work (issue 11) set, each checked against the figures of
 * the same run: a markdown table of what was measured, the target, and
 * whether it is met. A ratio (or a difference) to another system is the
 * median of paired runs (report/paired.ts) with their range, and is judged
 * only on {@linkcode MIN_PAIRED_RUNS} or more.
 *
 * @module
 */

import type { ModeConfig } from "../harness/config.ts";
import type { Row } from "./rows.ts";
import { RAW_ID } from "../systems/list.ts";
import { pairedDifference, pairedRatio } from "./paired.ts";
import type { Paired } from "./paired.ts";
import { formatTimes, formatValue } from "./table.ts";

/** Single runs on a shared machine swing by up to 40%: fewer paired runs than this judge nothing. */
const MIN_PAIRED_RUNS = 3;

/** The browser bundle of a wsrpc client typed from the contract alone, at most (issue 10). */
const BUNDLE_GZIP_MAX_BYTES = 12 * 1024;

/** One line of the targets table. */
interface Target {
  /** The issue that set it. */
  readonly issue?: number;
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

/**
 * `system` and `baseline` in a row, paired round by round (by `pair`: their
 * ratio unless said otherwise), or why they can't be.
 */
function pairedOf(
  rows: readonly Row[],
  rowId: string,
  system: string,
  baseline: string,
  pair: typeof pairedRatio = pairedRatio,
): Paired | string {
  for (const id of [system, baseline]) {
    const value = valueOf(rows, rowId, id);
    if (typeof value === "string") return id === system ? value : `${baseline}: ${value}`;
  }
  const rounds = rows.find((r) => r.id === rowId)?.rounds;
  return pair(rounds?.[system] ?? [], rounds?.[baseline] ?? []) ?? "no paired runs";
}

/** A bound on a paired figure. */
type Bound = { readonly atLeast: number } | { readonly atMost: number };

/** How a paired figure is written: one value, a range, and the bound. */
interface Format {
  readonly value: (x: number) => string;
  readonly range: (min: number, max: number) => string;
  readonly bound: (x: number) => string;
}

/** Ratios, as "0.93×" and "0.88–1.02×". */
const TIMES: Format = {
  value: formatTimes,
  range: (min, max) => `${formatTimes(min).slice(0, -1)}–${formatTimes(max)}`,
  bound: formatTimes,
};

/** Differences to raw in KiB per connection, as "+3.2 KiB/conn" and "+2.9 to +3.5 KiB/conn". */
const KIB_PER_CONN_OVER_RAW: Format = {
  value: (x) => `${signed(x)} KiB/conn`,
  range: (min, max) => `${signed(min)} to ${signed(max)} KiB/conn`,
  bound: (x) => `raw + ${x} KiB/conn`,
};

function signed(x: number): string {
  return `${x < 0 ? "−" : "+"}${formatValue(Math.abs(x))}`;
}

/** A paired figure against a bound, judged on {@linkcode MIN_PAIRED_RUNS} runs or more. */
function pairedTarget(
  what: string,
  paired: Paired | string,
  bound: Bound,
  format: Format,
): Target {
  const target = "atLeast" in bound
    ? `≥ ${format.bound(bound.atLeast)}`
    : `≤ ${format.bound(bound.atMost)}`;
  if (typeof paired === "string") return { what, measured: paired, target, met: "—", speed: true };
  const runs = `${paired.n} paired run${paired.n === 1 ? "" : "s"}`;
  const measured = paired.n === 1
    ? `${format.value(paired.median)} (${runs})`
    : `${format.value(paired.median)} (median of ${runs}, range ${
      format.range(paired.min, paired.max)
    })`;
  const inBound = "atLeast" in bound
    ? paired.median >= bound.atLeast
    : paired.median <= bound.atMost;
  const met = paired.n < MIN_PAIRED_RUNS ? `— (${runs}; ${MIN_PAIRED_RUNS} needed)` : inBound;
  return { what, measured, target, met, speed: true };
}

/** A paired ratio against a bound. */
function ratioTarget(what: string, ratio: Paired | string, bound: Bound): Target {
  return pairedTarget(what, ratio, bound, TIMES);
}

/** The targets of one issue. */
function ofIssue(issue: number, targets: readonly Target[]): Target[] {
  return targets.map((target) => ({ ...target, issue }));
}

/** The targets of the per-call cost work (issue 10), wsrpc (JSON) beside raw on Deno. */
function perCallTargets(rows: readonly Row[]): Target[] {
  const json = "wsrpc-json";
  const rich = "wsrpc-rich";
  const gzip = [json, rich].map((id) => valueOf(rows, "bundle.gzip", id))
    .find((value) => typeof value === "number") ?? valueOf(rows, "bundle.gzip", json);
  return [
    ratioTarget(
      "W1 on one CPU (client and server both on CPU 0), p50 round trip, wsrpc (JSON) ÷ raw",
      pairedOf(rows, "w1same.p50", json, RAW_ID),
      { atMost: 1.15 },
    ),
    ratioTarget(
      "W1 on one CPU (client and server both on CPU 0), p99 round trip, wsrpc (JSON) ÷ raw",
      pairedOf(rows, "w1same.p99", json, RAW_ID),
      { atMost: 1.25 },
    ),
    ratioTarget(
      "W2 pipelined calls, wsrpc (JSON) ÷ raw",
      pairedOf(rows, "w2.rate", json, RAW_ID),
      { atLeast: 0.9 },
    ),
    ratioTarget(
      "W4 fan-out through a topic (memory engine), wsrpc (JSON) ÷ raw",
      pairedOf(rows, "w4.rate", json, RAW_ID),
      { atLeast: 0.9 },
    ),
    pairedTarget(
      "W5 memory per idle connection, wsrpc (JSON) − raw",
      pairedOf(rows, "w5.kib", json, RAW_ID, pairedDifference),
      { atMost: 4 },
      KIB_PER_CONN_OVER_RAW,
    ),
    ratioTarget(
      "W2 pipelined calls, rich values ÷ plain JSON (wsrpc (rich) ÷ wsrpc (JSON))",
      pairedOf(rows, "w2.rate", rich, json),
      { atLeast: 0.75 },
    ),
    ratioTarget(
      "W3 one subscription streaming, rich values ÷ plain JSON (wsrpc (rich) ÷ wsrpc (JSON))",
      pairedOf(rows, "w3.rate", rich, json),
      { atLeast: 0.75 },
    ),
    {
      what: "Browser client bundle, type-only contract, minified + gzip",
      measured: typeof gzip === "string" ? gzip : `${formatValue(gzip)} bytes`,
      target: `≤ ${formatValue(BUNDLE_GZIP_MAX_BYTES)} bytes (12 KiB)`,
      met: typeof gzip === "string" ? "—" : gzip <= BUNDLE_GZIP_MAX_BYTES,
      speed: false,
    },
  ];
}

/** W2 of wsrpc ÷ the raw echo, on each runtime (issue 9). */
const W2_PER_RUNTIME = [
  { runtime: "Deno", wsrpc: "wsrpc-json", label: "wsrpc (JSON) ÷ raw", raw: RAW_ID },
  { runtime: "Node", wsrpc: "wsrpc-node", label: "wsrpc (Node) ÷ raw ws (Node)", raw: "ws-node" },
  { runtime: "Bun", wsrpc: "wsrpc-bun", label: "wsrpc (Bun) ÷ raw (Bun)", raw: "raw-bun" },
] as const;

function render(targets: readonly Target[], smoke: boolean): string {
  const out = [
    "| issue | target | measured in this run | target | met |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const t of targets) {
    const met = typeof t.met === "string"
      ? t.met
      : smoke && t.speed
      ? "— (smoke counts)"
      : t.met
      ? "yes"
      : "**no**";
    const issue = t.issue === undefined ? "" : `#${t.issue}`;
    out.push(`| ${issue} | ${t.what} | ${t.measured} | ${t.target} | ${met} |`);
  }
  return out.join("\n");
}

/** The targets table for the rows of a run. */
export function renderTargets(rows: readonly Row[], config: ModeConfig): string {
  const instances = config.params.w6.instances;
  const storm = valueOf(rows, "w7.ms", "wsrpc-redis");
  const reads = valueOf(rows, "w7.reads", "wsrpc-redis");
  const targets: Target[] = [
    ...ofIssue(9, [
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
    ]),
    ...ofIssue(10, perCallTargets(rows)),
    ...ofIssue(11, [
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
          `W7 wsrpc (Redis), ${
            config.params.w7.clients.toLocaleString("en-US")
          } clients resuming ` +
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
    ]),
  ];
  return render(targets, config.mode === "smoke");
}
