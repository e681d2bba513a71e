/**
 * A client run without network permission, for the test that checks what
 * `ready()` says then. Prints the error's code and message as JSON.
 *
 * ```sh
 * deno run --no-prompt tests/apps/no_net_client.ts ws://127.0.0.1:8000/rpc
 * ```
 *
 * @module
 */

import { createClient } from "../../client/mod.ts";
import type { RpcError } from "../../mod.ts";

const client = createClient({ url: Deno.args[0] ?? "ws://127.0.0.1:8000/rpc" });
try {
  await client.ready();
  console.log(JSON.stringify({ connected: true }));
} catch (error) {
  const { code, message } = error as RpcError;
  console.log(JSON.stringify({ code, message, state: client.connection.state }));
}
client.close();
