/**
 * wsrpc (JSON) on Bun: `createHandler` of `@wsrpc/core/bun` on `Bun.serve`
 * (its `fetch` upgrades, its `websocket` handlers serve), with the options of
 * the Deno server (wsrpc/json_options.ts), the fan-out on the memory engine.
 * Bundled with `deno bundle`, run by `bun`.
 *
 * @module
 */

import { memoryEngine } from "@wsrpc/core/server";
import { type BunServer, createHandler } from "@wsrpc/core/bun";
import { announceOnNode, HOST } from "../announce_node.ts";
import { bun } from "../bun.ts";
import { jsonApi } from "../wsrpc/api.ts";
import { jsonServer } from "../wsrpc/json_options.ts";

const server = jsonServer(memoryEngine());
const rpc = createHandler(jsonApi, server.options);
await server.started();
const listening = bun.serve({
  hostname: HOST,
  port: 0,
  fetch: (request: Request, bunServer: BunServer) => rpc.fetch(request, bunServer),
  websocket: rpc.websocket,
});
announceOnNode(listening.port);
