/**
 * Signing in with the first frame, on every runtime: `rpc.connect` params
 * become the context, frames sent meanwhile wait in order, and refusals
 * close with the documented codes (the scenarios of
 * tests/connection_params_test.ts).
 *
 * @module
 */

import assert from "node:assert/strict";
import { CloseCode } from "../../protocol.ts";
import { RawSocket } from "../_server.ts";
import { AppServer, conformance } from "./_runtimes.ts";

const connect = (params: unknown) => ({ jsonrpc: "2.0", method: "rpc.connect", params });

conformance(
  "a browser signs in with rpc.connect; frames sent meanwhile wait, in order",
  async (runtime) => {
    await using server = await AppServer.start(runtime, {
      connectionParams: true,
      contextDelay: 100,
    });
    await using socket = await RawSocket.open(server.url);
    socket.send(connect({ token: "t-ada" }));
    socket.send({ jsonrpc: "2.0", id: 1, method: "echo", params: ["one"] });
    socket.send([
      { jsonrpc: "2.0", id: 2, method: "echo", params: ["two"] },
      { jsonrpc: "2.0", id: 3, method: "whoami" },
    ]);
    assert.deepEqual(await socket.next(), { jsonrpc: "2.0", id: 1, result: "ada: one" });
    assert.deepEqual(await socket.next(), [
      { jsonrpc: "2.0", id: 2, result: "ada: two" },
      { jsonrpc: "2.0", id: 3, result: "ada" },
    ]);
  },
);

conformance(
  "refused connection params close with 4400, 4401, 4403 and 4408",
  async (runtime, t) => {
    await using server = await AppServer.start(runtime, {
      connectionParams: true,
      limits: { handshakeTimeout: 300 },
    });
    const closeOf = async (first?: unknown) => {
      const socket = await RawSocket.open(server.url);
      if (first !== undefined) socket.send(first);
      const { code, reason } = await socket.closed;
      return { code, reason };
    };

    await t.step("params that fail the schema: 4400 with the first issue", async () => {
      const { code, reason } = await closeOf(connect({ token: "" }));
      assert.equal(code, CloseCode.BadConnectionParams);
      assert.match(reason, /^Invalid connection params: token: /);
    });

    await t.step("a first frame that is not rpc.connect: 4400", async () => {
      assert.deepEqual(await closeOf({ jsonrpc: "2.0", id: 1, method: "whoami" }), {
        code: CloseCode.BadConnectionParams,
        reason: 'The first frame must be the notification "rpc.connect"',
      });
    });

    await t.step("an unknown token: 4401; a banned one: 4403", async () => {
      assert.deepEqual(await closeOf(connect({ token: "t-eve" })), {
        code: CloseCode.Unauthorized,
        reason: "Unknown token",
      });
      assert.deepEqual(await closeOf(connect({ token: "t-mallory" })), {
        code: CloseCode.Forbidden,
        reason: "Banned",
      });
    });

    await t.step("no rpc.connect within the handshake timeout: 4408", async () => {
      assert.deepEqual(await closeOf(), {
        code: CloseCode.HandshakeTimeout,
        reason: "No rpc.connect came within 300 ms",
      });
    });
  },
);

conformance("a context made from the upgrade request's headers", async (runtime) => {
  await using server = await AppServer.start(runtime);
  await using socket = await RawSocket.open(server.url, { "x-user": "grace" });
  assert.deepEqual(await socket.request({ jsonrpc: "2.0", id: 1, method: "whoami" }), {
    jsonrpc: "2.0",
    id: 1,
    result: "grace",
  });
});
