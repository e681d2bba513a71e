/**
 * Subscriptions say when they are live: `started` resolves, and `onStarted`
 * is called, when the server acknowledges the subscription, before the first
 * event; `onStarted` again after each reconnect. On both kinds of client.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { ErrorCode, procedure, router, subscription } from "../mod.ts";
import { createHandler } from "../server/mod.ts";
import { type Client, type ClientOptions, createClient } from "../client/mod.ts";
import { serve, type TestServer } from "./_server.ts";
import { EventLog } from "./resilience/_event_log.ts";
import { FaultProxy } from "./resilience/_proxy.ts";
import { pause, rpcRejection, sleep, waitFor } from "./resilience/_waiting.ts";

const api = router({
  ping: procedure({ output: z.literal("pong") }),
  count: subscription({ input: z.object({ to: z.number().int().min(0) }), output: z.number() }),
  forever: subscription({ output: z.number() }),
  feed: subscription({ output: z.string() }),
});
type Api = typeof api;

/** The handlers, over one event log that outlives any one server. */
function handler(log: EventLog<string>) {
  return createHandler(api, {
    onError: () => {},
    handlers: {
      ping: () => "pong" as const,
      count: async function* ({ input }) {
        for (let i = 1; i <= input.to; i++) yield i;
      },
      forever: async function* ({ signal }) {
        for (let i = 0; !signal.aborted; i++) {
          yield i;
          await pause(5, signal);
        }
      },
      feed: ({ lastEventId, signal }) => log.tail(lastEventId, signal),
    },
  });
}

interface Kind {
  name: string;
  connect(url: string, options?: Omit<ClientOptions, "url">): Client<Api>;
}

const KINDS: Kind[] = [
  {
    name: "the client made from the contract",
    connect: (url, options) => createClient(api, { url, ...options }),
  },
  {
    name: "the client made from the contract's type",
    connect: (url, options) => createClient<Api>({ url, ...options }),
  },
];

/**
 * A server that speaks raw frames: it answers a subscription with its
 * acknowledgement and its first event in one batch, the hardest case for
 * "started before the first event".
 */
function batchingServer(): { url: string } & AsyncDisposable {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = (event) => {
      const frame = JSON.parse(String(event.data));
      if (typeof frame.id !== "number") return;
      const { id } = frame;
      socket.send(JSON.stringify([
        { jsonrpc: "2.0", id, result: { subscription: id } },
        { jsonrpc: "2.0", method: "rpc.data", params: { subscription: id, data: 1 } },
        { jsonrpc: "2.0", method: "rpc.data", params: { subscription: id, data: 2 } },
        { jsonrpc: "2.0", method: "rpc.complete", params: { subscription: id } },
      ]));
    };
    return response;
  });
  return {
    url: `ws://127.0.0.1:${server.addr.port}/rpc`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

for (const kind of KINDS) {
  Deno.test(`${kind.name}: started resolves before the first event is delivered`, async (t) => {
    const log = new EventLog<string>();
    await using server = serve(handler(log));
    const client = kind.connect(server.url);
    try {
      await t.step("read with for await", async () => {
        const heard: string[] = [];
        const ticks = client.count({ to: 2 }, { onStarted: () => heard.push("onStarted") });
        ticks.started.then(() => heard.push("started"));
        for await (const tick of ticks) heard.push(`tick ${tick}`);
        assert.deepEqual(heard, ["onStarted", "started", "tick 1", "tick 2"]);
      });

      await t.step("read with an observer", async () => {
        const heard: string[] = [];
        const ticks = client.count({ to: 2 }, { onStarted: () => heard.push("option") });
        ticks.started.then(() => heard.push("started"));
        await new Promise<void>((resolve, reject) => {
          ticks.subscribe({
            onStarted: () => heard.push("observer"),
            onData: (tick) => heard.push(`tick ${tick}`),
            onError: reject,
            onComplete: resolve,
          });
        });
        assert.deepEqual(heard, ["option", "observer", "started", "tick 1", "tick 2"]);
      });

      await t.step("an observer that comes after the start hears it at once", async () => {
        const ticks = client.count({ to: 1 });
        await ticks.started; // opens it; the event waits to be read
        const heard: string[] = [];
        await new Promise<void>((resolve, reject) => {
          ticks.subscribe({
            onStarted: () => heard.push("started"),
            onData: (tick) => heard.push(`tick ${tick}`),
            onError: reject,
            onComplete: resolve,
          });
        });
        assert.deepEqual(heard, ["started", "tick 1"]);
      });

      await t.step("when the start and the first event share a frame", async () => {
        await using batching = batchingServer();
        const raw = kind.connect(batching.url);
        try {
          const heard: string[] = [];
          const ticks = raw.count({ to: 2 }, { onStarted: () => heard.push("onStarted") });
          ticks.started.then(() => heard.push("started"));
          for await (const tick of ticks) heard.push(`tick ${tick}`);
          assert.deepEqual(heard, ["onStarted", "started", "tick 1", "tick 2"]);

          // Sent as a call first (type only): the events in the acknowledgement's frame are kept.
          const later = raw.count({ to: 2 });
          await sleep(50); // long enough for the reply

          const stream = await later;
          const events: number[] = [];
          for await (const tick of stream) events.push(tick);
          assert.deepEqual(events, [1, 2]);
        } finally {
          raw.close();
        }
      });
    } finally {
      client.close();
    }
  });

  Deno.test(`${kind.name}: started rejects when the subscription fails to start`, async (t) => {
    const log = new EventLog<string>();
    await using server = serve(handler(log));
    const client = kind.connect(server.url);
    try {
      await t.step("with the server's error, and onStarted is never called", async () => {
        let starts = 0;
        const refused = client.count({ to: -1 }, { onStarted: () => starts++ });
        const error = await rpcRejection(refused.started);
        assert.equal(error.code, ErrorCode.InvalidParams);
        const read = await rpcRejection((async () => {
          for await (const _ of refused) assert.fail("no event");
        })());
        assert.equal(read, error, "reading it fails the same way");
        assert.equal(starts, 0);
      });

      await t.step("with Cancelled when it is unsubscribed first", async () => {
        const forever = client.forever();
        const started = forever.started;
        forever.unsubscribe();
        const error = await rpcRejection(started);
        assert.equal(error.code, ErrorCode.Cancelled);
        assert.match(error.message, /ended before it started/);
      });

      await t.step("and nobody has to await it", async () => {
        client.count({ to: -1 }).started; // asked for, never awaited
        // Read, never asked for `started`: a refusal is no unhandled rejection.
        await rpcRejection((async () => {
          for await (const _ of client.count({ to: -1 })) assert.fail("no event");
        })());
        const forever = client.forever();
        forever.started;
        forever.unsubscribe();
        await sleep(20); // the test fails on an unhandled rejection
      });
    } finally {
      client.close();
    }
  });

  Deno.test(`${kind.name}: onStarted is called again after the link is cut`, async () => {
    const log = new EventLog<string>();
    await using server = serve(handler(log));
    await using proxy = await FaultProxy.start(`127.0.0.1:${server.port}`);
    const client = kind.connect(proxy.url(), { reconnect: { baseDelay: 20, maxDelay: 100 } });
    try {
      const heard: string[] = [];
      const feed = client.feed(undefined, { onStarted: () => heard.push("started") });
      const done = new Promise<void>((resolve, reject) => {
        feed.subscribe({
          onData: (text) => heard.push(text),
          onError: reject,
          onComplete: resolve,
        });
      });
      const started = feed.started;
      await started;
      log.append("a");
      await waitFor("the first event", () => heard.length === 2);
      await proxy.cut();
      await waitFor("the second start", () => heard.length === 3);
      log.append("b");
      await waitFor("the event after it", () => heard.length === 4);
      assert.deepEqual(heard, ["started", "a", "started", "b"]);
      assert.equal(feed.started, started, "`started` is the first start's");
      feed.unsubscribe();
      log.end();
      await Promise.race([done, sleep(50)]);
    } finally {
      client.close();
    }
  });

  Deno.test(`${kind.name}: onStarted is called again after the server restarts`, async () => {
    const log = new EventLog<string>();
    const first = serve(handler(log));
    const { port } = first;
    const client = kind.connect(first.url, { reconnect: { baseDelay: 20, maxDelay: 100 } });
    let second: TestServer | undefined;
    try {
      const heard: string[] = [];
      // Awaited first: on the type-only client, it went out as a call the server acknowledged.
      const feed = await client.feed(undefined, { onStarted: () => heard.push("started") });
      const events = feed[Symbol.asyncIterator]();
      log.append("a");
      assert.deepEqual(await events.next(), { value: "a", done: false });
      await first.close();
      await sleep(50);
      second = serve(handler(log), { port });
      await waitFor("the start on the new server", () => heard.length === 2);
      log.append("b");
      assert.deepEqual(await events.next(), { value: "b", done: false });
      assert.deepEqual(heard, ["started", "started"]);
      await events.return?.();
    } finally {
      client.close();
      await second?.close();
    }
  });
}
