/**
 * `Unavailable` means "not now, and it did not run". During a graceful
 * shutdown the client holds such a call for the next server; from a server
 * that is not going away (an overloaded one) the caller gets the error.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { ErrorCode, procedure, router, RpcError, subscription } from "../../mod.ts";
import { createHandler } from "../../server/mod.ts";
import { createClient } from "../../client/mod.ts";
import { serve } from "../_server.ts";
import { rejection, rpcRejection } from "./_waiting.ts";

const api = router({
  busy: procedure({ output: z.string() }),
  busyFeed: subscription({ output: z.string() }),
});

Deno.test("Unavailable from a server that stays up reaches the caller at once", async (t) => {
  const rpc = createHandler(api, {
    handlers: {
      busy: () => {
        throw new RpcError(ErrorCode.Unavailable, "Too busy, try again later");
      },
      // Refused before it starts: the subscribe request itself gets the error.
      busyFeed: () => {
        throw new RpcError(ErrorCode.Unavailable, "Too busy, try again later");
      },
    },
  });
  const server = serve(rpc);
  const client = createClient(api, { url: server.url, timeout: 5_000 });

  await t.step("a call", async () => {
    const error = await rpcRejection(client.busy());
    assert.equal(error.code, ErrorCode.Unavailable);
    assert.equal(error.message, "Too busy, try again later");
  });

  await t.step("a subscription", async () => {
    const error = await rejection((async () => {
      for await (const _ of client.busyFeed()) assert.fail("no event expected");
    })());
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, ErrorCode.Unavailable);
    assert.equal(error.message, "Too busy, try again later");
  });

  client.close();
  await server.close();
});

Deno.test("a call refused by a server that is going away is sent again to the next", async () => {
  // A raw server. On the first connection it starts to drain as a call comes
  // in: the reconnect notice, then Unavailable for the call, then a 1012 close.
  let connections = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    const connection = ++connections;
    socket.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      if (frame.method !== "busy") return;
      if (connection === 1) {
        socket.send(JSON.stringify({ jsonrpc: "2.0", method: "rpc.reconnect" }));
        socket.send(JSON.stringify({
          jsonrpc: "2.0",
          id: frame.id,
          error: { code: ErrorCode.Unavailable, message: "The server is shutting down; reconnect" },
        }));
        socket.close(1012, "The server is restarting");
      } else {
        socket.send(
          JSON.stringify({ jsonrpc: "2.0", id: frame.id, result: `connection ${connection}` }),
        );
      }
    };
    return response;
  });
  const client = createClient(api, {
    url: `ws://127.0.0.1:${server.addr.port}/`,
    reconnect: { baseDelay: 20, maxDelay: 50 },
  });
  assert.equal(await client.busy(), "connection 2");
  client.close();
  await server.shutdown();
});
