/** W3: one subscription pushing N events; events/s at the client. @module */

import type { Connection, SystemDriver } from "./system_driver.ts";
import { checkEvent } from "./check.ts";
import type { W3Params, W3Result } from "../harness/protocol.ts";
import { perSecond, withTimeout } from "../harness/stats.ts";

/** Receives `n` events on `conn`, checking their order; resolves to ms. */
async function stream(conn: Connection, n: number, maxMs: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await withTimeout(
    conn.events(n, (event) => {
      checkEvent(event, next);
      next++;
    }),
    maxMs,
    `stream of ${n} events`,
  );
  const ms = performance.now() - start;
  if (next !== n) throw new Error(`stream ended after ${next} of ${n} events`);
  return ms;
}

/** Runs W3 against `url`. */
export async function runW3(
  driver: SystemDriver,
  url: string,
  params: W3Params,
): Promise<W3Result> {
  const conn = await driver.connect(url);
  try {
    if (params.warmupEvents > 0) await stream(conn, params.warmupEvents, params.maxMs);
    const ms = await stream(conn, params.events, params.maxMs);
    return { events: params.events, ms, eventsPerSec: perSecond(params.events, ms) };
  } finally {
    await conn.close();
  }
}
