/** The results of a run, as JSON and as markdown. @module */

import type { ModeConfig } from "../harness/config.ts";
import type { HostInfo } from "../harness/host.ts";
import type { W7Result } from "../harness/protocol.ts";
import type { Row, RunsBySystem } from "./rows.ts";
import type { Column, ReferenceColumn } from "./table.ts";
import { formatValue, renderTable } from "./table.ts";
import { renderTargets } from "./targets.ts";

/** A system as the report describes it. */
export interface SystemReport {
  readonly id: string;
  readonly label: string;
  /** "ran", or why it did not. */
  readonly status: "ran" | "not implemented" | "skipped";
  /** Why it was skipped. */
  readonly reason?: string;
  readonly runtime: string;
  readonly packages: readonly string[];
  readonly notes: readonly string[];
}

/** Everything a run produced; written to bench/results/latest.json. */
export interface Report {
  readonly startedAt: string;
  readonly seconds: number;
  readonly config: ModeConfig;
  readonly host: HostInfo;
  readonly pinning: string;
  /** `redis-server`'s version, or null when it is not installed. */
  readonly redis: string | null;
  /** The 1-minute load average before and after the run. */
  readonly load: readonly [number | null, number | null];
  readonly systems: readonly SystemReport[];
  readonly rows: readonly Row[];
  readonly runs: RunsBySystem;
  readonly failures: readonly string[];
}

/** The systems with lines in the table: those that ran, and those skipped (said so). */
function columnsOf(report: Report): Column[] {
  return report.systems.filter((s) => s.status !== "not implemented");
}

/** The workloads run more often than the rest, as " (5 of W2, W3 and W4)", or "". */
function moreRounds(config: ModeConfig): string {
  const byCount = new Map<number, string[]>();
  for (const [workload, rounds] of Object.entries(config.rounds)) {
    if (rounds !== undefined && rounds !== config.repeat) {
      byCount.set(rounds, [...byCount.get(rounds) ?? [], workload.toUpperCase()]);
    }
  }
  const parts = [...byCount].map(([rounds, names]) => `${rounds} of ${andList(names)}`);
  return parts.length === 0 ? "" : ` (${parts.join("; ")})`;
}

/** "A", "A and B", "A, B and C". */
function andList(names: readonly string[]): string {
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/** Renders the report as markdown. */
export function renderMarkdown(report: Report, references: readonly ReferenceColumn[]): string {
  const { host, config } = report;
  const out: string[] = [
    `# wsrpc benchmark (${config.mode})`,
    "",
    `${report.startedAt}, ${report.seconds.toFixed(0)} s. ${host.os}, ${host.cpus} CPUs ` +
    `(${host.cpuModel}), Deno ${host.deno} (V8 ${host.v8}). ${report.pinning}. ` +
    `Load average ${formatValue(report.load[0])} before, ${formatValue(report.load[1])} after. ` +
    `Median of ${config.repeat} run(s) of each workload${moreRounds(config)}, fresh servers ` +
    `per run, each round ` +
    `running every system once (in the table's order, or the other way in even rounds); a ratio is the median of the ratios of paired runs (round i ÷ ` +
    `round i) to the reference on the same runtime as the system's server. Clients and servers ` +
    `in separate processes on 127.0.0.1; every client driver on Deno but socket.io's, on Node. ` +
    (report.redis === null
      ? "redis-server not installed."
      : `redis-server ${report.redis}, a fresh one per run of each system on Redis, pinned ` +
        `with the servers.`),
    "",
    renderTable(report.rows, columnsOf(report), references),
    "",
    "Targets:",
    "",
    renderTargets(report.rows, config),
    "",
    `Counts: W1 (and W1 on one CPU) up to ${config.params.w1.calls} calls ` +
    `(${config.params.w1.maxMs} ms cap); ` +
    `W2 up to ${config.params.w2.calls} calls (${config.params.w2.maxMs} ms cap); ` +
    `W3 ${config.params.w3.events} events; W4 ${config.params.w4.conns} connections × ` +
    `${config.params.w4.publishes} publishes; W5 ${config.params.w5.conns} idle connections; ` +
    `W6 ${config.params.w6.conns} subscribers × ${config.params.w6.publishes} publishes ` +
    `(${config.params.w6.instances} instances for the systems on Redis); W7 ` +
    `${config.params.w7.clients} clients × ${config.params.w7.behind} events behind ` +
    `(of ${config.params.w7.history} published).`,
    "",
    "Systems:",
  ];
  for (const system of report.systems) {
    const detail = system.status === "ran"
      ? `${system.runtime}${system.packages.length > 0 ? `; ${system.packages.join(", ")}` : ""}`
      : system.reason === undefined
      ? system.status
      : `${system.status}: ${system.reason}`;
    out.push(`- ${system.label} (${detail})`);
    if (system.status === "ran") { for (const note of system.notes) out.push(`  - ${note}`); }
  }
  const details = runDetails(report);
  if (details.length > 0) out.push("", "Runs:", ...details);
  if (report.failures.length > 0) {
    out.push("", "Failures:");
    for (const failure of report.failures) out.push(`- ${failure.replaceAll("\n", "\n  ")}`);
  }
  return out.join("\n") + "\n";
}

/** One line per system and workload with what the runs did. */
function runDetails(report: Report): string[] {
  const out: string[] = [];
  for (const system of columnsOf(report)) {
    const runs = report.runs[system.id] ?? {};
    const parts: string[] = [];
    const w1 = (runs.w1 ?? []).flatMap((r) => r.ok ? [(r.result as { calls: number }).calls] : []);
    if (w1.length > 0) parts.push(`W1 calls ${w1.join("/")}`);
    const same = (runs.w1same ?? []).flatMap((r) =>
      r.ok ? [(r.result as { calls: number }).calls] : []
    );
    if (same.length > 0) parts.push(`W1 on one CPU calls ${same.join("/")}`);
    const w2 = (runs.w2 ?? []).flatMap((r) => r.ok ? [(r.result as { calls: number }).calls] : []);
    if (w2.length > 0) parts.push(`W2 calls ${w2.join("/")}`);
    for (const run of runs.w5 ?? []) {
      if (run.ok && run.memory) {
        parts.push(
          `W5 RSS ${formatValue(run.memory.rssWarmKib / 1024)} → ` +
            `${formatValue(run.memory.rssOpenKib / 1024)} MiB`,
        );
      }
    }
    for (const run of runs.w7 ?? []) {
      if (!run.ok) continue;
      const r = run.result as W7Result;
      let text =
        `W7 ${formatValue(r.ms)} ms (all connected after ${formatValue(r.connectMs)} ms, ` +
        `a client's own catch-up p50 ${formatValue(r.clientP50Ms)} ms)`;
      if (run.redis !== undefined) {
        const commands = Object.entries(run.redis.commands)
          .sort(([, a], [, b]) => b - a)
          .map(([name, calls]) => `${name} ${calls}`)
          .join(", ");
        text += `, Redis over the storm: ${commands || "no commands"}`;
      }
      parts.push(text);
    }
    if (parts.length > 0) out.push(`- ${system.label}: ${parts.join("; ")}`);
  }
  return out;
}
