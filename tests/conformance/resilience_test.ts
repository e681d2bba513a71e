/**
 * Failures of the server process, on every runtime: a SIGKILL mid-stream
 * with a restart on the same port, and a graceful shutdown handing the
 * clients over to a new server (the scenarios of
 * tests/resilience/process_kill_test.ts and graceful_shutdown_test.ts).
 *
 * @module
 */

import assert from "node:assert/strict";
import { ErrorCode } from "../../mod.ts";
import { type Client, createClient } from "../../client/mod.ts";
import { RawSocket } from "../_server.ts";
import { range, rpcRejection, sleep, StateLog, waitFor } from "../resilience/_waiting.ts";
import { api, readStore } from "./_app.ts";
import { AppServer, conformance } from "./_runtimes.ts";

const COUNT = 40;

conformance(
  "a tracked subscription survives a SIGKILL with no event lost or repeated",
  async (runtime) => {
    const store = await Deno.makeTempFile({ prefix: "wsrpc-store-", suffix: ".jsonl" });
    const servers = [await AppServer.start(runtime, { store, produce: COUNT })];
    const { port, url } = servers[0]!;
    const client = createClient(api, { url, reconnect: { baseDelay: 20, maxDelay: 100 } });
    const log = new StateLog(client.connection);
    const seen: Array<{ seq: number; token: string; servedBy: number }> = [];
    try {
      for await (const event of client.feed()) {
        seen.push(event);
        if (seen.length === 10) {
          await servers[0]!.kill();
          servers.push(await AppServer.start(runtime, { port, store, produce: COUNT }));
        }
        if (seen.length === COUNT) break;
      }
    } finally {
      client.close();
      for (const server of servers) await server.kill();
    }
    assert.deepEqual(seen.map((event) => event.seq), range(COUNT), "every event, once, in order");
    assert.deepEqual(seen.map(({ servedBy: _, ...event }) => event), readStore(store));
    const servedBy = [...new Set(seen.map((event) => event.servedBy))];
    assert.equal(servedBy.length, 2, "served by the first process, then by the second");
    assert.deepEqual(log.states, ["connecting", "open", "reconnecting", "open", "closed"]);
    await Deno.remove(store);
  },
);

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

conformance("graceful shutdown, then a new server on the same port", async (runtime, t) => {
  const store = await Deno.makeTempFile({ prefix: "wsrpc-log-", suffix: ".jsonl" });
  const append = (from: number, to: number) =>
    Deno.writeTextFile(
      store,
      range(to).slice(from).map((seq) => `${JSON.stringify({ seq, token: `t${seq}` })}\n`).join(
        "",
      ),
      { append: true },
    );
  const a = await AppServer.start(runtime, { store, shutdownTimeout: 600 });
  const { port } = a;
  const clients: Array<Client<typeof api>> = [];
  const feeds: Array<Array<{ seq: number; servedBy: number }>> = [];
  const reading: Array<Promise<void>> = [];
  for (let i = 0; i < 3; i++) {
    const client = createClient(api, { url: a.url, reconnect: { baseDelay: 100, maxDelay: 300 } });
    clients.push(client);
    const seen: Array<{ seq: number; servedBy: number }> = [];
    feeds.push(seen);
    reading.push((async () => {
      for await (const event of client.feed()) {
        seen.push(event);
        if (seen.length === 10) return;
      }
    })());
  }
  let b: AppServer | undefined;
  try {
    const raw = await RawSocket.open(a.url);
    await append(0, 5);
    await waitFor("every client to have five events", () => feeds.every((s) => s.length === 5));
    const first = clients[0]!;
    const quick = first.work(200);
    const tooLong = rpcRejection(first.work(1_500));
    const retried = first.retryableWork(1_500);
    {
      await using watcher = await RawSocket.open(a.url);
      const started = async () =>
        (await watcher.request({ jsonrpc: "2.0", id: 1, method: "stats" }) as {
          result: { work: { started: number } };
        }).result.work.started;
      while (await started() < 3) await sleep(10);
    }
    const shutdown = a.shutdown();

    await t.step("clients are told to reconnect, and new upgrades get 503", async () => {
      assert.deepEqual(await raw.next(), { jsonrpc: "2.0", method: "rpc.reconnect" });
      assert.equal(await upgradeStatus(port), "HTTP/1.1 503 Service Unavailable");
    });

    await t.step("a call that was running finishes; one past the deadline fails", async () => {
      assert.match(await quick, /^done by /);
      const error = await tooLong;
      assert.equal(error.code, ErrorCode.ConnectionLost);
      assert.equal((await raw.closed).code, 1012);
      assert.deepEqual(await shutdown, { connections: 0 });
    });

    await append(5, 10); // Published while no server is up.
    b = await AppServer.start(runtime, { port, store });

    await t.step("clients come back to the new server and resume, nothing lost", async () => {
      await Promise.all(reading);
      for (const seen of feeds) {
        assert.deepEqual(seen.map((event) => event.seq), range(10));
        const servers = [...new Set(seen.map((event) => event.servedBy))];
        assert.equal(servers.length, 2, "A, then B");
      }
      assert.match(await retried, /^done by /, "the idempotent call was sent again, to B");
    });
  } finally {
    for (const client of clients) client.close();
    await a.kill();
    await b?.kill();
    await Deno.remove(store);
  }
});
