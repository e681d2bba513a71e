/**
 * A wsrpc server in its own process, for the test of clients that leave
 * during the upgrade: such a socket makes `Deno.serve` unable to shut down,
 * so the test kills this process instead.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 tests/apps/upgrade_server.ts
 * ```
 *
 * It listens on a free port of 127.0.0.1, prints `{"port":N}`, and serves
 * `connections`: how many connections the server holds.
 *
 * @module
 */

import * as z from "zod";
import { procedure, router } from "../../mod.ts";
import { createHandler, type RpcHandler } from "../../server/mod.ts";

const api = router({ connections: procedure({ output: z.number() }) });

const rpc: RpcHandler = createHandler(api, {
  limits: { maxConnectionsPerIp: 5, handshakeTimeout: 300 },
  // A slow context: a client that leaves at once is gone before the upgrade.
  context: () => new Promise<void>((resolve) => setTimeout(resolve, 20)),
  handlers: { connections: () => rpc.connections },
});

Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log(JSON.stringify({ port })) },
  rpc,
);
