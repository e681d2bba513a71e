/** W2: calls kept `inflight` deep on one connection; calls/s. @module */

import type { Connection, Payload, SystemDriver } from "./system_driver.ts";
import { plainPayload } from "./system_driver.ts";
import { checkEcho } from "./check.ts";
import type { W2Params, W2Result } from "../harness/protocol.ts";
import { perSecond } from "../harness/stats.ts";

/**
 * Makes `calls` calls with up to `inflight` outstanding: each reply starts the
 * next call, until all are made or `deadline` (performance.now()) passed.
 * Resolves to the number of calls completed.
 */
function pipeline(
  conn: Connection,
  payload: (i: number) => Payload,
  calls: number,
  inflight: number,
  deadline: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let started = 0;
    let completed = 0;
    let stopped = false;
    const startOne = (): void => {
      const i = started++;
      conn.echo(payload(i)).then((got) => {
        checkEcho(got, i);
        completed++;
        if (stopped) return;
        if (started < calls && performance.now() < deadline) startOne();
        else if (completed === started) {
          stopped = true;
          resolve(completed);
        }
      }).catch((error: unknown) => {
        stopped = true;
        reject(error);
      });
    };
    const first = Math.min(inflight, calls);
    if (first === 0) resolve(0);
    for (let k = 0; k < first; k++) startOne();
  });
}

/** Runs W2 against `url`. */
export async function runW2(
  driver: SystemDriver,
  url: string,
  params: W2Params,
): Promise<W2Result> {
  const payload = driver.payload ?? plainPayload;
  const conn = await driver.connect(url);
  try {
    const warmupEnd = performance.now() + params.warmupMs;
    await pipeline(conn, payload, params.warmup, params.inflight, warmupEnd);
    const start = performance.now();
    const calls = await pipeline(
      conn,
      payload,
      params.calls,
      params.inflight,
      start + params.maxMs,
    );
    const ms = performance.now() - start;
    return { calls, ms, callsPerSec: perSecond(calls, ms) };
  } finally {
    await conn.close();
  }
}
