/**
 * The wsrpc (rich) client driver: as wsrpc (JSON), with payloads that carry a
 * Date, `{ a: i, s: "hello", d: new Date(i) }`.
 *
 * @module
 */

import { createClient } from "@wsrpc/core/client";
import { runDriver } from "../../_driver.ts";
import { richApi, richPayload } from "../_wsrpc_api.ts";
import { wsrpcDriver } from "../_wsrpc_driver.ts";

const driver = wsrpcDriver((url) => createClient(richApi, { url }), richPayload);

if (import.meta.main) await runDriver(driver);
