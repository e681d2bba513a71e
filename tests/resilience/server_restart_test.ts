/**
 * The server goes away and comes back on the same port: calls made in
 * between wait in a bounded queue and are delivered once it is back.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { ErrorCode, procedure, router, RpcError } from "../../mod.ts";
import { createHandler } from "../../server/mod.ts";
import { createClient } from "../../client/mod.ts";
import { serve, type TestServer } from "../_server.ts";
import { rpcRejection, settledFlag, sleep, StateLog, waitFor } from "./_waiting.ts";

const api = router({
  whoami: procedure({ input: z.number(), output: z.string() }),
});

/** A server named `name` that records the inputs it was called with, in order. */
function startServer(name: string, port = 0): { server: TestServer; received: number[] } {
  const received: number[] = [];
  const rpc = createHandler(api, {
    handlers: {
      whoami: ({ input }) => {
        received.push(input);
        return `${name} got ${input}`;
      },
    },
  });
  return { server: serve(rpc, { port }), received };
}

Deno.test("the server restarts on the same port", async (t) => {
  const a = startServer("A");
  const { port } = a.server;
  const client = createClient(api, {
    url: a.server.url,
    reconnect: { baseDelay: 20, maxDelay: 100 },
    maxQueue: 3,
  });
  const log = new StateLog(client.connection);
  assert.equal(await client.whoami(0), "A got 0");

  await a.server.close();
  const down = await log.reach("reconnecting");

  await t.step("a waiting call still fails at its own timeout, saying why it waited", async () => {
    const error = await rpcRejection(client.whoami(9, { timeout: 100 }));
    assert.equal(error.code, ErrorCode.Timeout);
    assert.equal(
      error.message,
      `The call to whoami timed out: could not connect to ${a.server.url}: ` +
        "connection refused (is the server running?)",
    );
    assert.ok(error.cause instanceof RpcError);
  });

  let queued: Array<Promise<string>> = [];
  await t.step("calls made while it is down wait instead of failing", async () => {
    queued = [client.whoami(1), client.whoami(2), client.whoami(3)];
    const settled = queued.map(settledFlag);
    await sleep(200); // Several failed attempts, at most 100 ms apart.
    assert.deepEqual(settled.map((isSettled) => isSettled()), [false, false, false]);
  });

  await t.step("past maxQueue, a new call fails at once with Unavailable", async () => {
    const error = await rpcRejection(client.whoami(4));
    assert.equal(error.code, ErrorCode.Unavailable);
    assert.equal(
      error.message,
      "3 calls are already waiting for a connection; whoami was not sent",
    );
  });

  const b = startServer("B", port);
  await t.step("once it is back, the queued calls are delivered, in order", async () => {
    assert.deepEqual(await Promise.all(queued), ["B got 1", "B got 2", "B got 3"]);
    assert.deepEqual(b.received, [1, 2, 3]);
    assert.deepEqual(a.received, [0]);
    assert.deepEqual(log.since(down), ["reconnecting", "open"]);
  });

  client.close();
  await b.server.close();
});

Deno.test("a client that gives up reconnecting fails what it holds", async () => {
  const a = startServer("A");
  const client = createClient(api, {
    url: a.server.url,
    reconnect: { baseDelay: 10, maxDelay: 20, maxAttempts: 3 },
  });
  const log = new StateLog(client.connection);
  assert.equal(await client.whoami(0), "A got 0");
  await a.server.close();
  await log.reach("reconnecting");

  const error = await rpcRejection(client.whoami(1));
  assert.equal(error.code, ErrorCode.ConnectionLost);
  const gaveUp = "Gave up reconnecting after 3 attempts: " +
    `Could not connect to ${a.server.url}: connection refused (is the server running?)`;
  assert.equal(error.message, gaveUp);
  assert.deepEqual(log.states, ["connecting", "open", "reconnecting", "closed"]);
  await waitFor("the client to be closed", () => client.connection.state === "closed");
  const later = await rpcRejection(client.whoami(2));
  assert.equal(later.message, gaveUp);
  await assert.rejects(client.ready());
  client.close();
});
