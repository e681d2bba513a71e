/**
 * W5: idle connections. The driver opens a few warm connections, reports the
 * "warm" phase, opens `conns` more (one call each, then idle), reports the
 * "open" phase, and closes all. The orchestrator reads the server's memory at
 * each phase.
 *
 * @module
 */

import type { Connection, SystemDriver } from "./system_driver.ts";
import { plainPayload } from "./system_driver.ts";
import { checkEcho } from "./check.ts";
import type { Phase, W5Params, W5Result } from "../harness/protocol.ts";
import { withTimeout } from "../harness/stats.ts";
import { closeAll, openMany } from "./open_many.ts";

/** Announces a phase and resolves when the orchestrator says go on. */
export type PhaseGate = (phase: Phase, conns: number) => Promise<void>;

/** Runs W5 against `url`, calling `gate` at each phase. */
export async function runW5(
  driver: SystemDriver,
  url: string,
  params: W5Params,
  gate: PhaseGate,
): Promise<W5Result> {
  const payload = driver.payload ?? plainPayload;
  const useOnce = async (conn: Connection, i: number): Promise<void> => {
    checkEcho(await conn.echo(payload(i)), i);
  };
  const warm = await withTimeout(
    openMany(driver, url, params.warmConns, params.openBatch, useOnce),
    params.maxMs,
    `opening ${params.warmConns} warm connections`,
  );
  let idle: Connection[] = [];
  try {
    await gate("warm", warm.length);
    const start = performance.now();
    idle = await withTimeout(
      openMany(driver, url, params.conns, params.openBatch, useOnce),
      params.maxMs,
      `opening ${params.conns} connections`,
    );
    const openMs = performance.now() - start;
    await gate("open", idle.length);
    return { conns: idle.length, openMs };
  } finally {
    await closeAll([...warm, ...idle]);
  }
}
