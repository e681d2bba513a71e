/**
 * Topics on every runtime: chat rooms on a topic of the library, served by
 * the Deno, Node and Bun adapters alike. Clients hear each message once and
 * in order (a Date in each arrives as a Date), a client that is often behind
 * still hears them all, and a resume on the wire gets what it missed, then
 * live messages.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parsePosition } from "../../server/mod.ts";
import { type Client, type ClientSubscription, createClient } from "../../client/mod.ts";
import { RawSocket } from "../_server.ts";
import { range, waitFor } from "../resilience/_waiting.ts";
import { api, ROOM_HISTORY, type RoomMessage } from "./_app.ts";
import { AppServer, conformance } from "./_runtimes.ts";

type Message = RoomMessage;

/** Reads a subscription into a list, until it is closed. */
class Heard {
  readonly messages: Message[] = [];
  readonly #subscription: ClientSubscription<Message>;

  constructor(subscription: ClientSubscription<Message>) {
    this.#subscription = subscription;
    subscription.subscribe({ onData: (message) => this.messages.push(message) });
  }

  /** The texts heard so far. */
  get texts(): string[] {
    return this.messages.map((message) => message.text);
  }

  /** Resolves once the server has acknowledged the subscription. */
  started(): Promise<void> {
    return this.#subscription.started;
  }

  /** Resolves once `count` messages were heard. */
  async count(count: number): Promise<void> {
    await waitFor(`${count} messages`, () => this.messages.length >= count);
  }
}

function texts(from: number, to: number): string[] {
  return range(to).slice(from).map((n) => `m${n}`);
}

/** Subscribes to a room on the wire, from `lastEventId`, as request `id`; awaits the acknowledgement. */
async function resume(
  socket: RawSocket,
  id: number,
  room: string,
  lastEventId: string,
): Promise<void> {
  socket.send({ jsonrpc: "2.0", id, method: "room.messages", params: { room }, lastEventId });
  assert.deepEqual(await socket.next(), { jsonrpc: "2.0", id, result: { subscription: id } });
}

function clientOf(server: AppServer): Client<typeof api> {
  return createClient(api, { url: server.url });
}

conformance("clients in a room hear each message once, in order", async (runtime) => {
  await using server = await AppServer.start(runtime);
  const [alice, bob, carol] = [clientOf(server), clientOf(server), clientOf(server)];
  try {
    const aliceHeard = new Heard(alice.room.messages({ room: "lobby" }));
    const bobHeard = new Heard(bob.room.messages({ room: "lobby" }));
    const carolHeard = new Heard(carol.room.messages({ room: "kitchen" }));
    await Promise.all([aliceHeard.started(), bobHeard.started(), carolHeard.started()]);
    const before = Date.now();
    await alice.room.say({ room: "lobby", texts: texts(0, 20) });
    await bob.room.say({ room: "lobby", texts: texts(20, 40) });
    await Promise.all([aliceHeard.count(40), bobHeard.count(40)]);
    await alice.room.say({ room: "kitchen", texts: ["only for carol"] });
    await carolHeard.count(1);
    assert.deepEqual(aliceHeard.texts, texts(0, 40), "each once, in the order said");
    assert.deepEqual(bobHeard.texts, texts(0, 40));
    assert.deepEqual(carolHeard.texts, ["only for carol"], "nothing from another room");
    for (const message of aliceHeard.messages) {
      assert.ok(message.at instanceof Date, "a Date arrives as a Date");
      assert.ok(message.at.getTime() >= before - 1_000 && message.at.getTime() <= Date.now());
    }
  } finally {
    for (const client of [alice, bob, carol]) client.close();
  }
});

conformance(
  "a client that is often behind still hears every message, in order",
  async (runtime) => {
    // A tiny send buffer: events switch between direct sends and the subscription's queue.
    await using server = await AppServer.start(runtime, { limits: { sendBufferHighWater: 64 } });
    const [alice, bob] = [clientOf(server), clientOf(server)];
    try {
      const aliceHeard = new Heard(alice.room.messages({ room: "busy" }));
      const bobHeard = new Heard(bob.room.messages({ room: "busy" }));
      await Promise.all([aliceHeard.started(), bobHeard.started()]);
      const said = texts(0, 300);
      for (let from = 0; from < said.length; from += 30) {
        await alice.room.say({ room: "busy", texts: said.slice(from, from + 30) });
      }
      await Promise.all([aliceHeard.count(300), bobHeard.count(300)]);
      assert.deepEqual(aliceHeard.texts, said);
      assert.deepEqual(bobHeard.texts, said);
    } finally {
      alice.close();
      bob.close();
    }
  },
);

conformance("a resume on the wire gets what it missed, then live messages", async (runtime) => {
  await using server = await AppServer.start(runtime);
  await using socket = await RawSocket.open(server.url);
  const client = clientOf(server);
  try {
    const seen = await client.room.say({ room: "news", texts: texts(0, 5) });
    await client.room.say({ room: "news", texts: texts(5, 8) });
    const { epoch, offset } = parsePosition(seen)!;
    await resume(socket, 1, "news", seen);
    const read = async (count: number) => {
      const frames = [];
      for (let i = 0; i < count; i++) frames.push(await socket.next() as RoomFrame);
      return frames;
    };
    const missed = await read(3);
    assert.deepEqual(missed.map((frame) => frame.params.data.text), texts(5, 8));
    assert.deepEqual(
      missed.map((frame) => frame.params.id),
      [1, 2, 3].map((n) => `${epoch}:${offset + n}`),
      "each with its own position, after the one resumed from",
    );
    for (const frame of missed) {
      assert.equal(frame.method, "rpc.data");
      assert.equal(frame.params.subscription, 1);
      // The Date travels in superjson's format: its meta says so.
      assert.deepEqual(frame.meta, { values: { "data.at": ["Date"] }, v: 1 });
    }
    await client.room.say({ room: "news", texts: ["live"] });
    const [live] = await read(1);
    assert.equal(live!.params.data.text, "live");
    assert.equal(live!.params.id, `${epoch}:${offset + 4}`);
    await socket.expectSilence(50);
  } finally {
    client.close();
  }
});

conformance("a resume from before the room's history gets rpc.gap first", async (runtime) => {
  await using server = await AppServer.start(runtime);
  await using socket = await RawSocket.open(server.url);
  const client = clientOf(server);
  try {
    const first = await client.room.say({ room: "old", texts: ["m0"] });
    await client.room.say({ room: "old", texts: texts(1, ROOM_HISTORY + 5) });
    await resume(socket, 7, "old", first);
    const gap = await socket.next() as { method: string; params: Record<string, unknown> };
    assert.equal(gap.method, "rpc.gap", "the messages it missed are gone: it is told so");
    assert.equal(gap.params.subscription, 7);
  } finally {
    client.close();
  }
});

interface RoomFrame {
  method: string;
  params: {
    subscription: number;
    id: string;
    data: { text: string; at: string; servedBy: number };
  };
  meta?: unknown;
}
