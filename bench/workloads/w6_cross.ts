/**
 * W6: W4's fan-out across server instances: the subscribers split
 * round-robin over the instances' urls, the publisher on the first, so most
 * events reach most subscribers through the shared Redis; deliveries/s.
 *
 * @module
 */

import type { SystemDriver } from "./system_driver.ts";
import type { W6Params, W6Result } from "../harness/protocol.ts";
import { runFanOut } from "./w4_fanout.ts";

/** Runs W6 against `urls`, one per server instance. */
export async function runW6(
  driver: SystemDriver,
  urls: readonly string[],
  params: W6Params,
): Promise<W6Result> {
  return { ...await runFanOut(driver, urls, params), instances: urls.length };
}
