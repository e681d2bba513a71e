/**
 * Topics end to end: a chat room served by a real server on 127.0.0.1,
 * read by the real client, through a proxy that cuts the link; and the same
 * room on the wire, frame by frame.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { ErrorCode, procedure, router, RpcError, subscription } from "../../mod.ts";
import { createHandler, createTopics, parsePosition, type Topic } from "../../server/mod.ts";
import { type Client, createClient, type SubscriptionGap } from "../../client/mod.ts";
import { RawSocket, serve, type TestServer } from "../_server.ts";
import { FaultProxy } from "../resilience/_proxy.ts";
import { sleep, StateLog, waitFor } from "../resilience/_waiting.ts";

const Message = z.object({ from: z.string(), text: z.string() });
type Message = z.infer<typeof Message>;

const api = router({
  say: procedure({
    input: z.object({ room: z.string(), from: z.string(), text: z.string() }),
    output: z.string(),
  }),
  messages: subscription({
    input: z.object({ room: z.string(), replay: z.number().int().min(0).optional() }),
    output: Message,
  }),
});

/** A room keeps its last 20 messages: a client away for longer misses some. */
const ROOM_HISTORY = 20;

interface Chat extends AsyncDisposable {
  server: TestServer;
  messages: Topic<Message>;
  /** How many subscribers the server's topics have. */
  subscribers(): number;
  /** The `lastEventId` of each subscription the server was asked for, in order. */
  resumedFrom: Array<string | undefined>;
}

/**
 * The two ways a handler serves a topic: a generator that `yield*`s the
 * subscriber (it can add events of its own), or the subscriber returned
 * itself (live events then go straight from the topic to the socket).
 */
const HANDLER_FORMS = [
  { label: "a generator that yield*s the subscriber", returned: false },
  { label: "the subscriber returned", returned: true },
] as const;
type HandlerForm = typeof HANDLER_FORMS[number];

function startChat(form: HandlerForm, sendBufferHighWater?: number): Chat {
  const topics = createTopics();
  const messages = topics.topic<Message>("messages", { schema: Message, maxLength: ROOM_HISTORY });
  const resumedFrom: Array<string | undefined> = [];
  const rpc = createHandler(api, {
    onError: () => {},
    limits: sendBufferHighWater === undefined ? {} : { sendBufferHighWater },
    handlers: {
      say: ({ input: { room, from, text } }) => messages.publish(room, { from, text }),
      messages: form.returned
        ? ({ input, lastEventId, signal }) => {
          resumedFrom.push(lastEventId);
          return messages.subscribe(input.room, { lastEventId, signal, replay: input.replay });
        }
        : async function* ({ input, lastEventId, signal }) {
          resumedFrom.push(lastEventId);
          yield* messages.subscribe(input.room, { lastEventId, signal, replay: input.replay });
        },
    },
  });
  const server = serve(rpc);
  return {
    server,
    messages,
    resumedFrom,
    subscribers: () => topics.size.subscribers,
    async [Symbol.asyncDispose]() {
      await server.close();
      await topics.close();
    },
  };
}

/** Publishes messages from the news desk; returns their positions. */
async function publish(messages: Topic<Message>, room: string, texts: string[]): Promise<string[]> {
  const positions: string[] = [];
  for (const text of texts) positions.push(await messages.publish(room, { from: "desk", text }));
  return positions;
}

/** Ends a subscription on the wire, and waits until the server says it did. */
async function unsubscribe(socket: RawSocket, subscription: number): Promise<void> {
  const id = `unsubscribe ${subscription}`;
  const reply = await socket.request({
    jsonrpc: "2.0",
    id,
    method: "rpc.unsubscribe",
    params: { subscription },
  });
  assert.deepEqual(reply, { jsonrpc: "2.0", id, result: true });
}

/** Closes a client when the scope ends, even when a step fails, so one failure doesn't cascade. */
function closing(client: { close(): void }): Disposable {
  return { [Symbol.dispose]: () => client.close() };
}

/** Awaits a promise, failing after five seconds rather than hanging the run. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), 5_000);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `m<from>` … `m<to>`. */
function texts(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `m${from + i}`);
}

/** What a client heard in a room, in order: message texts, and gaps as `gap <reason> at <position>`. */
class Heard {
  readonly log: string[] = [];
  /** How the `for await` loop ended: `undefined` for normally, or what it threw. */
  readonly ended: Promise<unknown>;

  constructor(events?: AsyncIterable<Message>) {
    this.ended = events === undefined ? Promise.resolve() : this.#read(events);
  }

  message(message: Message): void {
    this.log.push(message.text);
  }

  gap(gap: SubscriptionGap): void {
    this.log.push(`gap ${gap.reason} at ${gap.position}`);
  }

  /** Waits until `count` things were heard. */
  async count(count: number): Promise<void> {
    await waitFor(`${count} things heard (so far: ${this.log.join(", ")})`, () => {
      return this.log.length >= count;
    }, 5_000);
  }

  async #read(events: AsyncIterable<Message>): Promise<unknown> {
    try {
      for await (const message of events) this.message(message);
    } catch (error) {
      return error;
    }
  }
}

/**
 * A slow reader of a room with `onGap`: while it dwells on its first message,
 * the next two wait in the client; the link is cut while more messages are
 * said than the room keeps. It hears the gap after those two, then goes on;
 * cut again, it resumes from the gap's position, with no second gap.
 */
async function hearsGapAndGoesOn(
  chat: Chat,
  proxy: FaultProxy,
  client: Client<typeof api>,
  room: string,
): Promise<void> {
  using _closing = closing(client);
  const heard = new Heard();
  const states = new StateLog(client.connection);
  const dwelling = Promise.withResolvers<void>();
  const events = client.messages({ room, replay: 1 }, { onGap: (gap) => heard.gap(gap) });
  const reading = (async () => {
    for await (const message of events) {
      heard.message(message);
      if (message.text === "m0") await dwelling.promise;
    }
  })();
  await publish(chat.messages, room, ["m0"]);
  await heard.count(1);
  await publish(chat.messages, room, texts(1, 2));
  // A reply comes after the events sent before it on the same link: m1 and m2 are in.
  await client.say({ room: "elsewhere", from: "x", text: "sync" });
  const cutAt = states.entries.length;
  await proxy.cut();
  // More than the room keeps, said while it is away: m3 to m5 are gone for good.
  const away = await publish(chat.messages, room, texts(3, 3 + ROOM_HISTORY + 2));
  await states.reach("reconnecting", cutAt);
  // Sent after the resubscription, so answered after the gap arrived.
  await client.say({ room: "elsewhere", from: "x", text: "sync" });
  assert.deepEqual(heard.log, ["m0"], "the gap waits its turn behind m1 and m2");
  dwelling.resolve();
  await heard.count(4);
  // Cut again at once: it resumes from the gap's position, so nothing more is missed.
  await proxy.cut();
  await publish(chat.messages, room, ["after"]);
  await heard.count(5);
  await sleep(50);
  assert.deepEqual(heard.log, ["m0", "m1", "m2", `gap trimmed at ${away.at(-1)}`, "after"]);
  client.close();
  await within(reading, "the loop to end");
  await waitFor("the server to let go of the subscriber", () => chat.subscribers() === 0);
}

for (const form of HANDLER_FORMS) {
  Deno.test(`clients in a room hear each message once (${form.label})`, async (t) => {
    await using chat = startChat(form);
    const alice = createClient(api, { url: chat.server.url });
    const bob = createClient(api, { url: chat.server.url });
    using _alice = closing(alice);
    using _bob = closing(bob);

    await t.step("a message said by one reaches both, once, in the order said", async () => {
      await alice.say({ room: "lobby", from: "alice", text: "welcome" });
      // Each starts with the room's last message, so each is known to be listening.
      const aliceHeard = new Heard(alice.messages({ room: "lobby", replay: 1 }));
      const bobHeard = new Heard(bob.messages({ room: "lobby", replay: 1 }));
      await Promise.all([aliceHeard.count(1), bobHeard.count(1)]);
      const positions = [
        await alice.say({ room: "lobby", from: "alice", text: "hi bob" }),
        await bob.say({ room: "lobby", from: "bob", text: "hi alice" }),
        await alice.say({ room: "lobby", from: "alice", text: "bye" }),
      ];
      assert.deepEqual(positions.map((token) => parsePosition(token)?.offset), [2, 3, 4]);
      await Promise.all([aliceHeard.count(4), bobHeard.count(4)]);
      await sleep(50); // time for a repeat to show up
      const expected = ["welcome", "hi bob", "hi alice", "bye"];
      assert.deepEqual(aliceHeard.log, expected);
      assert.deepEqual(bobHeard.log, expected);
    });

    await t.step("a message said in another room reaches neither", async () => {
      const carol = new Heard(alice.messages({ room: "kitchen", replay: 1 }));
      await bob.say({ room: "kitchen", from: "bob", text: "kitchen open" });
      await carol.count(1);
      await sleep(50);
      assert.deepEqual(carol.log, ["kitchen open"]);
    });

    alice.close();
    bob.close();
    await waitFor("the server to let go of every subscriber", () => chat.subscribers() === 0);
  });
}

for (const form of HANDLER_FORMS) {
  Deno.test(`a client whose connection is cut carries on where it left off (${form.label})`, async (t) => {
    await using chat = startChat(form);
    await using proxy = await FaultProxy.start(`127.0.0.1:${chat.server.port}`);
    const connect = () =>
      createClient(api, { url: proxy.url(), reconnect: { baseDelay: 20, maxDelay: 100 } });

    await t.step("it gets exactly the messages said while it was away, in order", async () => {
      const client = connect();
      using _closing = closing(client);
      const positions = await publish(chat.messages, "news", ["m0"]);
      const heard = new Heard(client.messages({ room: "news", replay: 1 }));
      await heard.count(1);
      positions.push(...await publish(chat.messages, "news", texts(1, 5)));
      await heard.count(6);
      await proxy.cut();
      await publish(chat.messages, "news", texts(6, 10)); // while it is away
      await heard.count(11);
      await publish(chat.messages, "news", texts(11, 14));
      await heard.count(15);
      await sleep(50);
      assert.deepEqual(heard.log, texts(0, 14));
      assert.deepEqual(chat.resumedFrom.slice(-2), [undefined, positions[5]], "resumed after m5");
      client.close();
      assert.equal(await within(heard.ended, "the loop to end"), undefined);
      await waitFor("the server to let go of the subscriber", () => chat.subscribers() === 0);
    });

    await t.step("cut before any message, it resumes from where it started", async () => {
      const client = connect();
      using _closing = closing(client);
      const heard = new Heard(client.messages({ room: "quiet" }));
      await waitFor("the subscriber to start", () => chat.subscribers() === 1);
      // The reply comes after the subscription's starting position, on the same link.
      await client.say({ room: "elsewhere", from: "x", text: "ping" });
      await proxy.cut();
      const [first] = await publish(chat.messages, "quiet", texts(0, 2)); // while it is away
      await heard.count(3);
      await sleep(50);
      assert.deepEqual(heard.log, texts(0, 2));
      const { epoch } = parsePosition(first!)!;
      assert.deepEqual(chat.resumedFrom.slice(-2), [undefined, `${epoch}:0`]);
      client.close();
      await waitFor("the server to let go of the subscriber", () => chat.subscribers() === 0);
    });

    await t.step(
      "onGap hears messages it can't get back, in order, and the loop goes on",
      async () => {
        await hearsGapAndGoesOn(chat, proxy, connect(), "busy");
      },
    );

    await t.step("so does a client made from the contract's type alone", async () => {
      const client = createClient<typeof api>({
        url: proxy.url(),
        reconnect: { baseDelay: 20, maxDelay: 100 },
      });
      await hearsGapAndGoesOn(chat, proxy, client, "busy-typed");
    });

    await t.step("an observer's onGap hears it between its onData calls", async () => {
      const client = connect();
      using _closing = closing(client);
      const heard = new Heard();
      const errors: RpcError[] = [];
      await publish(chat.messages, "busy-too", ["m0"]);
      client.messages({ room: "busy-too", replay: 1 }).subscribe({
        onData: (message) => heard.message(message),
        onGap: (gap) => heard.gap(gap),
        onError: (error) => errors.push(error),
      });
      await heard.count(1);
      await proxy.cut();
      const away = await publish(chat.messages, "busy-too", texts(1, ROOM_HISTORY + 1));
      await heard.count(2);
      await publish(chat.messages, "busy-too", ["after"]);
      await heard.count(3);
      assert.deepEqual(heard.log, ["m0", `gap trimmed at ${away.at(-1)}`, "after"]);
      assert.deepEqual(errors, []);
      client.close();
      await waitFor("the server to let go of the subscriber", () => chat.subscribers() === 0);
    });

    await t.step(
      "without onGap, the loop ends with EventsMissed after what came before",
      async () => {
        const client = connect();
        using _closing = closing(client);
        const heard = new Heard(client.messages({ room: "strict", replay: 1 }));
        await publish(chat.messages, "strict", ["m0"]);
        await heard.count(1);
        await proxy.cut();
        const away = await publish(chat.messages, "strict", texts(1, ROOM_HISTORY + 1));
        const error = await within(heard.ended, "the loop to end");
        assert.ok(error instanceof RpcError, `expected an RpcError, got ${error}`);
        assert.equal(error.code, ErrorCode.EventsMissed);
        assert.deepEqual(error.data, { reason: "trimmed", position: away.at(-1) });
        assert.deepEqual(heard.log, ["m0"]);
        // It let go of the subscription on the server too.
        await waitFor("the server to let go of the subscriber", () => chat.subscribers() === 0);
        client.close();
      },
    );
  });
}

for (const form of HANDLER_FORMS) {
  Deno.test(`a room on the wire (${form.label})`, async (t) => {
    await using chat = startChat(form);
    await using socket = await RawSocket.open(chat.server.url);
    const [before] = await publish(chat.messages, "raw", ["before"]);
    const epoch = parsePosition(before!)!.epoch;

    await t.step(
      "a new subscriber is told its position first, then each event with its own",
      async () => {
        socket.send({ jsonrpc: "2.0", id: 1, method: "messages", params: { room: "raw" } });
        assert.deepEqual(await socket.next(), {
          jsonrpc: "2.0",
          id: 1,
          result: { subscription: 1 },
        });
        assert.deepEqual(await socket.next(), {
          jsonrpc: "2.0",
          method: "rpc.position",
          params: { subscription: 1, id: `${epoch}:1` },
        });
        await publish(chat.messages, "raw", ["hello"]);
        assert.deepEqual(await socket.next(), {
          jsonrpc: "2.0",
          method: "rpc.data",
          params: { subscription: 1, id: `${epoch}:2`, data: { from: "desk", text: "hello" } },
        });
        await unsubscribe(socket, 1);
      },
    );

    await t.step("a resume after what it missed gets those events, then live ones", async () => {
      await publish(chat.messages, "raw", ["m3", "m4"]);
      socket.send({
        jsonrpc: "2.0",
        id: 3,
        method: "messages",
        params: { room: "raw" },
        lastEventId: `${epoch}:2`,
      });
      assert.deepEqual(await socket.next(), { jsonrpc: "2.0", id: 3, result: { subscription: 3 } });
      for (const [offset, text] of [[3, "m3"], [4, "m4"]] as const) {
        assert.deepEqual(await socket.next(), {
          jsonrpc: "2.0",
          method: "rpc.data",
          params: { subscription: 3, id: `${epoch}:${offset}`, data: { from: "desk", text } },
        });
      }
      await socket.expectSilence(50);
      await unsubscribe(socket, 3);
    });

    await t.step("a resume from a trimmed position gets rpc.gap, then live events", async () => {
      const positions = await publish(chat.messages, "raw", texts(5, 5 + ROOM_HISTORY));
      const newest = positions.at(-1)!;
      socket.send({
        jsonrpc: "2.0",
        id: 4,
        method: "messages",
        params: { room: "raw" },
        lastEventId: `${epoch}:4`,
      });
      assert.deepEqual(await socket.next(), { jsonrpc: "2.0", id: 4, result: { subscription: 4 } });
      assert.deepEqual(await socket.next(), {
        jsonrpc: "2.0",
        method: "rpc.gap",
        params: { subscription: 4, id: newest, reason: "trimmed" },
      });
      await socket.expectSilence(50);
      const [live] = await publish(chat.messages, "raw", ["live"]);
      assert.deepEqual(await socket.next(), {
        jsonrpc: "2.0",
        method: "rpc.data",
        params: { subscription: 4, id: live, data: { from: "desk", text: "live" } },
      });
      await unsubscribe(socket, 4);
    });

    await t.step(
      "a resume from a position of another epoch gets rpc.gap with `epoch`",
      async () => {
        socket.send({
          jsonrpc: "2.0",
          id: 5,
          method: "messages",
          params: { room: "raw" },
          lastEventId: "zz9:3",
        });
        assert.deepEqual(await socket.next(), {
          jsonrpc: "2.0",
          id: 5,
          result: { subscription: 5 },
        });
        const gap = await socket.next() as { params: { id: string } };
        assert.deepEqual(gap, {
          jsonrpc: "2.0",
          method: "rpc.gap",
          params: { subscription: 5, id: gap.params.id, reason: "epoch" },
        });
        assert.equal(parsePosition(gap.params.id)?.epoch, epoch);
        await unsubscribe(socket, 5);
      },
    );

    await t.step(
      "a lastEventId that is not a position ends the subscription with -32602",
      async () => {
        socket.send({
          jsonrpc: "2.0",
          id: 6,
          method: "messages",
          params: { room: "raw" },
          lastEventId: "42",
        });
        assert.deepEqual(await socket.next(), {
          jsonrpc: "2.0",
          id: 6,
          result: { subscription: 6 },
        });
        const ended = await socket.next() as {
          method: string;
          params: { subscription: number; error: { code: number } };
        };
        assert.equal(ended.method, "rpc.error");
        assert.equal(ended.params.subscription, 6);
        assert.equal(ended.params.error.code, ErrorCode.InvalidParams);
      },
    );

    await socket.close();
  });
}

for (const form of HANDLER_FORMS) {
  Deno.test(`a client that is now and then behind hears every message, in order (${form.label})`, async () => {
    // A tiny high water: the socket is often "behind", so events switch between
    // being sent at once and waiting for the subscription to read them.
    await using chat = startChat(form, 64);
    const alice = createClient(api, { url: chat.server.url });
    const bob = createClient(api, { url: chat.server.url });
    using _alice = closing(alice);
    using _bob = closing(bob);
    await alice.say({ room: "busy", from: "desk", text: "m0" });
    const aliceHeard = new Heard(alice.messages({ room: "busy", replay: 1 }));
    const bobHeard = new Heard(bob.messages({ room: "busy", replay: 1 }));
    await Promise.all([aliceHeard.count(1), bobHeard.count(1)]);
    const said = texts(1, 300);
    await Promise.all(said.map((text) => chat.messages.publish("busy", { from: "desk", text })));
    await within(Promise.all([aliceHeard.count(301), bobHeard.count(301)]), "every message");
    await sleep(50); // time for a repeat to show up
    assert.deepEqual(aliceHeard.log, ["m0", ...said]);
    assert.deepEqual(bobHeard.log, ["m0", ...said]);
  });
}
