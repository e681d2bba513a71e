/**
 * The wsrpc (Redis) client driver: wsrpc (JSON)'s; only the servers differ.
 *
 * @module
 */

import { runDriver } from "../../_driver.ts";
import { driver } from "../wsrpc-json/client.ts";

if (import.meta.main) await runDriver(driver);
