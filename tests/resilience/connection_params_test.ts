/**
 * Credentials on every connect: `connectionParams` as an async function is
 * called again for each connection, and its result is the first frame.
 *
 * The server is a raw `Deno.upgradeWebSocket` one that records what each
 * connection sends, so this tests the client alone.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { procedure, router } from "../../mod.ts";
import { createClient } from "../../client/mod.ts";
import { StateLog, waitFor } from "./_waiting.ts";

const api = router({ whoami: procedure({ output: z.string() }) });

/**
 * A server that keeps every frame of every connection, and answers `whoami`
 * with the token that connection's `rpc.connect` carried.
 */
function startRecordingServer() {
  const connections: Array<{ frames: unknown[]; socket: WebSocket }> = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    const frames: unknown[] = [];
    connections.push({ frames, socket });
    socket.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      frames.push(frame);
      if (frame.method === "whoami") {
        const hello = frames[0] as { params?: { token?: string } };
        const result = `token ${hello.params?.token}`;
        socket.send(JSON.stringify({ jsonrpc: "2.0", id: frame.id, result }));
      }
    };
    return response;
  });
  return { connections, server, url: `ws://127.0.0.1:${server.addr.port}/` };
}

Deno.test("an async connectionParams is called again on every connect", async () => {
  const { connections, server, url } = startRecordingServer();
  let issued = 0;
  const client = createClient(api, {
    url,
    reconnect: { baseDelay: 20, maxDelay: 50 },
    connectionParams: async () => {
      await Promise.resolve(); // As a token refresh would.
      return { token: `t${++issued}` };
    },
  });
  const log = new StateLog(client.connection);

  assert.equal(await client.whoami(), "token t1");
  connections[0]!.socket.close(1012, "The server is restarting");
  await log.reach("open", await log.reach("reconnecting"));
  assert.equal(await client.whoami(), "token t2");

  assert.equal(issued, 2);
  assert.equal(connections.length, 2);
  for (const [index, { frames }] of connections.entries()) {
    assert.deepEqual(frames[0], {
      jsonrpc: "2.0",
      method: "rpc.connect",
      params: { token: `t${index + 1}` },
    }, "the first frame of each connection carries a fresh token");
    assert.equal((frames[1] as { method: string }).method, "whoami");
  }
  client.close();
  await waitFor("the server to see the close", () => connections[1]!.socket.readyState === 3);
  await server.shutdown();
});

Deno.test("a connectionParams that fails counts as a failed attempt, and is tried again", async () => {
  const { connections, server, url } = startRecordingServer();
  let calls = 0;
  const client = createClient(api, {
    url,
    reconnect: { baseDelay: 20, maxDelay: 50 },
    connectionParams: () => {
      if (++calls === 1) throw new Error("The token service is down");
      return { token: "fresh" };
    },
  });
  assert.equal(await client.whoami(), "token fresh");
  assert.equal(calls, 2);
  assert.equal(connections.length, 2, "the first socket was closed unused");
  assert.deepEqual(connections[0]!.frames, []);
  client.close();
  await server.shutdown();
});
