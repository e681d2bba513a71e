/**
 * The wsrpc (JSON) client driver: `createClient` from the contract value,
 * default settings (no client-side input validation); W7's resuming
 * connections are plain WebSockets speaking wsrpc's protocol.
 *
 * @module
 */

import { createClient } from "@wsrpc/core/client";
import type { SystemDriver } from "../../_adapter.ts";
import { runDriver } from "../../_driver.ts";
import { jsonApi } from "../_wsrpc_api.ts";
import { wsrpcDriver } from "../_wsrpc_driver.ts";
import { plainResume } from "../_wsrpc_resume.ts";

/** The driver, also wsrpc (Redis)'s. */
export const driver: SystemDriver = {
  ...wsrpcDriver((url) => createClient(jsonApi, { url })),
  resume: plainResume,
};

if (import.meta.main) await runDriver(driver);
