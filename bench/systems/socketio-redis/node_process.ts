/**
 * The client driver's side of the process protocol (bench/harness/protocol.ts)
 * on Node, for socketio-redis's driver: runDriver's counterpart for W6, the
 * one workload this system runs. (Its server announces itself with
 * ../announce_node.ts.)
 *
 * @module
 */

import process from "node:process";
import type { DriverResultLine, W6Params } from "../../harness/protocol.ts";
import type { SystemDriver } from "../../workloads/system_driver.ts";
import { runW6 } from "../../workloads/w6_cross.ts";

/** Extra time the driver allows itself past the workload's own limits, as runDriver. */
const WATCHDOG_SLACK_MS = 30_000;

/** Prints `value` as one JSON line on stdout; resolves once it is written. */
function printLine(value: unknown): Promise<void> {
  return new Promise((resolve) =>
    process.stdout.write(JSON.stringify(value) + "\n", () => resolve())
  );
}

/** Prints the result line and exits, 0 if it is a result. */
async function finish(line: DriverResultLine): Promise<never> {
  await printLine(line);
  process.exit(line.ok ? 0 : 1);
}

/**
 * The driver's main: `client.mjs w6 <url,url...> <params-json>`, the W6 of
 * bench/workloads/ run with `driver`, its result printed as runDriver does.
 */
export async function runW6DriverOnNode(driver: SystemDriver): Promise<never> {
  const [workload, urls, paramsJson] = process.argv.slice(2);
  if (workload !== "w6" || !urls || !paramsJson) {
    return await finish({
      ok: false,
      error: "usage: client w6 <ws-url[,ws-url...]> <params-json>",
    });
  }
  const params = JSON.parse(paramsJson) as W6Params;
  setTimeout(
    () => void finish({ ok: false, error: "driver watchdog fired" }),
    params.maxMs * 3 + WATCHDOG_SLACK_MS,
  ).unref();
  try {
    return await finish({ ok: true, result: await runW6(driver, urls.split(","), params) });
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return await finish({ ok: false, error: text });
  }
}
