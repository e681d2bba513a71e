/**
 * Profiles one system under one workload: runs its server and its client
 * driver with `deno run --cpu-prof` (pinned as in the benchmark, full-mode
 * counts), writes the profiles to bench/results/profiles/, and prints each
 * side's functions ranked by self time.
 *
 *     deno task bench:profile <system> <w1..w4> [--top=N]
 *
 * @module
 */

import { summarize } from "./_cpuprofile.ts";
import type { ProfileSummary } from "./_cpuprofile.ts";
import { modeConfig } from "./_config.ts";
import { readCpuMs } from "./_host.ts";
import { Child } from "./_process.ts";
import type { SpawnOptions } from "./_process.ts";
import { isWorkloadName } from "./_protocol.ts";
import { ROOT, SYSTEMS } from "./_systems.ts";

const DIR = `${ROOT}bench/results/profiles`;
const STOP_GRACE_MS = 5_000;

/** Adds the profiler's flags after `deno run`. */
function profiled(command: readonly string[], name: string): string[] {
  const [deno, run, ...rest] = command;
  if (deno === undefined || run !== "run") throw new Error(`not a deno run command: ${command}`);
  return [deno, run, "--cpu-prof", `--cpu-prof-dir=${DIR}`, `--cpu-prof-name=${name}`, ...rest];
}

function print(side: string, summary: ProfileSummary, top: number): void {
  const busy = summary.totalMs - summary.idleMs;
  console.log(`\n## ${side}: ${busy.toFixed(0)} ms busy of ${summary.totalMs.toFixed(0)} ms\n`);
  console.log("| self ms | % of busy | function |\n| ---: | ---: | --- |");
  for (const f of summary.functions.slice(0, top)) {
    console.log(`| ${f.ms.toFixed(1)} | ${f.percent.toFixed(1)} | \`${f.where}\` |`);
  }
}

async function main(): Promise<number> {
  const [systemId, workload, ...flags] = Deno.args;
  const system = SYSTEMS.find((s) => s.id === systemId);
  if (system === undefined || workload === undefined || !isWorkloadName(workload)) {
    console.error("usage: deno task bench:profile <system> <w1..w4> [--top=N]");
    return 2;
  }
  if (workload === "w5") throw new Error("w5 measures memory; profile w1..w4");
  const top = Number(flags.find((f) => f.startsWith("--top="))?.slice(6) ?? 25);
  const config = modeConfig("full");
  const pinned = (cpu: number): SpawnOptions => ({ cpu, nofile: null });
  await Deno.mkdir(DIR, { recursive: true });
  const stem = `${system.id}-${workload}`;
  const server = new Child(profiled(system.server, `${stem}-server.cpuprofile`), pinned(0));
  try {
    const ready = await server.nextJson(config.serverStartMs, "server start");
    const cpuBefore = await readCpuMs(server.pid);
    const params = JSON.stringify(config.params[workload]);
    const client = new Child(
      [
        ...profiled(system.client, `${stem}-client.cpuprofile`),
        workload,
        `ws://127.0.0.1:${ready.port}/`,
        params,
      ],
      pinned(1),
    );
    const line = await client.nextJson(config.params[workload].maxMs * 3 + 60_000, "client");
    const cpuAfter = await readCpuMs(server.pid);
    await client.stop(STOP_GRACE_MS);
    console.log(`# ${system.label} ${workload}: ${JSON.stringify(line)}`);
    if (cpuBefore !== null && cpuAfter !== null) {
      console.log(`\nServer CPU time (user + system) during the run: ${cpuAfter - cpuBefore} ms.`);
    }
  } finally {
    await server.stop(STOP_GRACE_MS);
  }
  for (const side of ["server", "client"]) {
    print(side, await summarize(`${DIR}/${stem}-${side}.cpuprofile`, ROOT), top);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main());
