/**
 * The process protocol between the orchestrator (bench/run.ts) and a system's
 * two programs. A system is any RPC stack that ships:
 *
 * - a server program: takes no arguments, listens on 127.0.0.1 port 0, prints
 *   one line `{"port": 12345}` on stdout once it accepts connections, serves
 *   `ws://127.0.0.1:<port>/`, and exits when its stdin reaches end of file;
 * - a client-driver program: `client <workload> <url> <params-json>`, runs the
 *   workload against the url and prints one line `{"ok": true, "result": ...}`
 *   (or `{"ok": false, "error": "..."}`) on stdout, then exits.
 *
 * Workloads w5 and w7 are interactive: the driver prints `{"phase": ...}`
 * lines and waits for one line on stdin after each, so the orchestrator can
 * read the server's memory (w5) or Redis's command counts (w7) in between.
 * Lines on stdout that don't start with `{` are ignored; stderr is shown only
 * when something fails.
 *
 * For w6 the url argument is a comma-separated list: one url per server
 * instance (one for a single-process system). A system that runs on Redis
 * gets its url in the server's environment as {@linkcode REDIS_URL_ENV}.
 *
 * The orchestrator also runs `w1same`: W1 with the client driver and the
 * server on one CPU. The driver is told `w1`: only where the processes run
 * differs.
 *
 * @module
 */

/** The workloads a client driver runs. */
export const DRIVER_WORKLOADS = ["w1", "w2", "w3", "w4", "w5", "w6", "w7"] as const;

/** One workload a client driver runs. */
export type DriverWorkload = typeof DRIVER_WORKLOADS[number];

/** The workloads, in the order they run: the drivers', and W1 on one CPU after W1. */
export const WORKLOADS = ["w1", "w1same", "w2", "w3", "w4", "w5", "w6", "w7"] as const;

/** One workload's name. */
export type WorkloadName = typeof WORKLOADS[number];

/** The workload the driver runs for `workload`: W1 for `w1same`, else the same. */
export function driverWorkload(workload: WorkloadName): DriverWorkload {
  return workload === "w1same" ? "w1" : workload;
}

/** W1: sequential calls on one connection. */
export interface W1Params {
  readonly warmup: number;
  /** Stop warming up early once this much time went by. */
  readonly warmupMs: number;
  readonly calls: number;
  /** Stop early, with fewer calls, once this much time went by. */
  readonly maxMs: number;
}

/** W2: calls with a fixed number in flight on one connection. */
export interface W2Params {
  readonly warmup: number;
  readonly warmupMs: number;
  readonly calls: number;
  readonly inflight: number;
  readonly maxMs: number;
}

/** W3: one subscription that pushes `events` events. */
export interface W3Params {
  readonly warmupEvents: number;
  readonly events: number;
  readonly maxMs: number;
}

/** W4: `conns` subscribed connections, `publishes` publishes reach each. */
export interface W4Params {
  readonly conns: number;
  readonly warmupPublishes: number;
  readonly publishes: number;
  /** Pause after every connection subscribed, before publishing. */
  readonly settleMs: number;
  readonly maxMs: number;
}

/** W5: idle connections held open while the server's memory is read. */
export interface W5Params {
  /** Connections opened (and used once) before the baseline reading. */
  readonly warmConns: number;
  readonly conns: number;
  /** How many connections are being opened at once. */
  readonly openBatch: number;
  readonly maxMs: number;
}

/**
 * W6: W4's fan-out with the subscribers split across server instances
 * (round-robin) and the publisher on the first.
 */
export interface W6Params extends W4Params {
  /** Server instances of a system that scales out on Redis (1 for the others). */
  readonly instances: number;
}

/**
 * W7: `clients` connections at once that each resume the fan-out topic from a
 * position `behind` events before its newest, after `history` events were
 * published; measured until every client has the newest event.
 */
export interface W7Params {
  readonly history: number;
  readonly behind: number;
  readonly clients: number;
  readonly maxMs: number;
}

/** The params of each workload. */
export interface WorkloadParams {
  readonly w1: W1Params;
  readonly w2: W2Params;
  readonly w3: W3Params;
  readonly w4: W4Params;
  readonly w5: W5Params;
  readonly w6: W6Params;
  readonly w7: W7Params;
}

/** W1's result: round trips in microseconds. */
export interface W1Result {
  readonly calls: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly meanUs: number;
}

/** W2's result. */
export interface W2Result {
  readonly calls: number;
  readonly ms: number;
  readonly callsPerSec: number;
}

/** W3's result: measured from subscribing to the last event. */
export interface W3Result {
  readonly events: number;
  readonly ms: number;
  readonly eventsPerSec: number;
}

/** W4's result: measured from the publish call to the last delivery. */
export interface W4Result {
  readonly conns: number;
  readonly publishes: number;
  readonly deliveries: number;
  readonly ms: number;
  readonly deliveriesPerSec: number;
}

/** W5's result, as the driver sees it; the orchestrator adds the memory. */
export interface W5Result {
  readonly conns: number;
  readonly openMs: number;
}

/** W6's result: as W4's, across `instances` servers. */
export interface W6Result extends W4Result {
  readonly instances: number;
}

/** W7's result: measured from the first connection opened to the last client caught up. */
export interface W7Result {
  readonly clients: number;
  /** Events each client was sent to catch up. */
  readonly behind: number;
  /** From the first connect to the last client having the newest event. */
  readonly ms: number;
  /** From the first connect to the last subscription request sent. */
  readonly connectMs: number;
  /** Each client's own time, connect to caught up: median and slowest. */
  readonly clientP50Ms: number;
  readonly clientMaxMs: number;
}

/** The result of each workload. */
export interface WorkloadResults {
  readonly w1: W1Result;
  readonly w1same: W1Result;
  readonly w2: W2Result;
  readonly w3: W3Result;
  readonly w4: W4Result;
  readonly w5: W5Result;
  readonly w6: W6Result;
  readonly w7: W7Result;
}

/** The line a server prints once it listens. */
export interface ServerReadyLine {
  readonly port: number;
}

/** The last line a client driver prints. */
export type DriverResultLine =
  | { readonly ok: true; readonly result: WorkloadResults[DriverWorkload] }
  | { readonly ok: false; readonly error: string };

/**
 * The phases of the interactive workloads; the driver waits for a line on
 * stdin after printing each. W5: `warm`, then `open` (the orchestrator reads
 * the server's memory at each). W7: `primed` (the history is published;
 * Redis's counts are reset), then `caught-up` (they are read).
 */
export type Phase = "warm" | "open" | "primed" | "caught-up";

/** The line a driver prints at each phase. */
export interface DriverPhaseLine {
  readonly phase: Phase;
  /** Connections open (w5). */
  readonly conns: number;
}

/** The server's environment variable with the Redis url, for a system on Redis. */
export const REDIS_URL_ENV = "BENCH_REDIS_URL";

/** Tells whether a string names a workload. */
export function isWorkloadName(name: string): name is WorkloadName {
  return (WORKLOADS as readonly string[]).includes(name);
}

/** Tells whether a string names a workload a client driver runs. */
export function isDriverWorkload(name: string): name is DriverWorkload {
  return (DRIVER_WORKLOADS as readonly string[]).includes(name);
}
