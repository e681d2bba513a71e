/**
 * The chat example as several instances on one Redis: a message sent through
 * one instance reaches the room's subscribers on another, a subscriber that
 * joins later gets the room's history from the topic's replay, and
 * `deno task dev:cluster` starts (and stops) a whole cluster. Both dev
 * commands refuse a port that is taken in one line.
 *
 * The Redis tests are skipped (and said to be) where `redis-server` is not
 * installed, unless `CI` is set: then they fail.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Client, createClient } from "../client/mod.ts";
import { api, type ChatApi, type RoomEvent } from "../examples/chat/shared/api.ts";
import { type ChatServer, startChatServer } from "../examples/chat/server.ts";
import { needsRedis, RedisServer } from "./_redis.ts";
import { RawSocket } from "./_server.ts";
import { spawnTask, stopSpawned } from "./_spawned.ts";

const ROOT = new URL("../", import.meta.url);

/** A client of one instance, that gives up on a call after 5 s. */
function clientOf(server: ChatServer): Client<ChatApi> {
  return createClient(api, { url: wsUrl(server.url), timeout: 5_000 });
}

/** The wsrpc endpoint of a page's URL. */
function wsUrl(pageUrl: string): string {
  return new URL("/rpc", pageUrl).href.replace(/^http/, "ws");
}

/** What a test compares of a room event: its text, or its kind. */
function summary(event: RoomEvent): string {
  return event.kind === "message" ? event.text : `(${event.kind})`;
}

/** A subscriber to a room: what it heard, in order. */
class Listener implements Disposable {
  readonly heard: string[] = [];
  readonly #events: AsyncIterator<RoomEvent>;

  constructor(client: Client<ChatApi>, room: string) {
    this.#events = client.chat.messages({ room })[Symbol.asyncIterator]();
  }

  /** Reads the next `count` events (failing after 5 s), and returns them. */
  async next(count: number): Promise<string[]> {
    const read: string[] = [];
    const deadline = Date.now() + 5_000;
    while (read.length < count) {
      const next = await within(
        this.#events.next(),
        deadline - Date.now(),
        () => `Heard only ${read}`,
      );
      if (next.done) throw new Error(`The subscription ended after ${read}`);
      assert.ok(next.value.at instanceof Date, "a Date survives Redis and the wire");
      read.push(summary(next.value));
    }
    this.heard.push(...read);
    return read;
  }

  [Symbol.dispose](): void {
    void this.#events.return?.();
  }
}

Deno.test(needsRedis({
  name: "chat example on two instances: what is sent through one reaches the room on the other",
  fn: async (t) => {
    await using redis = await RedisServer.start({ appendOnly: false });
    const adminToken = "s3cret";
    await using a = await startChatServer({ port: 0, redisUrl: redis.url, adminToken });
    await using b = await startChatServer({ port: 0, redisUrl: redis.url, adminToken });
    assert.equal(a.servedBy, `instance :${a.port} · rooms on Redis, shared by every instance`);
    const onA = clientOf(a);
    const onB = clientOf(b);
    const room = `room-${crypto.randomUUID().slice(0, 8)}`;
    try {
      await onA.chat.send({ room, text: "first", author: "ann" });
      using listenerB = new Listener(onB, room);
      using listenerA = new Listener(onA, room);

      await t.step("a page that joins on B gets what was sent on A", async () => {
        // The replay comes after the subscriber listens: past it, it hears live events.
        assert.deepEqual(await listenerB.next(1), ["first"]);
        assert.deepEqual(await listenerA.next(1), ["first"]);
      });

      await t.step(
        "live messages from both instances reach both, once each, in order",
        async () => {
          const texts = Array.from({ length: 10 }, (_, i) => `live ${i}`);
          for (const [i, text] of texts.entries()) {
            await (i % 2 === 0 ? onA : onB).chat.send({ room, text });
          }
          assert.deepEqual(await listenerB.next(10), texts);
          assert.deepEqual(await listenerA.next(10), texts);
        },
      );

      await t.step("a page that joins later on B gets the room's history", async () => {
        using late = new Listener(onB, room);
        assert.deepEqual(await late.next(11), listenerB.heard);
      });

      await t.step(
        "an admin's clear on A reaches B; a page that joins later starts at it",
        async () => {
          await using admin = await RawSocket.open(wsUrl(a.url), {
            cookie: `chat_admin=${adminToken}`,
          });
          const cleared = { method: "chat.clear", params: { room } };
          assert.deepEqual(
            await admin.request({ jsonrpc: "2.0", id: 1, ...cleared }),
            { jsonrpc: "2.0", id: 1, result: 11 },
          );
          assert.deepEqual(await listenerB.next(1), ["(cleared)"]);
          await onB.chat.send({ room, text: "after the clear" });
          assert.deepEqual(await listenerB.next(1), ["after the clear"]);
          // The page shows what follows the last marker of the replay.
          using late = new Listener(onA, room);
          const replay = await late.next(13);
          assert.deepEqual(replay.slice(replay.lastIndexOf("(cleared)")), [
            "(cleared)",
            "after the clear",
          ]);
        },
      );
    } finally {
      onA.close();
      onB.close();
    }
  },
}));

Deno.test(needsRedis({
  name:
    "deno task dev:cluster runs two instances on a Redis of its own, and SIGTERM stops them all",
  fn: async () => {
    const task = await spawnTask("dev:cluster", (output) => output.includes("Ctrl-C stops them"));
    const { output } = task;
    try {
      const redisPort = Number(/^Redis: redis:\/\/127\.0\.0\.1:(\d+) /m.exec(output)?.[1]);
      const pages = [...output.matchAll(/^Instance \d: (\S+)$/gm)].map((match) => match[1]!);
      assert.equal(pages.length, 2, output);
      assert.ok(await listens(redisPort), `Redis listens on ${redisPort}`);

      for (const page of pages) {
        const html = await (await fetch(page)).text();
        assert.match(
          html,
          new RegExp(`Served by instance :${new URL(page).port} · rooms on Redis`),
        );
        const plain = await fetch(new URL("/rpc", page));
        await plain.body?.cancel();
        assert.equal(plain.status, 426);
      }

      // Two processes, one Redis: a message sent to one reaches a subscriber of the other.
      const [first, second] = pages.map((page) => createClient(api, { url: wsUrl(page) }));
      try {
        const room = `room-${crypto.randomUUID().slice(0, 8)}`;
        await first!.chat.send({ room, text: "across processes" });
        const events = second!.chat.messages({ room })[Symbol.asyncIterator]();
        assert.equal(summary((await events.next()).value), "across processes");
        await events.return?.();
      } finally {
        first!.close();
        second!.close();
      }

      task.child.kill("SIGTERM");
      assert.equal((await task.child.status).code, 0);
      assert.ok(!(await listens(redisPort)), "its redis-server is gone");
      for (const page of pages) assert.ok(!(await listens(Number(new URL(page).port))));
    } finally {
      await stopSpawned(task, "SIGKILL");
    }
  },
}));

for (const task of ["dev", "dev:cluster"]) {
  Deno.test(`deno task ${task}: a port that is taken is one line that names a free PORT`, async () => {
    using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { port } = taken.addr;
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["task", task],
      cwd: ROOT,
      env: { PORT: String(port), NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    // Past the line where deno task echoes the command: what the example says.
    // Deno's own lines: the task it runs, and its notice that the example's config stands apart.
    const said = decoder.decode(stderr).split("\n").filter((line) =>
      line && !/^Task /.test(line) &&
      !/^Warning: config file .* is not a member of the workspace/.test(line)
    );
    assert.equal(said.length, 1, said.join("\n"));
    const line = said[0] ?? "";
    const pattern = new RegExp(
      `^Port ${port} is in use: stop the other server or set PORT=(\\d+)$`,
    );
    const suggested = Number(pattern.exec(line)?.[1]);
    assert.ok(suggested > port, line);
    Deno.listen({ hostname: "127.0.0.1", port: suggested }).close(); // free, as it says
    assert.equal(decoder.decode(stdout), "", "nothing started");
    assert.equal(code, 1);
  });
}

/** Settles as `promise` does, or fails after `ms` milliseconds. */
async function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => timer = setTimeout(() => reject(new Error(what())), ms)),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether something accepts connections on a port of 127.0.0.1. */
async function listens(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}
