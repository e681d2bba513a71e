/**
 * Graceful shutdown: server A drains (running calls finish, subscriptions
 * end, new upgrades get 503, clients are told to reconnect), then closes
 * with 1012; server B starts on the same port, and the clients come back on
 * their own at different moments and resume their subscriptions.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { ErrorCode, procedure, router, subscription } from "../../mod.ts";
import { createHandler, tracked } from "../../server/mod.ts";
import { type Client, createClient } from "../../client/mod.ts";
import { RawSocket, serve } from "../_server.ts";
import { EventLog } from "./_event_log.ts";
import { pause, range, rpcRejection, settledFlag, StateLog, waitFor } from "./_waiting.ts";

const api = router({
  work: procedure({ input: z.number(), output: z.string() }),
  retryableWork: procedure({ input: z.number(), output: z.string(), idempotent: true }),
  whoami: procedure({ output: z.string() }),
  feed: subscription({ output: z.object({ n: z.number(), server: z.string() }) }),
});

/** A server called `name`. On A, work takes the given ms; B is fast. */
function startServer(name: "A" | "B", log: EventLog<number>, port = 0) {
  const generators = { started: 0, finished: 0 };
  const work = { started: 0, done: 0, cancelled: 0 };
  const doWork = async (ms: number, signal: AbortSignal) => {
    work.started++;
    await pause(name === "A" ? ms : 0, signal);
    if (signal.aborted) {
      work.cancelled++;
      throw new Error("Cancelled");
    }
    work.done++;
    return `done by ${name}`;
  };
  const rpc = createHandler(api, {
    onError: () => {},
    handlers: {
      work: ({ input, signal }) => doWork(input, signal),
      retryableWork: ({ input, signal }) => doWork(input, signal),
      whoami: () => name,
      feed: async function* ({ lastEventId, signal }) {
        generators.started++;
        try {
          for await (const event of log.tail(lastEventId, signal)) {
            yield tracked(event.id, { n: event.value, server: name });
          }
        } finally {
          generators.finished++;
        }
      },
    },
  });
  return { rpc, generators, work, server: serve(rpc, { port }) };
}

/** The status line a WebSocket upgrade request gets, over a raw TCP connection. */
async function upgradeStatus(port: number): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(
      "GET /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    ));
    const buffer = new Uint8Array(1024);
    const read = await conn.read(buffer);
    const text = new TextDecoder().decode(buffer.subarray(0, read ?? 0));
    return text.slice(0, text.indexOf("\r\n"));
  } finally {
    conn.close();
  }
}

Deno.test("graceful shutdown, then a new server on the same port", async (t) => {
  const log = new EventLog<number>();
  const a = startServer("A", log);
  const { port } = a.server;
  const clients: Array<Client<typeof api>> = [];
  const states: StateLog[] = [];
  const feeds: Array<Array<{ n: number; server: string }>> = [];
  const reading: Array<Promise<void>> = [];
  for (let i = 0; i < 6; i++) {
    const client = createClient(api, {
      url: a.server.url,
      reconnect: { baseDelay: 400, maxDelay: 1_000 },
    });
    clients.push(client);
    states.push(new StateLog(client.connection));
    const seen: Array<{ n: number; server: string }> = [];
    feeds.push(seen);
    reading.push((async () => {
      for await (const event of client.feed()) seen.push(event);
    })());
  }
  const raw = await RawSocket.open(a.server.url);
  log.append(...range(5));
  await waitFor("every client to have five events", () => feeds.every((s) => s.length === 5));

  const [first, second] = clients as [Client<typeof api>, Client<typeof api>];
  const quick = first.work(200);
  const tooLong = rpcRejection(first.work(10_000));
  const retried = first.retryableWork(10_000);
  await waitFor("the calls to reach A", () => a.work.started === 3);

  const shutdown = a.rpc.shutdown({ timeout: 600 });
  const shutdownDone = settledFlag(shutdown);

  await t.step("clients are told to reconnect, and A's generators end", async () => {
    assert.deepEqual(await raw.next(), { jsonrpc: "2.0", method: "rpc.reconnect" });
    await waitFor("A's generators to end", () => a.generators.finished === 6);
    assert.equal(shutdownDone(), false, "while calls still run");
  });

  await t.step("a new upgrade gets 503", async () => {
    assert.equal(await upgradeStatus(port), "HTTP/1.1 503 Service Unavailable");
  });

  const during = second.whoami();
  await t.step("a call that was running finishes normally", async () => {
    assert.equal(await quick, "done by A");
  });

  await t.step("one still running at the deadline fails with ConnectionLost", async () => {
    const error = await tooLong;
    assert.equal(error.code, ErrorCode.ConnectionLost);
    assert.match(error.message, /during the call to work; it may or may not have run/);
    await shutdown;
    assert.equal((await raw.closed).code, 1012);
    await waitFor("A to cancel what was still running", () => a.work.cancelled === 2);
    assert.equal(a.rpc.connections, 0);
  });
  await a.server.close();

  log.append(...range(10).slice(5)); // Published while no server is up.
  const b = startServer("B", log, port);

  await t.step("clients come back to B by themselves, at different moments", async () => {
    const reopened = await Promise.all(states.map(async (state) => {
      const index = await state.reach("open", await state.reach("reconnecting"));
      return state.entries[index]!.at;
    }));
    const spread = Math.max(...reopened) - Math.min(...reopened);
    // Full jitter draws each first delay from [0, 400 ms): six clients land
    // within 25 ms of each other less than once in 100,000 runs. Without
    // jitter they would all land within a few ms.
    assert.ok(spread >= 25, `reconnects spread over ${spread} ms`);
    for (const state of states) {
      assert.deepEqual(state.states, ["connecting", "open", "reconnecting", "open"]);
    }
  });

  await t.step("subscriptions resume on B with nothing lost or repeated", async () => {
    await waitFor("every client to have ten events", () => feeds.every((s) => s.length === 10));
    for (const seen of feeds) {
      assert.deepEqual(seen.map((event) => event.n), range(10));
      assert.deepEqual(seen.map((event) => event.server), [
        ...Array(5).fill("A"),
        ...Array(5).fill("B"),
      ]);
    }
  });

  await t.step("calls held back during the drain go to B", async () => {
    assert.equal(await during, "B");
    assert.equal(await retried, "done by B", "the idempotent call was sent again");
    assert.equal(b.work.done, 1);
  });

  log.end();
  await Promise.all(reading);
  for (const client of clients) client.close();
  await waitFor("B's generators to end", () => b.generators.finished === 6);
  await b.server.close();
});
