/**
 * wsrpc (JSON) on Node: `createHandler` of `@wsrpc/core/node` on a
 * `node:http` server's `upgrade` event (the `ws` package underneath), with
 * the options of the Deno server (wsrpc/json_options.ts), the fan-out on the
 * memory engine. Bundled with `deno bundle`, run by `node`.
 *
 * @module
 */

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { memoryEngine } from "@wsrpc/core/server";
import { createHandler } from "@wsrpc/core/node";
import { announceOnNode, HOST } from "../announce_node.ts";
import { jsonApi } from "../wsrpc/api.ts";
import { jsonServer } from "../wsrpc/json_options.ts";

const server = jsonServer(memoryEngine());
const rpc = createHandler(jsonApi, server.options);
await server.started();
const http = createServer((_request, response) => {
  response.statusCode = 426;
  response.end("websocket only\n");
});
http.on("upgrade", rpc.handleUpgrade);
http.listen(0, HOST, () => announceOnNode((http.address() as AddressInfo).port));
