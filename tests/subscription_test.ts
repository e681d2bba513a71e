/**
 * Subscriptions through the typed client: events, completion, errors,
 * unsubscribing, and the server cleaning up after a client goes away.
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { ErrorCode, router, RpcError, subscription } from "../mod.ts";
import { createHandler } from "../server/mod.ts";
import { createClient } from "../client/mod.ts";
import { RawSocket, serve } from "./_server.ts";

const api = router({
  count: subscription({ input: z.object({ to: z.number().int() }), output: z.number() }),
  failing: subscription({ input: z.object({ after: z.number() }), output: z.number() }),
  crashing: subscription({ output: z.number() }),
  forever: subscription({ output: z.number() }),
});

/** What the server saw of its generators: starts, finally blocks, aborted signals. */
class Journal {
  started = 0;
  finished = 0;
  aborted = 0;
  #waiters: Array<() => void> = [];

  finish(signal: AbortSignal): void {
    this.finished++;
    if (signal.aborted) this.aborted++;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves once `count` generators have run their `finally`. */
  async finishedAtLeast(count: number, timeout = 2000): Promise<void> {
    const deadline = Date.now() + timeout;
    while (this.finished < count) {
      if (Date.now() > deadline) throw new Error(`Only ${this.finished} of ${count} finished`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, 20);
      });
      clearTimeout(timer);
    }
  }
}

function startServer() {
  const journal = new Journal();
  const rpc = createHandler(api, {
    onError: () => {},
    handlers: {
      count: async function* ({ input }) {
        for (let i = 1; i <= input.to; i++) yield i;
      },
      failing: async function* ({ input }) {
        for (let i = 1; i <= input.after; i++) yield i;
        throw new RpcError(ErrorCode.Conflict, "The room was closed", { data: { room: "a" } });
      },
      crashing: async function* () {
        yield 1;
        throw new Error("a secret stack trace");
      },
      forever: async function* ({ signal }) {
        journal.started++;
        try {
          let i = 0;
          while (!signal.aborted) {
            yield i++;
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
        } finally {
          journal.finish(signal);
        }
      },
    },
  });
  return { server: serve(rpc), journal };
}

Deno.test("a client reads a subscription to its end", async (t) => {
  const { server } = startServer();
  const client = createClient(api, { url: server.url });

  await t.step("with for await, every event arrives in order and the loop ends", async () => {
    const seen: number[] = [];
    for await (const n of client.count({ to: 5 })) seen.push(n);
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  });

  await t.step("with callbacks, onData then onComplete", async () => {
    const seen: number[] = [];
    await new Promise<void>((resolve, reject) => {
      client.count({ to: 3 }).subscribe({
        onData: (n) => seen.push(n),
        onComplete: resolve,
        onError: reject,
      });
    });
    assert.deepEqual(seen, [1, 2, 3]);
  });

  await t.step("an RpcError from the generator ends the loop with that error", async () => {
    const seen: number[] = [];
    await assert.rejects(
      async () => {
        for await (const n of client.failing({ after: 2 })) seen.push(n);
      },
      (error) => {
        assert.ok(error instanceof RpcError);
        assert.equal(error.code, ErrorCode.Conflict);
        assert.equal(error.message, "The room was closed");
        assert.deepEqual(error.data, { room: "a" });
        return true;
      },
    );
    assert.deepEqual(seen, [1, 2]);
  });

  await t.step(
    "an unexpected error reaches onError as an internal error, without detail",
    async () => {
      const error = await new Promise<RpcError>((resolve) => {
        client.crashing().subscribe({ onError: resolve });
      });
      assert.equal(error.code, ErrorCode.InternalError);
      assert.equal(error.message, "Internal error");
    },
  );

  await t.step("an invalid input fails the subscription before it starts", async () => {
    await assert.rejects(
      async () => {
        for await (const _ of client.count({ to: 1.5 })) assert.fail("no event expected");
      },
      (error) => error instanceof RpcError && error.code === ErrorCode.InvalidParams,
    );
  });

  client.close();
  await server.close();
});

Deno.test("ending a subscription early stops the server's generator", async (t) => {
  const { server, journal } = startServer();
  const client = createClient(api, { url: server.url });

  await t.step(
    "a break in for await runs the generator's finally with its signal aborted",
    async () => {
      const seen: number[] = [];
      for await (const n of client.forever()) {
        seen.push(n);
        if (seen.length === 3) break;
      }
      assert.deepEqual(seen, [0, 1, 2]);
      await journal.finishedAtLeast(1);
      assert.equal(journal.aborted, 1);
    },
  );

  await t.step("unsubscribe() from callbacks does the same", async () => {
    let events = 0;
    const handle = client.forever().subscribe({ onData: () => events++ });
    while (events < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    handle.unsubscribe();
    await journal.finishedAtLeast(2);
    const after = events;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(events, after, "no event is delivered after unsubscribe");
  });

  client.close();
  await server.close();
});

Deno.test("a client that goes away leaves nothing running on the server", async (t) => {
  const { server, journal } = startServer();

  await t.step("client.close() ends the loop quietly and every generator finishes", async () => {
    const client = createClient(api, { url: server.url });
    const subscriptions = [client.forever(), client.forever(), client.forever()];
    const loops = subscriptions.map(async (stream) => {
      let count = 0;
      for await (const _ of stream) count++;
      return count;
    });
    while (journal.started < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    client.close();
    const counts = await Promise.all(loops);
    assert.equal(counts.length, 3);
    await journal.finishedAtLeast(3);
    assert.equal(journal.aborted, 3);
  });

  await t.step("a socket that drops without unsubscribing has its generators ended", async () => {
    const socket = await RawSocket.open(server.url);
    socket.send({ jsonrpc: "2.0", method: "forever", id: 1 });
    socket.send({ jsonrpc: "2.0", method: "forever", id: 2 });
    while (journal.started < 5) await new Promise((resolve) => setTimeout(resolve, 5));
    await socket.close();
    await journal.finishedAtLeast(5);
    assert.equal(journal.aborted, 5);
  });

  await server.close();
});
