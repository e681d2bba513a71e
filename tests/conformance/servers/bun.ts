/**
 * The conformance app on Bun, on `Bun.serve`: bundled with `deno bundle`,
 * then `bun bun.mjs '<config JSON>'`. Prints `{"port":N}` once it listens;
 * on SIGTERM it shuts down gracefully, prints
 * `{"shutdown":{"connections":N}}` and exits.
 *
 * @module
 */

import process from "node:process";
import { type BunRpcHandler, type BunServer, createHandler } from "../../../server/bun.ts";
import { api, appOptions, readConfig } from "../_app.ts";

/** The part of the `Bun` global this app uses. */
declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch: (request: Request, server: BunServer) => unknown;
    websocket: BunRpcHandler["websocket"];
  }): { port: number; stop(): Promise<void> };
};

const config = readConfig();
const rpc: BunRpcHandler = createHandler(api, appOptions(config, () => rpc.connections));
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: config.port ?? 0,
  fetch: (request, bunServer) => rpc.fetch(request, bunServer),
  websocket: rpc.websocket,
});
console.log(JSON.stringify({ port: server.port }));
process.on("SIGTERM", async () => {
  await rpc.shutdown({ timeout: config.shutdownTimeout });
  console.log(JSON.stringify({ shutdown: { connections: rpc.connections } }));
  await server.stop();
  process.exit(0);
});
