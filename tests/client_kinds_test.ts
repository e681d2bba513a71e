/**
 * Both kinds of client (made from the contract's value, or from its type
 * alone) do what the code says: a call nobody awaits is sent, and `await` on
 * a subscription gives its stream, never the wire's acknowledgement.
 *
 * The client made from the type alone can't tell a procedure from a
 * subscription: unless read in the tick it was made, a subscription goes out
 * as a call, and the server's acknowledgement turns it into the subscription.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { ErrorCode, procedure, router, RpcError, subscription } from "../mod.ts";
import { createHandler } from "../server/mod.ts";
import {
  type Client,
  type ClientOptions,
  type ClientSubscription,
  createClient,
  type WebSocketConstructor,
} from "../client/mod.ts";
import { serve, type TestServer } from "./_server.ts";
import { EventLog } from "./resilience/_event_log.ts";
import { FaultProxy } from "./resilience/_proxy.ts";
import { pause, rpcRejection, sleep, waitFor } from "./resilience/_waiting.ts";

const api = router({
  toggle: procedure({ input: z.object({ id: z.number() }), output: z.boolean() }),
  lookalike: procedure({ output: z.object({ subscription: z.number() }) }),
  count: subscription({ input: z.object({ to: z.number().int().min(0) }), output: z.number() }),
  forever: subscription({ output: z.number() }),
  feed: subscription({ output: z.string() }),
});
type Api = typeof api;

/** A server that writes down what its handlers saw. */
class Backend implements AsyncDisposable {
  readonly toggles: number[] = [];
  /** How many `count` and `forever` handlers started, and how the `forever` ones ended. */
  readonly opened = { count: 0, forever: 0 };
  readonly endings: string[] = [];
  readonly log: EventLog<string> = new EventLog();
  readonly resumedFrom: Array<string | undefined> = [];
  readonly server: TestServer;

  constructor() {
    const rpc = createHandler(api, {
      onError: () => {},
      handlers: {
        toggle: ({ input }) => {
          this.toggles.push(input.id);
          return true;
        },
        lookalike: () => ({ subscription: 1 }),
        count: ({ input }) => this.#count(input.to),
        forever: ({ signal }) => this.#forever(signal),
        feed: ({ lastEventId, signal }) => {
          this.resumedFrom.push(lastEventId);
          return this.log.tail(lastEventId, signal);
        },
      },
    });
    this.server = serve(rpc);
  }

  async *#count(to: number): AsyncGenerator<number> {
    this.opened.count++;
    for (let i = 1; i <= to; i++) yield i;
  }

  async *#forever(signal: AbortSignal): AsyncGenerator<number> {
    this.opened.forever++;
    try {
      for (let i = 0; !signal.aborted; i++) {
        yield i;
        await pause(5, signal);
      }
    } finally {
      this.endings.push(signal.reason instanceof Error ? signal.reason.message : "ended");
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.server.close();
  }
}

/** A WebSocket that writes down the frames the client sends. */
function recording(sent: string[]): WebSocketConstructor {
  return class extends WebSocket {
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      if (typeof data === "string") sent.push(data);
      super.send(data);
    }
  };
}

interface Kind {
  name: string;
  typeOnly: boolean;
  connect(url: string, options?: Omit<ClientOptions, "url">): Client<Api>;
}

const KINDS: Kind[] = [
  {
    name: "the client made from the contract",
    typeOnly: false,
    connect: (url, options) => createClient(api, { url, ...options }),
  },
  {
    name: "the client made from the contract's type",
    typeOnly: true,
    connect: (url, options) => createClient<Api>({ url, ...options }),
  },
];

async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const seen: T[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

/** Reads events until `count` have come, and leaves the subscription open. */
async function take<T>(iterator: AsyncIterator<T>, count: number): Promise<T[]> {
  const seen: T[] = [];
  while (seen.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    seen.push(next.value);
  }
  return seen;
}

function isStream(value: unknown): value is ClientSubscription<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value &&
    !("then" in value);
}

for (const kind of KINDS) {
  Deno.test(`${kind.name}: a call nobody awaits reaches the server's handler`, async () => {
    await using backend = new Backend();
    const client = kind.connect(backend.server.url);
    try {
      const checkbox = { onchange: () => client.toggle({ id: 1 }) };
      checkbox.onchange(); // before the connection opens: it waits in the queue
      await waitFor("the first toggle", () => backend.toggles.includes(1));
      checkbox.onchange = () => client.toggle({ id: 2 });
      checkbox.onchange(); // on an open connection
      await waitFor("the second toggle", () => backend.toggles.includes(2));

      const later = client.toggle({ id: 3 });
      await sleep(50);
      assert.equal(await later, true, "awaited later, it gives its result");
      assert.deepEqual(backend.toggles, [1, 2, 3], "each call was sent once");
    } finally {
      client.close();
    }
  });

  Deno.test(`${kind.name}: await on a subscription gives its stream of events`, async () => {
    await using backend = new Backend();
    const client = kind.connect(backend.server.url);
    try {
      const ticks = await client.count({ to: 3 });
      assert.ok(isStream(ticks), `expected a stream, got ${JSON.stringify(ticks)}`);
      assert.equal(await ticks.started, undefined);
      assert.deepEqual(await collect(ticks), [1, 2, 3]);
      assert.equal(backend.opened.count, 1);
    } finally {
      client.close();
    }
  });

  Deno.test(`${kind.name}: a subscription read in the tick it was made opens once`, async () => {
    await using backend = new Backend();
    const client = kind.connect(backend.server.url);
    try {
      assert.deepEqual(await collect(client.count({ to: 3 })), [1, 2, 3]);
      const events: number[] = [];
      await new Promise<void>((resolve, reject) => {
        client.count({ to: 2 }).subscribe({
          onData: (event) => events.push(event),
          onError: reject,
          onComplete: resolve,
        });
      });
      assert.deepEqual(events, [1, 2]);
      const ticks = client.count({ to: 1 });
      const read = collect(ticks);
      const awaited = await ticks;
      assert.ok(isStream(awaited), "awaited after it was read, it is still the stream");
      assert.deepEqual(await read, [1]);
      assert.equal(backend.opened.count, 3, "one subscription each, never a second");
    } finally {
      client.close();
    }
  });

  Deno.test(
    `${kind.name}: a subscription read later loses nothing, and opens once`,
    async () => {
      await using backend = new Backend();
      const client = kind.connect(backend.server.url);
      try {
        const ticks = client.count({ to: 3 });
        await client.toggle({ id: 1 }); // a round trip later, it is on the server (type only)
        await sleep(20);
        assert.deepEqual(await collect(ticks), [1, 2, 3]);

        const observed = client.count({ to: 2 });
        await client.toggle({ id: 2 });
        await sleep(20);
        const heard: string[] = [];
        await new Promise<void>((resolve, reject) => {
          observed.subscribe({
            onStarted: () => heard.push("started"),
            onData: (event) => heard.push(`data ${event}`),
            onError: reject,
            onComplete: () => {
              heard.push("complete");
              resolve();
            },
          });
        });
        assert.deepEqual(heard, ["started", "data 1", "data 2", "complete"]);
        assert.equal(backend.opened.count, 2);
      } finally {
        client.close();
      }
    },
  );

  Deno.test(`${kind.name}: a subscription whose input is refused fails with the server's error`, async () => {
    await using backend = new Backend();
    const client = kind.connect(backend.server.url);
    try {
      const refused = client.count({ to: -1 });
      if (kind.typeOnly) {
        // Sent as a call: the error reply rejects `await`, and a later read.
        const error = await rpcRejection((async () => await refused)());
        assert.equal(error.code, ErrorCode.InvalidParams);
        const again = await rpcRejection(collect(refused));
        assert.equal(again, error);
      } else {
        // Opened when read: `await` gives the stream, and reading it fails.
        const stream = await refused;
        assert.ok(isStream(stream));
        const error = await rpcRejection(collect(stream));
        assert.equal(error.code, ErrorCode.InvalidParams);
      }
      const read = await rpcRejection(collect(client.count({ to: -2 })));
      assert.equal(read.code, ErrorCode.InvalidParams, "read at once, it fails the same way");
      const started = await rpcRejection(client.count({ to: -3 }).started);
      assert.equal(started.code, ErrorCode.InvalidParams, "and `started` rejects with it");
      client.count({ to: -4 }).started; // nobody awaits it: no unhandled rejection
      await client.toggle({ id: 1 });
      await sleep(20);
      assert.equal(backend.opened.count, 0);
    } finally {
      client.close();
    }
  });

  Deno.test(
    `${kind.name}: unsubscribing an awaited subscription ends it on the server`,
    async () => {
      await using backend = new Backend();
      const sent: string[] = [];
      const client = kind.connect(backend.server.url, { WebSocket: recording(sent) });
      try {
        const forever = client.forever();
        const stream = await forever;
        assert.deepEqual(await take(stream[Symbol.asyncIterator](), 2), [0, 1]);
        stream.unsubscribe();
        await waitFor("the handler to end", () => backend.endings.length === 1);
        assert.deepEqual(backend.endings, ["Unsubscribed"]);
        const unsubscribes = sent.filter((frame) => frame.includes('"rpc.unsubscribe"'));
        assert.equal(unsubscribes.length, 1, unsubscribes.join("\n"));
        forever.unsubscribe(); // through the call itself too: nothing more to do

        const again = client.forever();
        await (await again).started; // live (asking for `started` opens it, on either kind)
        assert.equal(backend.opened.forever, 2);
        again.unsubscribe(); // unsubscribing the call ends the stream it became
        await waitFor("the second handler to end", () => backend.endings.length === 2);
        assert.equal(backend.opened.forever, 2, "no subscription was opened twice");
      } finally {
        client.close();
      }
    },
  );

  Deno.test(`${kind.name}: a subscription unsubscribed in its own tick sends nothing`, async () => {
    await using backend = new Backend();
    const sent: string[] = [];
    const client = kind.connect(backend.server.url, { WebSocket: recording(sent) });
    try {
      const forever = client.forever();
      forever.unsubscribe();
      await client.toggle({ id: 1 });
      await sleep(30);
      assert.equal(backend.opened.forever, 0);
      assert.deepEqual(sent.filter((frame) => frame.includes('"forever"')), []);
      assert.deepEqual(await collect(forever), [], "read after that, it is over");
    } finally {
      client.close();
    }
  });

  Deno.test(`${kind.name}: an abort signal ends an awaited subscription`, async () => {
    await using backend = new Backend();
    const client = kind.connect(backend.server.url);
    try {
      const controller = new AbortController();
      const stream = await client.forever(undefined, { signal: controller.signal });
      const seen: number[] = [];
      for await (const tick of stream) {
        seen.push(tick);
        if (tick === 1) controller.abort();
      }
      assert.deepEqual(seen, [0, 1]);
      await waitFor("the handler to end", () => backend.endings.length === 1);
      assert.deepEqual(backend.endings, ["Unsubscribed"]);
    } finally {
      client.close();
    }
  });

  Deno.test(
    `${kind.name}: an awaited subscription read late keeps what came, then EventsMissed`,
    async () => {
      await using backend = new Backend();
      const client = kind.connect(backend.server.url);
      try {
        const ticks = await client.count({ to: 50 }, { maxBuffered: 3 });
        await ticks.started; // open (both kinds), and nobody reads it yet
        await client.toggle({ id: 1 });
        await sleep(20);
        const seen: number[] = [];
        const error = await rpcRejection((async () => {
          for await (const tick of ticks) seen.push(tick);
        })());
        // Ten times maxBuffered at most: past that it ended at once.
        assert.deepEqual(
          seen,
          Array.from({ length: 30 }, (_, i) => i + 1),
          "what waited is read first",
        );
        assert.equal(error.code, ErrorCode.EventsMissed);
        assert.deepEqual(error.data, { maxBuffered: 3 });
      } finally {
        client.close();
      }
    },
  );

  Deno.test(`${kind.name}: a maxBuffered of 0 is refused at the call`, () => {
    const client = kind.connect("ws://127.0.0.1:9/rpc");
    try {
      assert.throws(() => client.count({ to: 1 }, { maxBuffered: 0 }), RangeError);
    } finally {
      client.close();
    }
  });

  Deno.test(
    `${kind.name}: an awaited subscription resumes after the link is cut`,
    async () => {
      await using backend = new Backend();
      await using proxy = await FaultProxy.start(`127.0.0.1:${backend.server.port}`);
      const client = kind.connect(proxy.url(), { reconnect: { baseDelay: 20, maxDelay: 100 } });
      try {
        let starts = 0;
        const feed = await client.feed(undefined, { onStarted: () => starts++ });
        const events = feed[Symbol.asyncIterator]();
        backend.log.append("a", "b");
        assert.deepEqual(await take(events, 2), ["a", "b"]);
        await proxy.cut();
        await waitFor("the resubscription", () => backend.resumedFrom.length === 2);
        backend.log.append("c");
        assert.deepEqual(await take(events, 1), ["c"], "nothing lost, nothing repeated");
        assert.deepEqual(backend.resumedFrom, [undefined, "1"]);
        assert.equal(starts, 2, "onStarted heard the start and the restart");
        await events.return?.();
      } finally {
        client.close();
      }
    },
  );
}

Deno.test("the type-only client: unsubscribed while its call is in flight, a subscription ends on the server", async () => {
  await using backend = new Backend();
  const sent: string[] = [];
  const client = createClient<Api>({ url: backend.server.url, WebSocket: recording(sent) });
  try {
    const forever = client.forever();
    await Promise.resolve(); // the next microtask sent it, as a call
    forever.unsubscribe(); // before the server's acknowledgement
    await waitFor("the handler to end", () => backend.endings.length === 1);
    assert.deepEqual(backend.endings, ["Unsubscribed"]);
    assert.equal(sent.filter((frame) => frame.includes('"rpc.unsubscribe"')).length, 1);
    const stream = await forever;
    assert.deepEqual(await collect(stream), [], "what it became is over");
  } finally {
    client.close();
  }
});

Deno.test("the type-only client: a subscription read while its call is in flight waits for it", async () => {
  await using backend = new Backend();
  const client = createClient<Api>({ url: backend.server.url });
  try {
    const ticks = client.count({ to: 2 });
    await Promise.resolve(); // sent as a call
    assert.deepEqual(await collect(ticks), [1, 2]);
    const refused = client.count({ to: -1 });
    await Promise.resolve();
    const error = await rpcRejection(collect(refused));
    assert.equal(error.code, ErrorCode.InvalidParams);
    assert.equal(backend.opened.count, 1);
  } finally {
    client.close();
  }
});

Deno.test("the type-only client: a procedure's result like another request's acknowledgement stays a result", async () => {
  await using backend = new Backend();
  const client = createClient<Api>({ url: backend.server.url });
  try {
    assert.equal(await client.toggle({ id: 1 }), true); // request 1
    // Request 2's result is `{"subscription":1}`: not its own acknowledgement.
    // (A result of exactly `{"subscription": <its own id>}` can't be told from one.)
    assert.deepEqual(await client.lookalike(), { subscription: 1 });
  } finally {
    client.close();
  }
});

Deno.test("the type-only client: reading a procedure's call as a stream says it is a procedure", async () => {
  await using backend = new Backend();
  const client = createClient<Api>({ url: backend.server.url });
  try {
    const call = client.toggle({ id: 1 });
    assert.equal(await call, true);
    const stream = call as unknown as AsyncIterable<unknown>;
    const error = await rpcRejection(collect(stream));
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, ErrorCode.InvalidRequest);
    assert.match(error.message, /toggle answered as a procedure/);
  } finally {
    client.close();
  }
});
