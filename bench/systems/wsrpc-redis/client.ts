/**
 * The wsrpc (Redis) client driver: wsrpc (JSON)'s; only the servers differ.
 *
 * @module
 */

import { runDriver } from "../../workloads/run_driver.ts";
import { driver } from "../wsrpc-json/client.ts";

if (import.meta.main) await runDriver(driver);
