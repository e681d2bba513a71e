/**
 * The wsrpc (JSON) client driver: `createClient` from the contract value,
 * default settings (no client-side input validation).
 *
 * @module
 */

import { createClient } from "@wsrpc/core/client";
import { runDriver } from "../../_driver.ts";
import { jsonApi } from "../_wsrpc_api.ts";
import { wsrpcDriver } from "../_wsrpc_driver.ts";

const driver = wsrpcDriver((url) => createClient(jsonApi, { url }));

if (import.meta.main) await runDriver(driver);
