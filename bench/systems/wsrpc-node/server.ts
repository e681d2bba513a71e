/**
 * wsrpc (JSON) on Node: the server of wsrpc/node_server.ts with the fan-out
 * on the memory engine. Bundled with `deno bundle`, run by `node`.
 *
 * @module
 */

import { memoryEngine } from "@wsrpc/core/server";
import { serveJsonOnNode } from "../wsrpc/node_server.ts";

await serveJsonOnNode(memoryEngine());
