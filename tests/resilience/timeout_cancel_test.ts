/**
 * Timeouts and cancellation: the caller's promise rejects with an error that
 * names the procedure, the server hears `rpc.cancel` and the handler's signal
 * fires, and a reply that comes too late changes nothing.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { ErrorCode, procedure, router } from "../../mod.ts";
import { createHandler } from "../../server/mod.ts";
import { createClient } from "../../client/mod.ts";
import { serve } from "../_server.ts";
import { rejection, rpcRejection, sleep, StateLog, waitFor } from "./_waiting.ts";

const api = router({
  // Waits until its signal fires; answers "finished" if it ever gets that far.
  stuck: procedure({ input: z.string(), output: z.string() }),
  // Ignores its signal and answers after `ms`, even when nobody waits any more.
  stubborn: procedure({ input: z.number(), output: z.string() }),
  echo: procedure({ input: z.string(), output: z.string() }),
});

function startServer() {
  const running: string[] = [];
  const cancelled: Array<{ input: string; reason: unknown }> = [];
  const stubbornDone: number[] = [];
  const rpc = createHandler(api, {
    handlers: {
      stuck: async ({ input, signal }) => {
        running.push(input);
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
        cancelled.push({ input, reason: signal.reason });
        return "finished";
      },
      stubborn: async ({ input }) => {
        await sleep(input);
        stubbornDone.push(input);
        return `late after ${input} ms`;
      },
      echo: ({ input }) => input,
    },
  });
  return { rpc, running, cancelled, stubbornDone, server: serve(rpc) };
}

Deno.test("a call that takes too long times out", async (t) => {
  const { cancelled, stubbornDone, server } = startServer();
  const client = createClient(api, { url: server.url, timeout: 150 });
  const log = new StateLog(client.connection);
  await client.ready();

  await t.step("by the client's default timeout, naming the procedure", async () => {
    const started = Date.now();
    const error = await rpcRejection(client.stuck("default"));
    assert.equal(error.code, ErrorCode.Timeout);
    assert.equal(error.message, "The call to stuck timed out");
    assert.ok(Date.now() - started >= 140, "not before the timeout");
    await waitFor("the handler's signal to fire", () => cancelled.length === 1);
    assert.equal(cancelled[0]!.input, "default");
  });

  await t.step("by a per-call timeout, longer or shorter than the default", async () => {
    const short = await rpcRejection(client.stuck("short", { timeout: 30 }));
    assert.equal(short.message, "The call to stuck timed out");
    await waitFor("the handler's signal to fire", () => cancelled.length === 2);
    assert.equal(cancelled[1]!.input, "short");
    assert.equal(await client.stubborn(300, { timeout: 2_000 }), "late after 300 ms");
  });

  await t.step(
    "each call in flight times out at its own deadline, whatever the order",
    async () => {
      const started = Date.now();
      const long = rpcRejection(client.stuck("long", { timeout: 600 }));
      const soon = rpcRejection(client.stuck("soon", { timeout: 40 }));
      const answered = client.stubborn(20, { timeout: 80 });
      const middle = rpcRejection(client.stuck("middle", { timeout: 250 }));
      const outcomes: string[] = [];
      const settled = [
        long.then(() => outcomes.push("long")),
        soon.then(() => outcomes.push("soon")),
        answered.then((reply) => outcomes.push(reply)),
        middle.then(() => outcomes.push("middle")),
      ];
      await soon;
      assert.ok(Date.now() - started < 400, "the later call's deadline came first");
      await Promise.all(settled);
      assert.deepEqual(outcomes, ["late after 20 ms", "soon", "middle", "long"]);
      assert.ok(Date.now() - started >= 590, "the longest was not cut short");
      await waitFor("every handler's signal to fire", () => cancelled.length === 5);
    },
  );

  await t.step("a reply that arrives after the timeout changes nothing", async () => {
    const error = await rpcRejection(client.stubborn(250));
    assert.equal(error.code, ErrorCode.Timeout);
    assert.equal(error.message, "The call to stubborn timed out");
    await waitFor("the handler to finish anyway", () => stubbornDone.includes(250));
    await sleep(20);
    assert.equal(await client.echo("still fine"), "still fine");
    assert.deepEqual(log.states, ["connecting", "open"], "the connection stayed up");
  });

  client.close();
  await server.close();
});

Deno.test("an aborted call rejects with an AbortError and is cancelled on the server", async (t) => {
  const { running, cancelled, server } = startServer();
  const client = createClient(api, { url: server.url });
  const log = new StateLog(client.connection);
  await client.ready();

  await t.step("aborting a running call", async () => {
    const controller = new AbortController();
    const call = client.stuck("aborted", { signal: controller.signal });
    await waitFor("the call to reach the handler", () => running.includes("aborted"));
    controller.abort(new Error("the user left the page"));
    const error = await rejection(call);
    assert.ok(error instanceof DOMException, `expected a DOMException, got ${error}`);
    assert.equal(error.name, "AbortError");
    assert.equal(error.message, "The call to stuck was aborted");
    assert.equal((error.cause as Error).message, "the user left the page");
    await waitFor("the handler's signal to fire", () => cancelled.length === 1);
    assert.equal(cancelled[0]!.input, "aborted");
  });

  await t.step("a signal that has already fired sends nothing", async () => {
    const error = await rejection(client.stuck("never sent", { signal: AbortSignal.abort() }));
    assert.ok(error instanceof DOMException);
    assert.equal(error.name, "AbortError");
    assert.equal(error.message, "The call to stuck was aborted");
    await sleep(50);
    assert.deepEqual(running, ["aborted"], "the handler never ran");
  });

  await t.step("the connection carries on", async () => {
    assert.equal(await client.echo("after"), "after");
    assert.deepEqual(log.states, ["connecting", "open"]);
  });

  client.close();
  await server.close();
});

Deno.test("a late reply from a server that ignores rpc.cancel is dropped by the client", async () => {
  // A raw server that answers every call 100 ms late, cancelled or not.
  const frames: unknown[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      frames.push(frame);
      if (frame.id === undefined) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (socket.readyState === WebSocket.OPEN) {
          socket.send(JSON.stringify({ jsonrpc: "2.0", id: frame.id, result: frame.params[0] }));
        }
      }, 100);
      timers.add(timer);
    };
    return response;
  });
  const client = createClient(api, { url: `ws://127.0.0.1:${server.addr.port}/` });
  const log = new StateLog(client.connection);

  const error = await rpcRejection(client.echo("too late", { timeout: 50 }));
  assert.equal(error.message, "The call to echo timed out");
  assert.equal(await client.echo("on time"), "on time", "the late reply is not taken for this one");
  assert.deepEqual(frames, [
    { jsonrpc: "2.0", id: 1, method: "echo", params: ["too late"] },
    { jsonrpc: "2.0", method: "rpc.cancel", params: { id: 1 } },
    { jsonrpc: "2.0", id: 2, method: "echo", params: ["on time"] },
  ]);
  assert.deepEqual(log.states, ["connecting", "open"]);
  client.close();
  for (const timer of timers) clearTimeout(timer);
  await server.shutdown();
});
