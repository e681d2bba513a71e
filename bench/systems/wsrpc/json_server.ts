/**
 * The server of wsrpc (JSON) and wsrpc (Redis): `createHandler` on
 * `Deno.serve`, plain JSON payloads, zod input validation (always on) and
 * output validation (on, the default), the fan-out on a topic of `engine`
 * (json_options.ts).
 *
 * @module
 */

import { createHandler, type TopicEngine } from "@wsrpc/core/server";
import { announce, HOST } from "../announce.ts";
import { jsonApi } from "./api.ts";
import { jsonServer } from "./json_options.ts";

/** Serves the bench contract with plain payloads; announces the port once `engine` answers. */
export async function serveJson(engine: TopicEngine): Promise<void> {
  const server = jsonServer(engine);
  const rpc = createHandler(jsonApi, server.options);
  await server.started();
  Deno.serve({ hostname: HOST, port: 0, onListen: ({ port }) => announce(port) }, rpc);
}
