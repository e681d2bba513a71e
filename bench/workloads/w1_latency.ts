/** W1: sequential calls on one connection; p50 and p99 round trip. @module */

import type { SystemDriver } from "./system_driver.ts";
import { plainPayload } from "./system_driver.ts";
import { checkEcho } from "./check.ts";
import type { W1Params, W1Result } from "../harness/protocol.ts";
import { mean, percentile } from "../harness/stats.ts";

/** Runs W1 against `url`. */
export async function runW1(
  driver: SystemDriver,
  url: string,
  params: W1Params,
): Promise<W1Result> {
  const payload = driver.payload ?? plainPayload;
  const conn = await driver.connect(url);
  try {
    const warmupEnd = performance.now() + params.warmupMs;
    for (let i = 0; i < params.warmup && performance.now() < warmupEnd; i++) {
      checkEcho(await conn.echo(payload(i)), i);
    }
    const samples = new Float64Array(params.calls);
    const deadline = performance.now() + params.maxMs;
    let done = 0;
    while (done < params.calls) {
      const start = performance.now();
      const got = await conn.echo(payload(done));
      const end = performance.now();
      checkEcho(got, done);
      samples[done++] = (end - start) * 1000;
      if (end > deadline) break;
    }
    const measured = samples.subarray(0, done).sort();
    return {
      calls: done,
      p50Us: percentile(measured, 50),
      p99Us: percentile(measured, 99),
      meanUs: mean(measured),
    };
  } finally {
    await conn.close();
  }
}
