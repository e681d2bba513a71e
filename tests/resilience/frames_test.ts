/**
 * The resilience frames of PROTOCOL.md, sent raw: `rpc.ping`, `rpc.cancel`,
 * tracked events and `lastEventId`, and a graceful shutdown's
 * `rpc.reconnect`, `-32010` and close `1012`.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { procedure, router, subscription } from "../../mod.ts";
import { createHandler, tracked } from "../../server/mod.ts";
import { RawSocket, serve } from "../_server.ts";
import { waitFor } from "./_waiting.ts";

const api = router({
  wait: procedure({ output: z.string() }),
  events: subscription({ output: z.string() }),
});

function startServer() {
  const started: number[] = [];
  const cancelled: unknown[] = [];
  const resumedFrom: Array<string | undefined> = [];
  const rpc = createHandler(api, {
    handlers: {
      wait: async ({ signal }) => {
        started.push(Date.now());
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
        cancelled.push((signal.reason as Error).message);
        return "done";
      },
      events: async function* ({ lastEventId }) {
        resumedFrom.push(lastEventId);
        const log = ["a", "b", "c"];
        const from = lastEventId === undefined ? 0 : Number(lastEventId) + 1;
        for (let i = from; i < log.length; i++) yield tracked(String(i), log[i]!);
      },
    },
  });
  return { rpc, started, cancelled, resumedFrom, server: serve(rpc) };
}

Deno.test("resilience frames on the wire", async (t) => {
  const { rpc, started, cancelled, resumedFrom, server } = startServer();
  const socket = await RawSocket.open(server.url);

  await t.step("rpc.ping is answered with pong", async () => {
    assert.deepEqual(
      await socket.request({ jsonrpc: "2.0", id: "p", method: "rpc.ping" }),
      { jsonrpc: "2.0", id: "p", result: "pong" },
    );
  });

  await t.step("rpc.cancel fires the handler's signal, and no reply follows", async () => {
    socket.send({ jsonrpc: "2.0", id: 1, method: "wait" });
    socket.send({ jsonrpc: "2.0", method: "rpc.cancel", params: { id: 1 } });
    await waitFor("the handler's signal", () => cancelled.length === 1);
    assert.deepEqual(cancelled, ["The client cancelled the call"]);
    await socket.expectSilence(50);
    socket.send({ jsonrpc: "2.0", id: 2, method: "wait" });
    assert.deepEqual(
      await socket.request({ jsonrpc: "2.0", id: 3, method: "rpc.cancel", params: [2] }),
      { jsonrpc: "2.0", id: 3, result: true },
    );
    assert.deepEqual(
      await socket.request({ jsonrpc: "2.0", id: 4, method: "rpc.cancel", params: { id: 99 } }),
      { jsonrpc: "2.0", id: 4, result: false },
    );
  });

  await t.step("tracked events carry an id; lastEventId resumes after it", async () => {
    socket.send({ jsonrpc: "2.0", id: 5, method: "events" });
    assert.deepEqual(await socket.next(), { jsonrpc: "2.0", id: 5, result: { subscription: 5 } });
    assert.deepEqual(await socket.next(), {
      jsonrpc: "2.0",
      method: "rpc.data",
      params: { subscription: 5, id: "0", data: "a" },
    });
    await socket.drain();
    socket.send({ jsonrpc: "2.0", id: 6, method: "events", lastEventId: "0" });
    assert.deepEqual(await socket.next(), { jsonrpc: "2.0", id: 6, result: { subscription: 6 } });
    assert.deepEqual(await socket.next(), {
      jsonrpc: "2.0",
      method: "rpc.data",
      params: { subscription: 6, id: "1", data: "b" },
    });
    assert.deepEqual(resumedFrom, [undefined, "0"]);
    await socket.drain();
  });

  await t.step("a graceful shutdown: rpc.reconnect, -32010 for new calls, close 1012", async () => {
    socket.send({ jsonrpc: "2.0", id: 7, method: "wait" });
    await waitFor("the call to start", () => started.length === 3);
    const shutdown = rpc.shutdown({ timeout: 200 });
    assert.deepEqual(await socket.next(), { jsonrpc: "2.0", method: "rpc.reconnect" });
    assert.deepEqual(await socket.request({ jsonrpc: "2.0", id: 8, method: "wait" }), {
      jsonrpc: "2.0",
      id: 8,
      error: { code: -32010, message: "The server is shutting down; reconnect" },
    });
    await shutdown;
    const closed = await socket.closed;
    assert.equal(closed.code, 1012);
    assert.equal(closed.reason, "The server is restarting");
  });

  await server.close();
});
