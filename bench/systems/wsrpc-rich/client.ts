/**
 * The wsrpc (rich) client driver: as wsrpc (JSON), with payloads that carry a
 * Date, `{ a: i, s: "hello", d: new Date(i) }`.
 *
 * @module
 */

import { createClient } from "@wsrpc/core/client";
import { runDriver } from "../../workloads/run_driver.ts";
import { richApi, richPayload } from "../wsrpc/api.ts";
import { wsrpcDriver } from "../wsrpc/driver.ts";

const driver = wsrpcDriver((url) => createClient(richApi, { url }), richPayload);

if (import.meta.main) await runDriver(driver);
