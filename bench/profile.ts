/**
 * Profiles one system under one workload: runs its server (both instances
 * for W6 of a system on Redis, with a `redis-server` of their own) and its
 * client driver with `--cpu-prof` (Deno's, or for a program bundled for Node
 * or Bun, theirs; pinned as in the benchmark, full-mode counts), writes the profiles to bench/results/profiles/, and
 * prints each side's functions ranked by self time. With `--cpu-only` it runs
 * the same processes without the profilers and prints each server's CPU time
 * (user + system) over the run: the profilers slow JavaScript more than the
 * runtime's own work, so they skew a comparison of two servers' costs.
 *
 *     deno task bench:profile <system> <w1|w1same|w2..w4|w6|w7> [--top=N] [--cpu-only]
 *
 * @module
 */

import { summarize } from "./harness/cpuprofile.ts";
import type { ProfileSummary } from "./harness/cpuprofile.ts";
import { modeConfig } from "./harness/config.ts";
import { readCpuMs } from "./harness/host.ts";
import { Child } from "./harness/process.ts";
import type { SpawnOptions } from "./harness/process.ts";
import { instancesFor } from "./harness/measure.ts";
import { driverWorkload, isWorkloadName, REDIS_URL_ENV } from "./harness/protocol.ts";
import { RedisProcess } from "./harness/redis.ts";
import { bundlePrograms, checkRuntime } from "./harness/runtimes.ts";
import { ROOT, SYSTEMS } from "./systems/list.ts";

const DIR = `${ROOT}bench/results/profiles`;
const STOP_GRACE_MS = 5_000;

/** Adds the profiler's flags after `deno run`, or after `node` or `bun` (the same flags). */
function profiled(command: readonly string[], name: string): string[] {
  const flags = ["--cpu-prof", `--cpu-prof-dir=${DIR}`, `--cpu-prof-name=${name}`];
  const [program, ...rest] = command;
  if (program === "node") return [program, ...flags, ...rest];
  // Bun samples every millisecond unless told: too few samples for a run of a second or two.
  if (program === "bun") return [program, ...flags, "--cpu-prof-interval=100", ...rest];
  const [run, ...args] = rest;
  if (program === undefined || run !== "run") throw new Error(`not a deno run command: ${command}`);
  return [program, run, ...flags, ...args];
}

function print(side: string, summary: ProfileSummary, top: number): void {
  const busy = summary.totalMs - summary.idleMs;
  console.log(`\n## ${side}: ${busy.toFixed(0)} ms busy of ${summary.totalMs.toFixed(0)} ms\n`);
  console.log("| self ms | % of busy | function |\n| ---: | ---: | --- |");
  for (const f of summary.functions.slice(0, top)) {
    console.log(`| ${f.ms.toFixed(1)} | ${f.percent.toFixed(1)} | \`${f.where}\` |`);
  }
}

/** Answers W7's phases (counting Redis's commands over the storm), as the benchmark does. */
async function w7Phases(
  client: Child,
  redis: RedisProcess | null,
  timeoutMs: number,
): Promise<Record<string, number> | undefined> {
  await client.nextJson(timeoutMs, "primed phase");
  await redis?.resetStats();
  await client.writeLine("go");
  await client.nextJson(timeoutMs, "caught-up phase");
  const counts = await redis?.commandCounts();
  await client.writeLine("go");
  return counts;
}

async function main(): Promise<number> {
  const [systemId, workload, ...flags] = Deno.args;
  const system = SYSTEMS.find((s) => s.id === systemId);
  if (system === undefined || workload === undefined || !isWorkloadName(workload)) {
    console.error(
      "usage: deno task bench:profile <system> <w1|w1same|w2..w4|w6|w7> [--top=N] [--cpu-only]",
    );
    return 2;
  }
  if (workload === "w5") {
    throw new Error("w5 measures memory; profile w1, w1same, w2..w4, w6 or w7");
  }
  if (!system.workloads.includes(workload)) {
    throw new Error(`${system.id} does not run ${workload}`);
  }
  const top = Number(flags.find((f) => f.startsWith("--top="))?.slice(6) ?? 25);
  // The same run without the profilers, which slow JavaScript more than the
  // runtime's own work: each server's CPU time, and the client's result only.
  const cpuOnly = flags.includes("--cpu-only");
  const launch = (command: readonly string[], name: string) =>
    cpuOnly ? [...command] : profiled(command, name);
  if (system.bundled !== undefined) {
    const check = checkRuntime(system.bundled.runtime);
    if ("missing" in check) throw new Error(check.missing);
    await bundlePrograms(system.bundled, ROOT);
  }
  const config = modeConfig("full");
  const pinned = (cpu: number): SpawnOptions => ({ cpu, nofile: null });
  await Deno.mkdir(DIR, { recursive: true });
  const stem = `${system.id}-${workload}`;
  const count = instancesFor(system, workload, config);
  const sides = Array.from({ length: count }, (_, i) => count === 1 ? "server" : `server-${i + 1}`);
  const redis = system.redis ? await RedisProcess.start(pinned(0)) : null;
  const env: Record<string, string> = redis === null ? {} : { [REDIS_URL_ENV]: redis.url };
  const servers: Child[] = [];
  try {
    for (const side of sides) {
      servers.push(
        new Child(launch(system.server, `${stem}-${side}.cpuprofile`), pinned(0), env),
      );
    }
    const ready = await Promise.all(
      servers.map((server) => server.nextJson(config.serverStartMs, "server start")),
    );
    const cpuBefore = await Promise.all(servers.map((server) => readCpuMs(server.pid)));
    const params = config.params[driverWorkload(workload)];
    const client = new Child(
      [
        ...launch(system.client, `${stem}-client.cpuprofile`),
        driverWorkload(workload),
        ready.map((line) => `ws://127.0.0.1:${line.port}/`).join(","),
        JSON.stringify(params),
      ],
      // W1 on one CPU profiles the client where it runs in the bench: beside the server.
      pinned(workload === "w1same" ? 0 : 1),
    );
    const timeout = params.maxMs * 3 + 60_000;
    const counts = workload === "w7" ? await w7Phases(client, redis, timeout) : undefined;
    const line = await client.nextJson(timeout, "client");
    const cpuAfter = await Promise.all(servers.map((server) => readCpuMs(server.pid)));
    const clientCpu = await readCpuMs(client.pid);
    await client.stop(STOP_GRACE_MS);
    console.log(`# ${system.label} ${workload}: ${JSON.stringify(line)}`);
    if (clientCpu !== null) {
      console.log(
        `\nclient CPU time (user + system), from its start to its result: ${clientCpu} ms.`,
      );
    }
    if (counts !== undefined) {
      console.log(`\nRedis commands over the storm: ${JSON.stringify(counts)}`);
    }
    sides.forEach((side, i) => {
      const [before, after] = [cpuBefore[i], cpuAfter[i]];
      if (before === null || before === undefined || after === null || after === undefined) return;
      console.log(`\n${side} CPU time (user + system) during the run: ${after - before} ms.`);
    });
  } finally {
    await Promise.all(servers.map((server) => server.stop(STOP_GRACE_MS)));
    await redis?.stop();
  }
  if (cpuOnly) return 0;
  for (const side of [...sides, "client"]) {
    print(side, await summarize(`${DIR}/${stem}-${side}.cpuprofile`, ROOT), top);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main());
