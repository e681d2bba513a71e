/**
 * The conformance app on Deno: `deno run -A deno.ts '<config JSON>'`. Prints
 * `{"port":N}` once it listens; on SIGTERM it shuts down gracefully, prints
 * `{"shutdown":{"connections":N}}` and exits.
 *
 * @module
 */

import { createHandler, type RpcHandler } from "../../../server/mod.ts";
import { api, appOptions, readConfig } from "../_app.ts";

const config = readConfig();
const rpc: RpcHandler = createHandler(api, appOptions(config, () => rpc.connections));
const server = Deno.serve({
  hostname: "127.0.0.1",
  port: config.port ?? 0,
  onListen: ({ port }) => console.log(JSON.stringify({ port })),
}, rpc);
Deno.addSignalListener("SIGTERM", async () => {
  await rpc.shutdown({ timeout: config.shutdownTimeout });
  console.log(JSON.stringify({ shutdown: { connections: rpc.connections } }));
  await server.shutdown();
  Deno.exit(0);
});
