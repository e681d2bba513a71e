/**
 * The connection's state as the user sees it: `connection.state`,
 * `onStateChange`, `ready()`, lazy and eager connecting, and closing when idle.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { procedure, router, subscription } from "../../mod.ts";
import { createHandler } from "../../server/mod.ts";
import { createClient } from "../../client/mod.ts";
import { serve } from "../_server.ts";
import { FaultProxy } from "./_proxy.ts";
import { pause, sleep, StateLog, waitFor } from "./_waiting.ts";

const api = router({
  echo: procedure({ input: z.string(), output: z.string() }),
  ticks: subscription({ output: z.number() }),
});

function startServer() {
  const rpc = createHandler(api, {
    handlers: {
      echo: ({ input }) => input,
      ticks: async function* ({ signal }) {
        for (let i = 0; !signal.aborted; i++) {
          yield i;
          await pause(20, signal);
        }
      },
    },
  });
  return { rpc, server: serve(rpc) };
}

Deno.test("onStateChange reports every state, from connecting to closed", async () => {
  const { server } = startServer();
  await using proxy = await FaultProxy.start(`127.0.0.1:${server.port}`);
  const client = createClient(api, {
    url: proxy.url(),
    reconnect: { baseDelay: 20, maxDelay: 100 },
  });
  const log = new StateLog(client.connection);
  assert.equal(client.connection.state, "idle");

  await client.ready();
  assert.equal(client.connection.state, "open");
  await proxy.cut();
  await log.reach("reconnecting");
  await client.ready();
  assert.equal(await client.echo("back"), "back");
  client.close();
  assert.equal(client.connection.state, "closed");
  assert.deepEqual(log.states, ["connecting", "open", "reconnecting", "open", "closed"]);
  await assert.rejects(client.ready(), /The client was closed/);

  const stopped: string[] = [];
  const stop = client.connection.onStateChange((state) => stopped.push(state));
  stop();
  client.close();
  assert.deepEqual(stopped, [], "a listener that stopped hears nothing");
  await server.close();
});

Deno.test("a lazy client opens no connection until its first call", async () => {
  const { rpc, server } = startServer();
  const client = createClient(api, { url: server.url });
  await sleep(100);
  assert.equal(rpc.connections, 0);
  assert.equal(client.connection.state, "idle");
  assert.equal(await client.echo("first"), "first");
  assert.equal(rpc.connections, 1);
  client.close();
  await waitFor("the server to see the close", () => rpc.connections === 0);
  await server.close();
});

Deno.test("lazy: false connects at once", async () => {
  const { rpc, server } = startServer();
  const client = createClient(api, { url: server.url, lazy: false });
  assert.equal(client.connection.state, "connecting");
  await client.ready();
  await waitFor("the server to count the connection", () => rpc.connections === 1);
  client.close();
  await waitFor("the server to see the close", () => rpc.connections === 0);
  await server.close();
});

Deno.test("idleTimeout closes an unused connection, and the next call reopens it", async () => {
  const { rpc, server } = startServer();
  const client = createClient(api, { url: server.url, idleTimeout: 100 });
  const log = new StateLog(client.connection);

  assert.equal(await client.echo("one"), "one");
  await log.reach("idle");
  await waitFor("the server to see the close", () => rpc.connections === 0);

  assert.equal(await client.echo("two"), "two");
  assert.equal(rpc.connections, 1);

  // A live subscription is use: the connection stays open while it runs.
  const ticks: number[] = [];
  const handle = client.ticks().subscribe({ onData: (tick) => ticks.push(tick) });
  await sleep(300);
  assert.equal(client.connection.state, "open");
  assert.ok(ticks.length >= 5, `${ticks.length} ticks`);
  handle.unsubscribe();
  await log.reach("idle", log.states.lastIndexOf("open"));

  // A connection opened by ready() alone, with nothing to do, is idle too.
  await client.ready();
  await log.reach("idle", log.states.lastIndexOf("open"));

  assert.deepEqual(log.states, [
    "connecting",
    "open",
    "idle",
    "connecting",
    "open",
    "idle",
    "connecting",
    "open",
    "idle",
  ]);
  client.close();
  await waitFor("the server to see the close", () => rpc.connections === 0);
  await server.close();
});
