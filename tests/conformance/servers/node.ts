/**
 * The conformance app on Node, on `node:http` and the `ws` package (through
 * `handleUpgrade`, or a `WebSocketServer` of its own with `nodeServer: "wss"`): bundled
 * with `deno bundle`, then `node node.mjs '<config JSON>'`. Prints
 * `{"port":N}` once it listens; on SIGTERM it shuts down gracefully, prints
 * `{"shutdown":{"connections":N}}` and exits.
 *
 * @module
 */

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import process from "node:process";
// @ts-types="@types/ws"
import { WebSocketServer } from "ws";
import { createHandler, type NodeRpcHandler } from "../../../server/node.ts";
import { api, appOptions, readConfig } from "../_app.ts";

const config = readConfig();
const rpc: NodeRpcHandler = createHandler(api, appOptions(config, () => rpc.connections));
const server = createServer((_request, response) => {
  response.statusCode = 404;
  response.end("Not found\n");
});
if (config.nodeServer === "wss") {
  // The app's own WebSocketServer upgrades; wsrpc serves what it hands over.
  new WebSocketServer({ server }).on("connection", rpc.handleConnection);
} else server.on("upgrade", rpc.handleUpgrade);
server.listen(config.port ?? 0, "127.0.0.1", () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
process.on("SIGTERM", async () => {
  await rpc.shutdown({ timeout: config.shutdownTimeout });
  console.log(JSON.stringify({ shutdown: { connections: rpc.connections } }));
  server.close();
  process.exit(0);
});
