/**
 * The wsrpc (JSON) server on Node, for wsrpc (Node) and wsrpc (Redis, Node):
 * `createHandler` of `@wsrpc/core/node` on a `node:http` server's `upgrade`
 * event (the `ws` package underneath), with the options of the Deno server
 * (json_options.ts), the fan-out on a topic of `engine`. What json_server.ts
 * is on Deno.
 *
 * @module
 */

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TopicEngine } from "@wsrpc/core/server";
import { createHandler } from "@wsrpc/core/node";
import { announceOnNode, HOST } from "../announce_node.ts";
import { jsonApi } from "./api.ts";
import { jsonServer } from "./json_options.ts";

/** Serves the bench contract with plain payloads on Node; announces the port once `engine` answers. */
export async function serveJsonOnNode(engine: TopicEngine): Promise<void> {
  const server = jsonServer(engine);
  const rpc = createHandler(jsonApi, server.options);
  await server.started();
  const http = createServer((_request, response) => {
    response.statusCode = 426;
    response.end("websocket only\n");
  });
  http.on("upgrade", rpc.handleUpgrade);
  http.listen(0, HOST, () => announceOnNode((http.address() as AddressInfo).port));
}
