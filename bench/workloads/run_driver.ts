/**
 * The main of a TypeScript client driver: `runDriver(driver)` reads
 * `<workload> <url> <params-json>` from the command line, runs the workload
 * with the system's {@linkcode SystemDriver}, prints the result line described
 * in bench/harness/protocol.ts and exits.
 *
 * @module
 */

import type { SystemDriver } from "./system_driver.ts";
import { lines, printJsonLine } from "../harness/lines.ts";
import type {
  DriverPhaseLine,
  DriverResultLine,
  DriverWorkload,
  Phase,
  WorkloadParams,
  WorkloadResults,
} from "../harness/protocol.ts";
import { isDriverWorkload } from "../harness/protocol.ts";
import { runW1 } from "./w1_latency.ts";
import { runW2 } from "./w2_pipeline.ts";
import { runW3 } from "./w3_stream.ts";
import { runW4 } from "./w4_fanout.ts";
import { runW5 } from "./w5_idle.ts";
import type { PhaseGate } from "./w5_idle.ts";
import { runW6 } from "./w6_cross.ts";
import { runW7 } from "./w7_resume.ts";

/** Extra time the driver allows itself past the workload's own limits. */
const WATCHDOG_SLACK_MS = 30_000;

/** Resolves each time the orchestrator writes a line on stdin. */
function stdinGate(): PhaseGate {
  const input = lines(Deno.stdin.readable);
  return async (phase: Phase, conns: number) => {
    const line: DriverPhaseLine = { phase, conns };
    printJsonLine(line);
    const next = await input.next();
    if (next.done) throw new Error(`stdin closed during phase ${phase}`);
  };
}

/** Runs one named workload; `url` is a comma-separated list for w6. */
function runWorkload(
  driver: SystemDriver,
  workload: DriverWorkload,
  url: string,
  params: WorkloadParams[DriverWorkload],
): Promise<WorkloadResults[DriverWorkload]> {
  switch (workload) {
    case "w1":
      return runW1(driver, url, params as WorkloadParams["w1"]);
    case "w2":
      return runW2(driver, url, params as WorkloadParams["w2"]);
    case "w3":
      return runW3(driver, url, params as WorkloadParams["w3"]);
    case "w4":
      return runW4(driver, url, params as WorkloadParams["w4"]);
    case "w5":
      return runW5(driver, url, params as WorkloadParams["w5"], stdinGate());
    case "w6":
      return runW6(driver, url.split(","), params as WorkloadParams["w6"]);
    case "w7":
      return runW7(driver, url, params as WorkloadParams["w7"], stdinGate());
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Parses the command line, runs the workload, prints its result, exits. */
export async function runDriver(driver: SystemDriver): Promise<never> {
  const [workload, url, paramsJson] = Deno.args;
  if (workload === undefined || !isDriverWorkload(workload) || !url || !paramsJson) {
    printJsonLine({
      ok: false,
      error: "usage: client <w1..w7> <ws-url[,ws-url...]> <params-json>",
    });
    Deno.exit(2);
  }
  const params = JSON.parse(paramsJson) as WorkloadParams[DriverWorkload];
  const watchdog = setTimeout(() => {
    printJsonLine({ ok: false, error: `driver watchdog fired` } satisfies DriverResultLine);
    Deno.exit(1);
  }, params.maxMs * 3 + WATCHDOG_SLACK_MS);
  Deno.unrefTimer(watchdog);
  let line: DriverResultLine;
  try {
    line = { ok: true, result: await runWorkload(driver, workload, url, params) };
  } catch (error) {
    line = { ok: false, error: describe(error) };
  }
  printJsonLine(line);
  Deno.exit(line.ok ? 0 : 1);
}
