/**
 * The wsrpc (JSON) client driver: `createClient` from the contract value,
 * default settings (no client-side input validation); W7's resuming
 * connections are plain WebSockets speaking wsrpc's protocol.
 *
 * @module
 */

import { createClient } from "@wsrpc/core/client";
import type { SystemDriver } from "../../workloads/system_driver.ts";
import { runDriver } from "../../workloads/run_driver.ts";
import { jsonApi } from "../wsrpc/api.ts";
import { wsrpcDriver } from "../wsrpc/driver.ts";
import { plainResume } from "../wsrpc/resume.ts";

/** The driver, also wsrpc (Redis)'s. */
export const driver: SystemDriver = {
  ...wsrpcDriver((url) => createClient(jsonApi, { url })),
  resume: plainResume,
};

if (import.meta.main) await runDriver(driver);
