/** The orchestrator's command line. @module */

import type { Mode } from "./config.ts";
import type { WorkloadName } from "./protocol.ts";
import { isWorkloadName, WORKLOADS } from "./protocol.ts";

/** What the command line asks for. */
export interface Options {
  readonly mode: Mode;
  /** System ids to run; null for all. */
  readonly systems: readonly string[] | null;
  readonly workloads: readonly WorkloadName[];
  /** Overrides the mode's repeat count. */
  readonly repeat: number | null;
  /** Pin server and client to CPUs with taskset when possible. */
  readonly pin: boolean;
}

/** The usage text. */
export const USAGE = `usage: deno task bench [--smoke | --big] [--systems=raw,trpc,...]
                       [--workloads=w1,w2,...] [--repeat=N] [--no-pin]`;

function list(value: string): string[] {
  return value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** Parses `args`; throws with the usage on anything unknown. */
export function parseArgs(args: readonly string[]): Options {
  let mode: Mode = "full";
  let systems: string[] | null = null;
  let workloads: WorkloadName[] = [...WORKLOADS];
  let repeat: number | null = null;
  let pin = true;
  for (const arg of args) {
    const [key, value = ""] = arg.split("=", 2) as [string, string?];
    if (arg === "--smoke") mode = "smoke";
    else if (arg === "--big") mode = "big";
    else if (arg === "--full") mode = "full";
    else if (arg === "--no-pin") pin = false;
    else if (key === "--systems") systems = list(value);
    else if (key === "--repeat" && /^[1-9]\d*$/.test(value)) repeat = Number(value);
    else if (key === "--workloads") {
      const names = list(value);
      const bad = names.filter((name) => !isWorkloadName(name));
      if (bad.length > 0) throw new Error(`unknown workload ${bad.join(", ")}\n${USAGE}`);
      workloads = WORKLOADS.filter((name) => names.includes(name));
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return { mode, systems, workloads, repeat, pin };
}
