/** The counts and timings of each mode. @module */

import type { WorkloadName, WorkloadParams } from "./protocol.ts";

/** `smoke` checks that everything runs; `full` measures; `big` adds 10k idle connections. */
export type Mode = "smoke" | "full" | "big";

/** Everything a mode decides. */
export interface ModeConfig {
  readonly mode: Mode;
  readonly params: WorkloadParams;
  /**
   * Runs of each workload (fresh servers each; each round runs every system
   * once); the median is reported, and ratios are the median of paired runs.
   */
  readonly repeat: number;
  /**
   * Rounds for the workloads that take more than `repeat`: the short
   * throughput lines, whose paired runs differ most from one to the next.
   * `--repeat=N` sets every workload's.
   */
  readonly rounds: Readonly<Partial<Record<WorkloadName, number>>>;
  /** W5: pause before each reading of the server's memory. */
  readonly w5SettleMs: number;
  /** How long a server may take to print its port. */
  readonly serverStartMs: number;
}

const FULL: ModeConfig = {
  mode: "full",
  params: {
    w1: { warmup: 2_000, warmupMs: 1_500, calls: 20_000, maxMs: 4_000 },
    w2: { warmup: 5_000, warmupMs: 1_500, calls: 250_000, inflight: 100, maxMs: 5_000 },
    w3: { warmupEvents: 5_000, events: 200_000, maxMs: 30_000 },
    w4: { conns: 500, warmupPublishes: 20, publishes: 500, settleMs: 300, maxMs: 30_000 },
    w5: { warmConns: 20, conns: 2_000, openBatch: 100, maxMs: 60_000 },
    w6: {
      conns: 200,
      warmupPublishes: 50,
      publishes: 500,
      settleMs: 300,
      maxMs: 30_000,
      instances: 2,
    },
    w7: { history: 200, behind: 100, clients: 1_000, maxMs: 30_000 },
  },
  repeat: 3,
  rounds: { w2: 5, w3: 7, w4: 7, w6: 5 },
  w5SettleMs: 2_000,
  serverStartMs: 30_000,
};

const SMOKE: ModeConfig = {
  mode: "smoke",
  params: {
    w1: { warmup: 20, warmupMs: 500, calls: 200, maxMs: 2_000 },
    w2: { warmup: 100, warmupMs: 500, calls: 1_000, inflight: 100, maxMs: 2_000 },
    w3: { warmupEvents: 100, events: 1_000, maxMs: 10_000 },
    w4: { conns: 20, warmupPublishes: 2, publishes: 10, settleMs: 50, maxMs: 10_000 },
    w5: { warmConns: 2, conns: 50, openBatch: 25, maxMs: 10_000 },
    w6: { conns: 20, warmupPublishes: 2, publishes: 20, settleMs: 50, maxMs: 10_000, instances: 2 },
    w7: { history: 20, behind: 10, clients: 20, maxMs: 10_000 },
  },
  repeat: 1,
  rounds: {},
  w5SettleMs: 200,
  serverStartMs: 30_000,
};

const BIG: ModeConfig = {
  ...FULL,
  mode: "big",
  params: { ...FULL.params, w5: { ...FULL.params.w5, conns: 10_000 } },
  w5SettleMs: 4_000,
};

/** How many rounds of `workload` a run with `config` makes. */
export function roundsOf(config: ModeConfig, workload: WorkloadName): number {
  return config.rounds[workload] ?? config.repeat;
}

/** The configuration of `mode`. */
export function modeConfig(mode: Mode): ModeConfig {
  switch (mode) {
    case "smoke":
      return SMOKE;
    case "full":
      return FULL;
    case "big":
      return BIG;
  }
}
