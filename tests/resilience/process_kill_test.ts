/**
 * The server process is killed with SIGKILL mid-stream and started again on
 * the same port. A tracked subscription resumes after the last event the
 * client delivered; an untracked one starts over.
 *
 * @module
 */

import assert from "node:assert/strict";
import type * as z from "zod";
import { createClient } from "../../client/mod.ts";
import { api, StoredEvent } from "../apps/resumable_server.ts";
import { ServerProcess } from "./_server_process.ts";
import { range, StateLog } from "./_waiting.ts";

const COUNT = 40;

Deno.test("a tracked subscription survives a SIGKILL with no event lost or repeated", async () => {
  const store = await Deno.makeTempFile({ prefix: "wsrpc-store-", suffix: ".jsonl" });
  const servers = [await ServerProcess.start({ port: 0, store, count: COUNT })];
  const { port, url } = servers[0]!;
  const client = createClient(api, { url, reconnect: { baseDelay: 20, maxDelay: 100 } });
  const log = new StateLog(client.connection);
  const seen: Array<z.infer<typeof StoredEvent> & { servedBy: number }> = [];
  try {
    for await (const event of client.feed()) {
      seen.push(event);
      if (seen.length === 10) {
        await servers[0]!.kill();
        servers.push(await ServerProcess.start({ port, store, count: COUNT }));
      }
    }
  } finally {
    client.close();
    for (const server of servers) await server.kill();
  }

  assert.deepEqual(seen.map((event) => event.seq), range(COUNT), "every event, once, in order");
  const stored = (await Deno.readTextFile(store)).trim().split("\n").map((line) =>
    StoredEvent.parse(JSON.parse(line))
  );
  assert.deepEqual(seen.map(({ servedBy: _, ...event }) => event), stored, "exactly as stored");
  const servedBy = [...new Set(seen.map((event) => event.servedBy))];
  assert.equal(servedBy.length, 2, "served by the first process, then by the second");
  assert.ok(seen.slice(0, 10).every((event) => event.servedBy === servedBy[0]));
  assert.deepEqual(log.states, ["connecting", "open", "reconnecting", "open", "closed"]);
  await Deno.remove(store);
});

Deno.test("an untracked subscription starts over after a SIGKILL", async () => {
  const store = await Deno.makeTempFile({ prefix: "wsrpc-store-", suffix: ".jsonl" });
  const servers = [await ServerProcess.start({ port: 0, store, count: 0 })];
  const { port, url } = servers[0]!;
  const client = createClient(api, { url, reconnect: { baseDelay: 20, maxDelay: 100 } });
  const seen: Array<{ n: number; servedBy: number }> = [];
  try {
    for await (const tick of client.ticks()) {
      seen.push(tick);
      if (seen.length === 5) {
        await servers[0]!.kill();
        servers.push(await ServerProcess.start({ port, store, count: 0 }));
      }
      if (seen.filter((event) => event.servedBy !== seen[0]!.servedBy).length === 3) break;
    }
  } finally {
    client.close();
    for (const server of servers) await server.kill();
  }

  const first = seen.filter((event) => event.servedBy === seen[0]!.servedBy);
  const second = seen.slice(first.length);
  assert.ok(first.length >= 5);
  assert.deepEqual(first.map((event) => event.n), range(first.length));
  assert.deepEqual(second.map((event) => event.n), [0, 1, 2], "from the handler's beginning");
  await Deno.remove(store);
});
