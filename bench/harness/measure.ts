/**
 * Runs one workload once for one system: fresh servers pinned to CPU 0 (two
 * sharing a fresh `redis-server` for W6 of a system on Redis, one otherwise),
 * a client driver pinned to CPU 1 (to CPU 0 too for `w1same`: the placement
 * says), and for W5 the server's memory read at each phase, for W7 Redis's
 * command counts over the storm.
 *
 * @module
 */

import type { ModeConfig } from "./config.ts";
import { readRssKib } from "./host.ts";
import { Child } from "./process.ts";
import type { SpawnOptions } from "./process.ts";
import { REDIS_URL_ENV } from "./protocol.ts";
import { driverWorkload } from "./protocol.ts";
import type { Phase, WorkloadName, WorkloadResults } from "./protocol.ts";
import { RedisProcess } from "./redis.ts";
import { sleep } from "./stats.ts";
import type { SystemSpec } from "../systems/list.ts";

/** W5's memory readings, in KiB. */
export interface W5Memory {
  readonly rssWarmKib: number;
  readonly rssOpenKib: number;
  readonly kibPerConn: number;
}

/** What Redis did over W7's storm, from `INFO commandstats`. */
export interface RedisCounts {
  /** Calls of each command (those run by scripts included). */
  readonly commands: Readonly<Record<string, number>>;
  /** All the calls. */
  readonly total: number;
  /**
   * History reads: runs of the read script (`evalsha`, or `eval` after a
   * restart of Redis). Nothing publishes during the storm, so every script
   * run is one.
   */
  readonly reads: number;
  /** The server instances that shared the Redis. */
  readonly instances: number;
}

/** One run's outcome. */
export type RunOutcome =
  | {
    readonly ok: true;
    readonly result: WorkloadResults[WorkloadName];
    readonly memory?: W5Memory;
    readonly redis?: RedisCounts;
    readonly serverInfo: Record<string, unknown>;
  }
  | {
    readonly ok: false;
    readonly error: string;
    /** Why it did not run, when it was skipped rather than failed. */
    readonly skipped?: string;
  };

/** Where each side runs. */
export interface Placement {
  readonly server: SpawnOptions;
  readonly client: SpawnOptions;
}

const STOP_GRACE_MS = 3_000;
/** What a client may take beyond its workload's own limit. */
const CLIENT_SLACK_MS = 60_000;

function fail(what: string, error: unknown, children: readonly Child[]): RunOutcome {
  const message = error instanceof Error ? error.message : String(error);
  const tails = children
    .map((child) => child.stderrTail.trim())
    .filter((tail) => tail !== "")
    .join("\n---\n");
  return { ok: false, error: `${what}: ${message}${tails === "" ? "" : `\n${tails}`}` };
}

/** Waits for the driver to announce `phase`; throws what it says instead. */
async function expectPhase(client: Child, phase: Phase, timeoutMs: number): Promise<number> {
  const line = await client.nextJson(timeoutMs, `${phase} phase`);
  if (line.phase === phase) return Number(line.conns);
  const error = line.ok === false ? String(line.error) : `unexpected line ${JSON.stringify(line)}`;
  throw new Error(`${phase} phase: ${error}`);
}

/** Reads the server's memory at the warm and open phases of W5. */
async function w5Phases(server: Child, client: Child, config: ModeConfig): Promise<W5Memory> {
  const timeout = config.params.w5.maxMs + CLIENT_SLACK_MS;
  await expectPhase(client, "warm", timeout);
  await sleep(config.w5SettleMs);
  const warm = await readRssKib(server.pid);
  await client.writeLine("go");
  const conns = await expectPhase(client, "open", timeout);
  await sleep(config.w5SettleMs);
  const loaded = await readRssKib(server.pid);
  await client.writeLine("go");
  if (warm === null || loaded === null) throw new Error("no /proc/<pid>/status to read RSS from");
  return { rssWarmKib: warm, rssOpenKib: loaded, kibPerConn: (loaded - warm) / conns };
}

/** Counts Redis's commands from W7's "primed" phase to its "caught-up" phase. */
async function w7Phases(
  client: Child,
  redis: RedisProcess | null,
  instances: number,
  config: ModeConfig,
): Promise<RedisCounts | undefined> {
  const timeout = config.params.w7.maxMs + CLIENT_SLACK_MS;
  await expectPhase(client, "primed", timeout);
  await redis?.resetStats();
  await client.writeLine("go");
  await expectPhase(client, "caught-up", timeout);
  const commands = await redis?.commandCounts();
  await client.writeLine("go");
  if (commands === undefined) return undefined;
  const total = Object.values(commands).reduce((sum, calls) => sum + calls, 0);
  const reads = (commands.evalsha ?? 0) + (commands.eval ?? 0);
  return { commands, total, reads, instances };
}

/** How many servers `system` runs for `workload`. */
export function instancesFor(
  system: SystemSpec,
  workload: WorkloadName,
  config: ModeConfig,
): number {
  return workload === "w6" && system.redis ? config.params.w6.instances : 1;
}

/** Runs `workload` once for `system`. */
export async function runOnce(
  system: SystemSpec,
  workload: WorkloadName,
  config: ModeConfig,
  placement: Placement,
): Promise<RunOutcome> {
  let redis: RedisProcess | null = null;
  const children: Child[] = [];
  try {
    if (system.redis) {
      try {
        redis = await RedisProcess.start(placement.server);
      } catch (error) {
        return fail("redis-server", error, children);
      }
    }
    const env: Record<string, string> = redis === null ? {} : { [REDIS_URL_ENV]: redis.url };
    const servers = Array.from(
      { length: instancesFor(system, workload, config) },
      () => new Child(system.server, placement.server, env),
    );
    children.push(...servers);
    let ready: Record<string, unknown>[];
    try {
      ready = await Promise.all(
        servers.map((server) => server.nextJson(config.serverStartMs, "server start")),
      );
    } catch (error) {
      return fail("server", error, children);
    }
    const urls: string[] = [];
    for (const line of ready) {
      const port = Number(line.port);
      if (!Number.isInteger(port) || port <= 0) {
        return fail("server", new Error(`bad ready line ${JSON.stringify(line)}`), children);
      }
      urls.push(`ws://127.0.0.1:${port}/`);
    }
    const driven = driverWorkload(workload);
    const params = config.params[driven];
    const client = new Child(
      [...system.client, driven, urls.join(","), JSON.stringify(params)],
      placement.client,
    );
    children.push(client);
    try {
      const memory = workload === "w5" ? await w5Phases(servers[0]!, client, config) : undefined;
      const counts = workload === "w7"
        ? await w7Phases(client, redis, servers.length, config)
        : undefined;
      const line = await client.nextJson(params.maxMs * 3 + CLIENT_SLACK_MS, "client result");
      await client.stop(STOP_GRACE_MS);
      if (line.ok !== true) return fail("client", new Error(String(line.error)), children);
      const { port: _, ...serverInfo } = ready[0] ?? {};
      return {
        ok: true,
        result: line.result as WorkloadResults[WorkloadName],
        ...(memory === undefined ? {} : { memory }),
        ...(counts === undefined ? {} : { redis: counts }),
        serverInfo,
      };
    } catch (error) {
      return fail("client", error, children);
    }
  } finally {
    await Promise.all(children.map((child) => child.stop(STOP_GRACE_MS)));
    await redis?.stop();
  }
}
