/**
 * The benchmark orchestrator behind `deno task bench`, `bench:smoke` and
 * `bench:big`: runs every workload against every system (bench/systems/list.ts),
 * each in its own server and client processes (and for a system on Redis, a
 * `redis-server` of its own per run), prints a markdown table with each
 * figure's ratio to raw and to tRPC and a table of the targets, and writes
 * bench/results/.
 *
 * @module
 */

import { parseArgs } from "./harness/args.ts";
import type { Options } from "./harness/args.ts";
import { modeConfig, roundsOf } from "./harness/config.ts";
import type { ModeConfig } from "./harness/config.ts";
import { probeHost, readLoadAverage } from "./harness/host.ts";
import type { HostInfo } from "./harness/host.ts";
import { runOnce } from "./harness/measure.ts";
import type { Placement, RunOutcome } from "./harness/measure.ts";
import type { WorkloadName } from "./harness/protocol.ts";
import { redisVersion } from "./harness/redis.ts";
import { renderMarkdown } from "./report/report.ts";
import type { Report, SystemReport } from "./report/report.ts";
import { workloadRows } from "./report/rows.ts";
import type { Row } from "./report/rows.ts";
import { bundlePrograms, checkRuntime } from "./harness/runtimes.ts";
import { REFERENCES, ROOT, runtimeLabel, SYSTEMS } from "./systems/list.ts";
import type { SystemSpec } from "./systems/list.ts";
import { formatValue } from "./report/table.ts";
import type { ReferenceColumn } from "./report/table.ts";
import { lockedVersions } from "./harness/versions.ts";
import { EXTRA_ROW_SOURCES } from "./extras/extra_rows.ts";

/** File descriptors a process needs beyond its connections. */
const FD_HEADROOM = 256;

function log(message: string): void {
  console.error(message);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The open-file limit children need, and how that is described. */
function fdLimit(host: HostInfo, config: ModeConfig): [number | null, string] {
  const conns = Math.max(
    config.params.w4.conns + 1,
    config.params.w5.conns + config.params.w5.warmConns,
    config.params.w6.conns + 1,
    config.params.w7.clients + 1,
  );
  const need = conns + FD_HEADROOM;
  if (host.nofileSoft >= need) return [null, `open files ${host.nofileSoft}`];
  if (host.nofileHard >= need) return [need, `open files raised ${host.nofileSoft} → ${need}`];
  return [
    host.nofileHard,
    `open files raised ${host.nofileSoft} → ${host.nofileHard}, the hard limit, ` +
    `short of the ${need} needed`,
  ];
}

/** Where server and client run, and how that is described. */
function placement(host: HostInfo, options: Options, config: ModeConfig): [Placement, string] {
  const [nofile, fd] = fdLimit(host, config);
  const why = !options.pin
    ? "--no-pin"
    : !host.taskset
    ? "taskset (util-linux) is missing"
    : host.cpus < 2
    ? "one CPU"
    : null;
  const same = options.workloads.includes("w1same");
  if (why !== null) {
    return [
      { server: { cpu: null, nofile }, client: { cpu: null, nofile } },
      `not pinned: ${why}${same ? ` (so W1 on one CPU runs unpinned, as W1 does)` : ""}; ${fd}`,
    ];
  }
  return [
    { server: { cpu: 0, nofile }, client: { cpu: 1, nofile } },
    `server pinned to CPU 0, client to CPU 1 (taskset)` +
    `${same ? "; W1 on one CPU: client and server both pinned to CPU 0" : ""}; ${fd}`,
  ];
}

/** Where server and client run for `workload`: both on the server's CPU for `w1same`. */
function placementFor(workload: WorkloadName, where: Placement): Placement {
  if (workload !== "w1same") return where;
  return { server: where.server, client: { ...where.client, cpu: where.server.cpu } };
}

/** A short summary of one run, for the progress log. */
function summary(workload: WorkloadName, outcome: RunOutcome): string {
  if (!outcome.ok) return `FAILED ${outcome.error.split("\n")[0]}`;
  const r = outcome.result as unknown as Record<string, number>;
  switch (workload) {
    case "w1":
    case "w1same":
      return `p50 ${formatValue(r.p50Us ?? null)} µs, p99 ${formatValue(r.p99Us ?? null)} µs`;
    case "w2":
      return `${formatValue(r.callsPerSec ?? null)} calls/s`;
    case "w3":
      return `${formatValue(r.eventsPerSec ?? null)} events/s`;
    case "w4":
      return `${formatValue(r.deliveriesPerSec ?? null)} deliveries/s`;
    case "w5":
      return `${formatValue(outcome.memory?.kibPerConn ?? null)} KiB/conn`;
    case "w6":
      return `${formatValue(r.deliveriesPerSec ?? null)} deliveries/s on ${r.instances} ` +
        `instance(s)`;
    case "w7": {
      const redis = outcome.redis;
      return `all caught up in ${formatValue(r.ms ?? null)} ms` +
        (redis === undefined
          ? ""
          : `, ${redis.reads} history read(s), ${redis.total} Redis commands`);
    }
  }
}

/**
 * The order the systems take their turns in, in round `round` (from 1): as
 * listed in odd rounds, the other way round in even ones. Neighbours in the
 * list (a system and its reference, most often) then swap places from one
 * round to the next, so that neither always runs first: on a machine whose
 * load drifts over a round, or that a system leaves busy for the next one,
 * a fixed order would favour the same side every round.
 */
function turnOrder<T>(running: readonly T[], round: number): readonly T[] {
  return round % 2 === 1 ? running : [...running].reverse();
}

/** Whether this is a CI run (`CI` set), where a skipped workload counts as a failure. */
function onCi(): boolean {
  try {
    return Boolean(Deno.env.get("CI"));
  } catch {
    return false; // no permission to read it
  }
}

/** Why a system on Redis can't run here. */
const NO_REDIS = "redis-server not installed";

/** Why a system can't run: skipped (something this machine lacks) or failed before its runs. */
interface Unrunnable {
  readonly reason: string;
  readonly skipped: boolean;
}

/**
 * Why `system` can't run here, if it can't: it needs Redis where there is
 * none, or Node or Bun where they are missing, or its bundles can't be made.
 * Makes the bundles of its programs on Node or Bun.
 */
async function prepare(system: SystemSpec, redis: string | null): Promise<Unrunnable | null> {
  if (system.redis && redis === null) return { reason: NO_REDIS, skipped: true };
  if (system.bundled === undefined) return null;
  const check = checkRuntime(system.bundled.runtime);
  if ("missing" in check) return { reason: check.missing, skipped: true };
  const t0 = performance.now();
  try {
    await bundlePrograms(system.bundled, ROOT);
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error), skipped: false };
  }
  log(
    `  ${system.id}: bundled for ${system.bundled.runtime} ${check.version} in ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return null;
}

/** The runtimes a system runs on, with the version of Node or Bun where it has one. */
function runtimeOf(system: SystemSpec): string {
  if (system.bundled === undefined) return system.runtime;
  const check = checkRuntime(system.bundled.runtime);
  const clientToo = system.bundled.client !== undefined;
  return "version" in check
    ? runtimeLabel(system.bundled.runtime, check.version, clientToo)
    : system.runtime;
}

/**
 * The chosen systems that have something to run and are implemented, why
 * some of them can't run (by id), and a report of each.
 */
async function describeSystems(
  options: Options,
  redis: string | null,
): Promise<[SystemSpec[], Map<string, Unrunnable>, SystemReport[]]> {
  const chosen = SYSTEMS.filter((s) =>
    (options.systems === null || options.systems.includes(s.id)) &&
    s.workloads.some((w) => options.workloads.includes(w))
  );
  const runnable: SystemSpec[] = [];
  const unrunnable = new Map<string, Unrunnable>();
  const reports: SystemReport[] = [];
  for (const system of chosen) {
    const present = await Promise.all(system.files.map(exists));
    const ready = present.every(Boolean);
    const why = ready ? await prepare(system, redis) : null;
    if (ready) runnable.push(system);
    if (why !== null) unrunnable.set(system.id, why);
    reports.push({
      id: system.id,
      label: system.label,
      status: why?.skipped ? "skipped" : ready ? "ran" : "not implemented",
      ...(why?.skipped ? { reason: why.reason } : {}),
      runtime: runtimeOf(system),
      packages: await lockedVersions(`${ROOT}bench/deno.lock`, system.packages),
      notes: system.notes,
    });
  }
  return [runnable, unrunnable, reports];
}

/** The table's ratio columns: raw and tRPC, each on the runtime of the system divided. */
function referenceColumns(reports: readonly SystemReport[]): ReferenceColumn[] {
  const ran = new Set(reports.filter((s) => s.status === "ran").map((s) => s.id));
  const runtimes = new Map(SYSTEMS.map((s) => [s.id, s.serverRuntime]));
  return REFERENCES
    .filter((reference) => Object.values(reference.ids).some((id) => id !== null && ran.has(id)))
    .map((reference) => ({
      label: reference.label,
      of: (id: string) => {
        const runtime = runtimes.get(id);
        const of = runtime === undefined ? null : reference.ids[runtime];
        return of !== null && ran.has(of) ? of : null;
      },
    }));
}

async function extraRows(
  config: ModeConfig,
  systems: readonly SystemSpec[],
): Promise<[Row[], string[]]> {
  const rows: Row[] = [];
  const failures: string[] = [];
  for (const source of EXTRA_ROW_SOURCES) {
    try {
      rows.push(...await source({ mode: config.mode, systems }));
    } catch (error) {
      failures.push(`extra rows: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return [rows, failures];
}

async function main(): Promise<number> {
  const options = parseArgs(Deno.args);
  const base = modeConfig(options.mode);
  const config: ModeConfig = options.repeat === null
    ? base
    : { ...base, repeat: options.repeat, rounds: {} };
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const host = await probeHost();
  const loadBefore = await readLoadAverage();
  const [where, pinning] = placement(host, options, config);
  const redis = await redisVersion();
  const [systems, unrunnable, systemReports] = await describeSystems(options, redis);
  log(`bench ${config.mode}: ${systems.map((s) => s.id).join(", ")}; ${pinning}`);

  const runs: Record<string, Partial<Record<WorkloadName, RunOutcome[]>>> = {};
  const failures: string[] = [];
  for (const workload of options.workloads) {
    const repeat = roundsOf(config, workload);
    const running = systems.filter((s) => s.workloads.includes(workload));
    for (const system of running) {
      const why = unrunnable.get(system.id);
      if (why === undefined) continue;
      // Said in the table; on CI, where everything should be there, a failure.
      const outcome: RunOutcome = why.skipped
        ? { ok: false, error: why.reason, skipped: why.reason }
        : { ok: false, error: why.reason };
      (runs[system.id] ??= {})[workload] = [outcome];
      log(`  ${system.id} ${workload}: ${why.skipped ? "skipped" : "failed"}, ${why.reason}`);
      if (!why.skipped) failures.push(`${system.label} ${workload}: ${why.reason}`);
      else if (onCi()) failures.push(`${system.label} ${workload}: ${why.reason} (CI is set)`);
    }
    for (let round = 1; round <= repeat; round++) {
      for (const system of turnOrder(running, round)) {
        if (unrunnable.has(system.id)) continue;
        const t0 = performance.now();
        const outcome = await runOnce(system, workload, config, placementFor(workload, where));
        const seconds = ((performance.now() - t0) / 1000).toFixed(1);
        log(
          `  ${system.id} ${workload} ${round}/${repeat}: ${
            summary(workload, outcome)
          } (${seconds} s)`,
        );
        ((runs[system.id] ??= {})[workload] ??= []).push(outcome);
        if (!outcome.ok) failures.push(`${system.label} ${workload}: ${outcome.error}`);
      }
    }
  }

  const [extra, extraFailures] = await extraRows(config, systems);
  failures.push(...extraFailures);
  const rows = [...workloadRows(runs, systems.map((s) => s.id)), ...extra];
  const report: Report = {
    startedAt,
    seconds: (performance.now() - started) / 1000,
    config,
    host,
    pinning,
    redis,
    load: [loadBefore, await readLoadAverage()],
    systems: systemReports,
    rows,
    runs,
    failures,
  };
  const markdown = renderMarkdown(report, referenceColumns(systemReports));
  const dir = `${ROOT}bench/results/`;
  const name = config.mode === "smoke" ? "smoke" : "latest";
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}${name}.json`, JSON.stringify(report, null, 2) + "\n");
  await Deno.writeTextFile(`${dir}${name}.md`, markdown);
  console.log(markdown);
  log(`wrote bench/results/${name}.json and ${name}.md`);
  return failures.length === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
