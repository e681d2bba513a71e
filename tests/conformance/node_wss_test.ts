/**
 * On Node, wsrpc as the `connection` handler of the app's own `ws`
 * `WebSocketServer`: the socket is upgraded before wsrpc decides, so its
 * refusals are close codes instead of HTTP answers, and frames sent while
 * the context is made wait.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CloseCode } from "../../protocol.ts";
import { RawSocket } from "../_server.ts";
import type { AppConfig } from "./_app.ts";
import { AppServer, onRuntime } from "./_runtimes.ts";

const node = (
  name: string,
  fn: (server: (config?: AppConfig) => Promise<AppServer>) => Promise<void>,
) =>
  onRuntime(
    "node",
    name,
    () =>
      fn((config = {}) =>
        AppServer.start("node", { nodeServer: "wss", contextDelay: 50, ...config })
      ),
  );

node(
  "as a WebSocketServer's connection handler, calls are served, early frames in order",
  async (start) => {
    await using server = await start();
    await using socket = await RawSocket.open(server.url, { "x-user": "grace" });
    // Sent at once, while the context is still being made.
    socket.send({ jsonrpc: "2.0", id: 1, method: "whoami" });
    socket.send({ jsonrpc: "2.0", id: 2, method: "echo", params: ["hi"] });
    assert.deepEqual(await socket.next(), { jsonrpc: "2.0", id: 1, result: "grace" });
    assert.deepEqual(await socket.next(), { jsonrpc: "2.0", id: 2, result: "grace: hi" });
  },
);

node("as a WebSocketServer's connection handler, refusals are close codes", async (start) => {
  await using server = await start();
  const evil = await RawSocket.open(server.url, { origin: "https://evil.example" });
  const refused = await evil.closed;
  assert.equal(refused.code, CloseCode.Forbidden);
  assert.equal(refused.reason, "Origin https://evil.example is not allowed");

  await using open = await RawSocket.open(server.url);
  assert.deepEqual(await open.request({ jsonrpc: "2.0", id: 1, method: "whoami" }), {
    jsonrpc: "2.0",
    id: 1,
    result: "guest",
  });
  const stopping = server.shutdown();
  assert.equal((await open.closed).code, CloseCode.ServiceRestart);
  assert.deepEqual(await stopping, { connections: 0 });
});

node(
  "as a WebSocketServer's connection handler, an address over its cap is closed with 4429",
  async (start) => {
    await using server = await start({ limits: { maxConnectionsPerIp: 1 } });
    await using first = await RawSocket.open(server.url);
    assert.equal(
      (await first.request({ jsonrpc: "2.0", id: 1, method: "whoami" }) as {
        result: string;
      }).result,
      "guest",
    );
    const second = await RawSocket.open(server.url);
    const closed = await second.closed;
    assert.equal(closed.code, CloseCode.TooManyRequests);
    assert.equal(closed.reason, "Too many connections from your address");
  },
);

node(
  "as a WebSocketServer's connection handler, a context too slow for the deadline is closed with 4408",
  async (start) => {
    // The same row of the one refusal table as the 503 before an upgrade and
    // the 4408 after rpc.connect.
    await using server = await start({ limits: { handshakeTimeout: 100 }, contextDelay: 400 });
    const slow = await RawSocket.open(server.url);
    const closed = await slow.closed;
    assert.equal(closed.code, CloseCode.HandshakeTimeout);
    assert.equal(closed.reason, "The context was not made within 100 ms");
  },
);
