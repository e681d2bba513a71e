/**
 * Runs one workload once for one system: a fresh server pinned to CPU 0, a
 * client driver pinned to CPU 1, and for W5 the server's memory read at each
 * phase.
 *
 * @module
 */

import type { ModeConfig } from "./_config.ts";
import { readRssKib } from "./_host.ts";
import { Child } from "./_process.ts";
import type { SpawnOptions } from "./_process.ts";
import type { W5Phase, WorkloadName, WorkloadResults } from "./_protocol.ts";
import { sleep } from "./_stats.ts";
import type { SystemSpec } from "./_systems.ts";

/** W5's memory readings, in KiB. */
export interface W5Memory {
  readonly rssWarmKib: number;
  readonly rssOpenKib: number;
  readonly kibPerConn: number;
}

/** One run's outcome. */
export type RunOutcome =
  | {
    readonly ok: true;
    readonly result: WorkloadResults[WorkloadName];
    readonly memory?: W5Memory;
    readonly serverInfo: Record<string, unknown>;
  }
  | { readonly ok: false; readonly error: string };

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
async function expectPhase(client: Child, phase: W5Phase, timeoutMs: number): Promise<number> {
  const line = await client.nextJson(timeoutMs, `w5 ${phase} phase`);
  if (line.phase === phase) return Number(line.conns);
  const error = line.ok === false ? String(line.error) : `unexpected line ${JSON.stringify(line)}`;
  throw new Error(`w5 ${phase} phase: ${error}`);
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

/** Runs `workload` once for `system`. */
export async function runOnce(
  system: SystemSpec,
  workload: WorkloadName,
  config: ModeConfig,
  placement: Placement,
): Promise<RunOutcome> {
  const server = new Child(system.server, placement.server);
  const children = [server];
  try {
    let ready: Record<string, unknown>;
    try {
      ready = await server.nextJson(config.serverStartMs, "server start");
    } catch (error) {
      return fail("server", error, children);
    }
    const port = Number(ready.port);
    if (!Number.isInteger(port) || port <= 0) {
      return fail("server", new Error(`bad ready line ${JSON.stringify(ready)}`), children);
    }
    const params = config.params[workload];
    const url = `ws://127.0.0.1:${port}/`;
    const client = new Child(
      [...system.client, workload, url, JSON.stringify(params)],
      placement.client,
    );
    children.push(client);
    try {
      const memory = workload === "w5" ? await w5Phases(server, client, config) : undefined;
      const line = await client.nextJson(params.maxMs * 3 + CLIENT_SLACK_MS, "client result");
      await client.stop(STOP_GRACE_MS);
      if (line.ok !== true) return fail("client", new Error(String(line.error)), children);
      const { port: _, ...serverInfo } = ready;
      return {
        ok: true,
        result: line.result as WorkloadResults[WorkloadName],
        ...(memory === undefined ? {} : { memory }),
        serverInfo,
      };
    } catch (error) {
      return fail("client", error, children);
    }
  } finally {
    await Promise.all(children.map((child) => child.stop(STOP_GRACE_MS)));
  }
}
