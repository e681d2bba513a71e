/**
 * The wsrpc (JSON) server: `createHandler` on `Deno.serve`, plain JSON
 * payloads, zod input validation (always on) and output validation (on, the
 * default); the fan-out on a topic of the memory engine (one process).
 *
 * @module
 */

import { memoryEngine } from "@wsrpc/core/server";
import { serveJson } from "../wsrpc/json_server.ts";

await serveJson(memoryEngine());
