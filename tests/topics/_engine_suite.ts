/**
 * The contract every topic engine keeps, as tests any engine can be run
 * against: order, checkpoints, replay, exactly-once resume, the three kinds of
 * gap, slow subscribers, and ending. Each test drives the public Topic API and
 * reads subscribers with real async iteration; no socket is involved.
 *
 * ```ts ignore
 * engineContractSuite("memory", memoryHarness);
 * engineContractSuite("redis", redisHarness); // with `wrap: needsRedis`
 * ```
 *
 * @module
 */

import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../../mod.ts";
import {
  Checkpoint,
  createTopics,
  type Topic,
  type TopicEngine,
  type Topics,
  type TopicYield,
} from "../../server/mod.ts";
import { describe, epochOf, offsetOf, Reader, sleep, span } from "./_reader.ts";

/**
 * A fresh store for one test, and the engine of the test's server process on
 * it. The suite hands each engine to `createTopics`, whose `close` closes it.
 */
export interface EngineUnderTest {
  /**
   * The engine of the test's server process, ready: a publish made at once
   * succeeds (a Redis harness waits until the engine reaches Redis).
   */
  readonly engine: TopicEngine;
  /**
   * The store loses every stream, as Redis does when it restarts without its
   * data. Resolves to the engine to carry on with, ready again: `engine`
   * itself when the engine outlives its store's loss (Redis), or a new engine
   * when losing the store means the process restarted (memory, whose store is
   * the process); the suite then closes the old Topics, as a restart would,
   * and opens new ones.
   *
   * For Redis, restart a server that keeps no append-only file rather than
   * send `FLUSHALL`: the engine remembers recent events of the keys it listens
   * to, and learns of a loss when its connection drops, which `FLUSHALL` does
   * not do.
   */
  lose(): Promise<TopicEngine>;
  /**
   * Another server process's engine on the same store, ready as `engine` is.
   * Needed when the harness says {@linkcode EngineHarness.peers}.
   */
  makePeer?(): Promise<TopicEngine>;
  /**
   * Lets go of the store (stops a `redis-server`, say). Called at the end of
   * each test, after every Topics of the test was closed, which closed their
   * engines.
   */
  close(): Promise<void>;
}

/** How the suite gets stores of one kind of engine. */
export interface EngineHarness {
  /** Opens an empty store for one test. */
  make(): Promise<EngineUnderTest>;
  /**
   * Whether several processes can share a store, so that stores have
   * {@linkcode EngineUnderTest.makePeer} (Redis: yes; memory: no). The tests
   * across processes are registered only then.
   */
  peers?: boolean;
  /**
   * Changes each test's definition before it is registered: `needsRedis`
   * from `tests/_redis.ts`, to skip where `redis-server` is missing.
   */
  wrap?: (definition: Deno.TestDefinition) => Deno.TestDefinition;
}

type SceneTest = (scene: Scene, t: Deno.TestContext) => Promise<void>;

/**
 * Registers the engine contract's tests, each named `[name] what a user sees`.
 *
 * @param name The engine's name, at the start of each test's name.
 * @param harness Makes a store for each test.
 */
export function engineContractSuite(name: string, harness: EngineHarness): void {
  const test = (title: string, body: SceneTest) => {
    const definition: Deno.TestDefinition = {
      name: `[${name}] ${title}`,
      async fn(t) {
        const scene = new Scene(await harness.make());
        try {
          await body(scene, t);
        } finally {
          await scene.dispose();
        }
      },
    };
    Deno.test(harness.wrap?.(definition) ?? definition);
  };

  test("events reach a subscriber in order, at positions that count up from 1", orderTest);
  test("a new subscriber hears where it stands first, then only new events", freshTest);
  test("`replay: N` starts a new subscriber with the newest N events", replayTest);
  test("a resuming subscriber gets exactly what it missed, then live events", resumeTest);
  test("a resume racing with publishes leaves no hole and repeats nothing", racingResumeTest);
  test("a resume the history no longer reaches starts with a `trimmed` gap", trimmedTest);
  test("a resume from another life of the stream starts with an `epoch` gap", epochTest);
  test("a resume that missed more than `maxReplay` events starts with a `limit` gap", limitTest);
  test("a subscriber that stops reading loses nothing the history still holds", slowReaderTest);
  test(
    "a subscriber that fell behind further than the history reaches gets a `trimmed` gap",
    tooSlowReaderTest,
  );
  test("a lastEventId that is not a position is refused with InvalidParams", invalidTest);
  test("the signal ends a subscriber, and the topics stop listening to its key", endTest);
  test("events come back as they were published: Dates, Maps, any script", fidelityTest);
  if (harness.peers) {
    test("a publish in one process reaches a subscriber in another once, in order", peersTest);
  }
}

async function orderTest(scene: Scene, t: Deno.TestContext): Promise<void> {
  const topics = scene.topics();
  const chat = topics.topic<number>("chat");
  const reader = new Reader(chat.subscribe("room"));
  const start = await reader.checkpoint();
  assert.equal(offsetOf(start.position), 0);
  const epoch = epochOf(start.position);

  await t.step("published one after another: offsets 1, 2, 3… in publish order", async () => {
    const positions = await publishAll(chat, "room", span(1, 50));
    assert.deepEqual(positions, span(1, 50).map((n) => `${epoch}:${n}`));
    const events = await reader.events(50);
    assert.deepEqual(events.map((event) => event.id), positions);
    assert.deepEqual(events.map((event) => event.value), span(1, 50));
  });

  await t.step(
    "published all at once: each has its own offset, and they arrive by offset",
    async () => {
      const values = span(51, 150);
      const positions = await Promise.all(values.map((n) => chat.publish("room", n)));
      assert.ok(positions.every((token) => epochOf(token) === epoch), `positions: ${positions}`);
      assert.deepEqual(positions.map(offsetOf).sort((a, b) => a - b), span(51, 150));
      const events = await reader.events(100);
      assert.deepEqual(events.map((event) => offsetOf(event.id)), span(51, 150));
      const published = new Map(positions.map((token, i) => [token, values[i]]));
      for (const event of events) assert.equal(event.value, published.get(event.id), event.id);
      await reader.quiet();
    },
  );

  await t.step("each key of each topic is a stream of its own", async () => {
    const alerts = topics.topic<number>("alerts");
    const otherRoom = new Reader(chat.subscribe("other room"));
    const otherTopic = new Reader(alerts.subscribe("room"));
    assert.equal(offsetOf((await otherRoom.checkpoint()).position), 0);
    assert.equal(offsetOf((await otherTopic.checkpoint()).position), 0);
    assert.equal(offsetOf(await chat.publish("other room", 1_000)), 1);
    assert.equal(offsetOf(await alerts.publish("room", 2_000)), 1);
    assert.deepEqual(await otherRoom.values(1), [1_000]);
    assert.deepEqual(await otherTopic.values(1), [2_000]);
    await reader.quiet();
    await Promise.all([otherRoom.quiet(), otherTopic.quiet()]);
  });
}

async function freshTest(scene: Scene, t: Deno.TestContext): Promise<void> {
  const chat = scene.topics().topic<string>("chat");

  await t.step(
    "on a key nobody published to: a checkpoint at 0, then the first event",
    async () => {
      const reader = new Reader(chat.subscribe("empty"));
      const start = await reader.checkpoint();
      assert.equal(offsetOf(start.position), 0);
      const first = await chat.publish("empty", "first");
      // Not a gap: the first event belongs to the epoch the checkpoint named.
      const event = await reader.event();
      assert.deepEqual([event.id, event.value], [first, "first"]);
      assert.equal(epochOf(first), epochOf(start.position));
      await reader.stop();
    },
  );

  await t.step(
    "on a key with history: a checkpoint at its newest event, none of the old",
    async () => {
      const positions = await publishAll(chat, "busy", ["a", "b", "c"]);
      const reader = new Reader(chat.subscribe("busy"));
      assert.equal((await reader.checkpoint()).position, positions[2]);
      await reader.quiet();
      const next = await chat.publish("busy", "d");
      const event = await reader.event();
      assert.deepEqual([event.id, event.value], [next, "d"]);
      await reader.quiet();
      await reader.stop();
    },
  );
}

async function replayTest(scene: Scene, t: Deno.TestContext): Promise<void> {
  const chat = scene.topics().topic<number>("chat", { maxReplay: 20 });
  const positions = await publishAll(chat, "room", span(1, 30));

  await t.step("replay: 3 gives the newest 3 events, no checkpoint, then live ones", async () => {
    const reader = new Reader(chat.subscribe("room", { replay: 3 }));
    const events = await reader.events(3);
    assert.deepEqual(events.map((event) => event.id), positions.slice(-3));
    assert.deepEqual(events.map((event) => event.value), [28, 29, 30]);
    await reader.quiet();
    positions.push(await chat.publish("room", 31));
    assert.deepEqual(await reader.values(1), [31]);
    await reader.stop();
  });

  await t.step("replay beyond the topic's maxReplay gives maxReplay events", async () => {
    const reader = new Reader(chat.subscribe("room", { replay: 100 }));
    assert.deepEqual(await reader.values(20), span(12, 31));
    await reader.quiet();
    await chat.publish("room", 32);
    assert.deepEqual(await reader.values(1), [32]);
    await reader.stop();
  });

  await t.step("replay beyond a short history gives all of it", async () => {
    await publishAll(chat, "short", [1, 2]);
    const reader = new Reader(chat.subscribe("short", { replay: 5 }));
    assert.deepEqual(await reader.values(2), [1, 2]);
    await reader.quiet();
    await reader.stop();
  });
}

async function resumeTest(scene: Scene, t: Deno.TestContext): Promise<void> {
  const chat = scene.topics().topic<number>("chat");
  const first = new Reader(chat.subscribe("room"));
  const start = await first.checkpoint();
  await publishAll(chat, "room", span(1, 5));
  const read = await first.events(3); // 4 and 5 were sent its way, but it left before reading them
  await first.stop();
  await publishAll(chat, "room", span(6, 10));

  await t.step("from the last event read: the missed ones in order, then live ones", async () => {
    const reader = new Reader(chat.subscribe("room", { lastEventId: read[2]!.id }));
    const missed = await reader.events(7);
    assert.deepEqual(missed.map((event) => event.value), span(4, 10));
    assert.deepEqual(missed.map((event) => offsetOf(event.id)), span(4, 10));
    await reader.quiet();
    const live = await chat.publish("room", 11);
    const event = await reader.event();
    assert.deepEqual([event.id, event.value], [live, 11]);
    await reader.quiet();
    await reader.stop();
  });

  await t.step("from the newest position: nothing to replay, only live events", async () => {
    const newest = await chat.publish("room", 12);
    const reader = new Reader(chat.subscribe("room", { lastEventId: newest }));
    await reader.quiet();
    await chat.publish("room", 13);
    assert.deepEqual(await reader.values(1), [13]);
    await reader.quiet();
    await reader.stop();
  });

  await t.step("from the checkpoint of a key nobody had published to: every event", async () => {
    const reader = new Reader(chat.subscribe("room", { lastEventId: start.position }));
    assert.deepEqual(await reader.values(13), span(1, 13));
    await reader.quiet();
    await reader.stop();
  });
}

async function racingResumeTest(scene: Scene, t: Deno.TestContext): Promise<void> {
  const topics = scene.topics();
  // A small maxLag also makes the resumers catch up from the history while events pour in.
  for (const maxLag of [1_000, 2]) {
    await t.step(
      `resumers at many points while 300 events are published (maxLag ${maxLag})`,
      async () => {
        const chat = topics.topic<number>(`chat-${maxLag}`, { maxLag });
        const positions = await publishAll(chat, "room", span(1, 20));
        const total = 300;
        const resumers: Promise<void>[] = [];
        for (let n = 21; n <= total; n++) {
          if (n % 40 === 0) {
            // Resume after an event some way back, or after the newest one (n % 7 === 0).
            const after = n - 1 - 2 * (n % 7);
            const resumer = readsExactly(chat, positions[after - 1]!, span(after + 1, total));
            resumer.catch(() => {}); // awaited below; not unhandled meanwhile
            resumers.push(resumer);
          }
          positions.push(await chat.publish("room", n));
          if (n % 3 === 0) await sleep(0); // resumers run between publishes, at varying points
        }
        assert.equal(resumers.length, 7);
        await Promise.all(resumers);
      },
    );
  }
}

/** Resumes after `lastEventId` and checks it gets exactly `expected`, with each event's position. */
async function readsExactly(
  chat: Topic<number>,
  lastEventId: string,
  expected: number[],
): Promise<void> {
  const reader = new Reader(chat.subscribe("room", { lastEventId }));
  const events = await reader.events(expected.length);
  assert.deepEqual(events.map((event) => event.value), expected, `resumed after ${lastEventId}`);
  assert.deepEqual(events.map((event) => offsetOf(event.id)), expected);
  await reader.quiet();
  await reader.stop();
}

async function trimmedTest(scene: Scene, t: Deno.TestContext): Promise<void> {
  const chat = scene.topics().topic<number>("chat", { maxLength: 5 });
  const positions = await publishAll(chat, "room", span(1, 23));

  await t.step("from an old position: a gap at the newest position, then live events", async () => {
    const reader = new Reader(chat.subscribe("room", { lastEventId: positions[0] }));
    const gap = await reader.gap();
    assert.deepEqual([gap.reason, gap.position], ["trimmed", positions[22]]);
    await reader.quiet();
    positions.push(await chat.publish("room", 24));
    const event = await reader.event();
    assert.deepEqual([event.id, event.value], [positions[23], 24]);
    await reader.stop();
  });

  await t.step("from just before the oldest kept event: the kept events, no gap", async () => {
    // maxLength 5 keeps 20 to 24.
    const reader = new Reader(chat.subscribe("room", { lastEventId: positions[18] }));
    assert.deepEqual(await reader.values(5), span(20, 24));
    await reader.quiet();
    await reader.stop();
  });

  await t.step("from one event further back: a gap", async () => {
    const reader = new Reader(chat.subscribe("room", { lastEventId: positions[17] }));
    const gap = await reader.gap();
    assert.deepEqual([gap.reason, gap.position], ["trimmed", positions[23]]);
    await reader.quiet();
    await reader.stop();
  });
}

async function epochTest(scene: Scene, t: Deno.TestContext): Promise<void> {
  const topics = scene.topics();
  const chat = topics.topic<number>("chat");
  const old = await publishAll(chat, "room", [1, 2, 3]);
  const oldEpoch = epochOf(old[2]!);
  let current = chat;
  let newest = "";

  await t.step("after the store lost its streams: a gap into the new life", async () => {
    const live = new Reader(chat.subscribe("room"));
    assert.equal((await live.checkpoint()).position, old[2]);
    const after = await scene.lose(topics);
    current = after === topics ? chat : after.topic<number>("chat");

    // Resumed before anything is published again: the gap is at 0 of the new life.
    const early = new Reader(current.subscribe("room", { lastEventId: old[2] }));
    const emptyGap = await early.gap();
    assert.equal(emptyGap.reason, "epoch");
    assert.notEqual(epochOf(emptyGap.position), oldEpoch, "a stream made again has a new epoch");
    assert.equal(offsetOf(emptyGap.position), 0);
    await early.quiet();
    const [p1, p2] = await publishAll(current, "room", [101, 102]);
    assert.deepEqual([epochOf(p1!), offsetOf(p1!)], [epochOf(emptyGap.position), 1]);
    assert.deepEqual([epochOf(p2!), offsetOf(p2!)], [epochOf(emptyGap.position), 2]);
    assert.deepEqual((await early.events(2)).map((event) => event.id), [p1, p2]);
    await early.quiet();
    await early.stop();

    // Resumed after new events: the gap is at the newest of them, then live events.
    const late = new Reader(current.subscribe("room", { lastEventId: old[2] }));
    const gap = await late.gap();
    assert.deepEqual([gap.reason, gap.position], ["epoch", p2]);
    await late.quiet();
    newest = await current.publish("room", 103);
    const event = await late.event();
    assert.deepEqual([event.id, event.value], [newest, 103]);
    await late.stop();

    if (after === topics) {
      // The engine outlived the loss: its live subscriber is told too, then follows the new life.
      const liveGap = await live.gap();
      assert.equal(liveGap.reason, "epoch");
      assert.equal(epochOf(liveGap.position), epochOf(newest));
      const rest = await live.events(3 - offsetOf(liveGap.position));
      assert.deepEqual(rest.map((e) => offsetOf(e.id)), span(offsetOf(liveGap.position) + 1, 3));
      await live.quiet();
      await live.stop();
    } else {
      await live.ended(); // it went with its process
    }
  });

  await t.step("a position of an epoch the stream never had: a gap", async () => {
    const reader = new Reader(current.subscribe("room", { lastEventId: "zz9:2" }));
    const gap = await reader.gap();
    assert.deepEqual([gap.reason, gap.position], ["epoch", newest]);
    await reader.quiet();
    await reader.stop();
  });

  await t.step("a position past the stream's newest event: a gap", async () => {
    // A store that lost its newest writes (a restart from an old snapshot) gives those offsets again.
    const ahead = `${epochOf(newest)}:${offsetOf(newest) + 50}`;
    const reader = new Reader(current.subscribe("room", { lastEventId: ahead }));
    const gap = await reader.gap();
    assert.deepEqual([gap.reason, gap.position], ["epoch", newest]);
    await reader.quiet();
    const next = await current.publish("room", 104);
    assert.equal((await reader.event()).id, next);
    await reader.stop();
  });
}

async function limitTest(scene: Scene, t: Deno.TestContext): Promise<void> {
  const chat = scene.topics().topic<number>("chat", { maxReplay: 3 });
  const positions = await publishAll(chat, "room", span(1, 10));

  await t.step(
    "7 missed, 3 replayed at most: a gap at the newest position, then live",
    async () => {
      const reader = new Reader(chat.subscribe("room", { lastEventId: positions[2] }));
      const gap = await reader.gap();
      assert.deepEqual([gap.reason, gap.position], ["limit", positions[9]]);
      await reader.quiet();
      positions.push(await chat.publish("room", 11));
      assert.deepEqual(await reader.values(1), [11]);
      await reader.stop();
    },
  );

  await t.step("exactly 3 missed: all three, no gap", async () => {
    const reader = new Reader(chat.subscribe("room", { lastEventId: positions[7] }));
    assert.deepEqual(await reader.values(3), [9, 10, 11]);
    await reader.quiet();
    await reader.stop();
  });
}

async function slowReaderTest(scene: Scene, t: Deno.TestContext): Promise<void> {
  const chat = scene.topics().topic<number>("chat", { maxLag: 4 });
  const reader = new Reader(chat.subscribe("room"));
  await reader.checkpoint();

  await t.step("100 events published while it reads none: all 100, in order", async () => {
    await publishAll(chat, "room", span(1, 100));
    const events = await reader.events(100);
    assert.deepEqual(events.map((event) => event.value), span(1, 100));
    assert.deepEqual(events.map((event) => offsetOf(event.id)), span(1, 100));
    await reader.quiet();
  });

  await t.step(
    "it falls behind again halfway through catching up: still all, in order",
    async () => {
      await publishAll(chat, "room", span(101, 150));
      assert.deepEqual(await reader.values(10), span(101, 110));
      await publishAll(chat, "room", span(151, 250));
      assert.deepEqual(await reader.values(140), span(111, 250));
      await reader.quiet();
      await chat.publish("room", 251);
      assert.deepEqual(await reader.values(1), [251]);
    },
  );
  await reader.stop();
}

async function tooSlowReaderTest(scene: Scene, t: Deno.TestContext): Promise<void> {
  const topics = scene.topics();

  await t.step("a gap at the newest position, then live events", async () => {
    const chat = topics.topic<number>("chat", { maxLag: 4, maxLength: 10 });
    const reader = new Reader(chat.subscribe("room"));
    await reader.checkpoint();
    await publishAll(chat, "room", [1, 2]);
    assert.deepEqual(await reader.values(2), [1, 2]);
    const positions = await publishAll(chat, "room", span(3, 60));
    const gap = await reader.gap();
    assert.deepEqual([gap.reason, gap.position], ["trimmed", positions.at(-1)]);
    await reader.quiet();
    await chat.publish("room", 61);
    assert.deepEqual(await reader.values(1), [61]);
    await reader.stop();
  });

  await t.step(
    "up to maxLag unread events are held, even once the history dropped them",
    async () => {
      const small = topics.topic<number>("small", { maxLag: 8, maxLength: 2 });
      const reader = new Reader(small.subscribe("room"));
      await reader.checkpoint();
      await publishAll(small, "room", span(1, 8));
      assert.deepEqual(await reader.values(8), span(1, 8));
      await reader.quiet();
      await reader.stop();
    },
  );
}

async function invalidTest(scene: Scene): Promise<void> {
  const topics = scene.topics();
  const chat = topics.topic<number>("chat");
  const [position] = await publishAll(chat, "room", [1]);
  const epoch = epochOf(position!);
  const tokens = [
    "",
    "1", // an id of a subscription that is not a topic's
    "not a position",
    `${epoch.toUpperCase()}X:1`,
    `${epoch}:-1`,
    `${epoch}:01`,
    `${epoch}:1.5`,
    `${epoch}:1:2`,
    `${epoch}:${2 ** 53}`,
    `${"a".repeat(33)}:1`,
  ];
  for (const lastEventId of tokens) {
    const reader = new Reader(chat.subscribe("room", { lastEventId }));
    await assert.rejects(
      reader.next(),
      (error) => error instanceof RpcError && error.code === ErrorCode.InvalidParams,
      `lastEventId "${lastEventId}"`,
    );
    assert.deepEqual(topics.size, { streams: 0, subscribers: 0 }, `after "${lastEventId}"`);
  }
}

async function endTest(scene: Scene, t: Deno.TestContext): Promise<void> {
  const topics = scene.topics();
  const chat = topics.topic<number>("chat");

  await t.step("aborted while it waits for an event: it ends, and nothing listens", async () => {
    const controller = new AbortController();
    const reader = new Reader(chat.subscribe("room", { signal: controller.signal }));
    await reader.checkpoint();
    assert.deepEqual(topics.size, { streams: 1, subscribers: 1 });
    await reader.quiet(); // leaves it waiting in `next`
    controller.abort();
    await reader.ended();
    assert.deepEqual(topics.size, { streams: 0, subscribers: 0 });
    await chat.publish("room", 1); // and publishing to a key nobody listens to is fine
  });

  await t.step(
    "two subscribers of a key: it is listened to until the last one leaves",
    async () => {
      const [one, two] = [new AbortController(), new AbortController()];
      const first = new Reader(chat.subscribe("room", { signal: one.signal }));
      const second = new Reader(chat.subscribe("room", { signal: two.signal }));
      await Promise.all([first.checkpoint(), second.checkpoint()]);
      assert.deepEqual(topics.size, { streams: 1, subscribers: 2 });
      one.abort();
      await first.ended();
      assert.deepEqual(topics.size, { streams: 1, subscribers: 1 });
      await chat.publish("room", 2);
      assert.deepEqual(await second.values(1), [2]);
      two.abort();
      await second.ended();
      assert.deepEqual(topics.size, { streams: 0, subscribers: 0 });
    },
  );

  await t.step("aborted before it is read: it ends at once, and never listens", async () => {
    const controller = new AbortController();
    controller.abort();
    const reader = new Reader(chat.subscribe("room", { signal: controller.signal }));
    await reader.ended();
    assert.deepEqual(topics.size, { streams: 0, subscribers: 0 });
  });

  await t.step("a break out of for await ends it the same way", async () => {
    const seen: TopicYield<number>[] = [];
    for await (const item of chat.subscribe("room")) {
      seen.push(item);
      if (item instanceof Checkpoint) await chat.publish("room", 3);
      else break;
    }
    assert.deepEqual(seen.map(describe).map((text) => text.split(" ")[0]), ["checkpoint", "event"]);
    assert.deepEqual(topics.size, { streams: 0, subscribers: 0 });
  });

  await t.step("closing the topics ends every subscriber", async () => {
    const readers = [new Reader(chat.subscribe("room")), new Reader(chat.subscribe("hall"))];
    await Promise.all(readers.map((reader) => reader.checkpoint()));
    await Promise.all(readers.map((reader) => reader.quiet()));
    assert.deepEqual(topics.size, { streams: 2, subscribers: 2 });
    await scene.close(topics);
    await Promise.all(readers.map((reader) => reader.ended()));
    assert.deepEqual(topics.size, { streams: 0, subscribers: 0 });
  });
}

async function fidelityTest(scene: Scene): Promise<void> {
  interface Note {
    text: string;
    at: Date;
    tags: Map<string, number>;
    nested: { list: Array<number | null>; flag: boolean };
  }
  const notes = scene.topics().topic<Note>("notes");
  const note: Note = {
    text: 'héllo wörld 👋 «quoted» "and" \\ back\nslash 中文 \u0000 end',
    at: new Date("2026-01-02T03:04:05.678Z"),
    tags: new Map([["a", 1], ["b", -2.5]]),
    nested: { list: [1, null, 1e21], flag: false },
  };
  const key = 'room/ü:1 {x} "y"';
  const live = new Reader(notes.subscribe(key));
  await live.checkpoint();
  await notes.publish(key, note);
  assert.deepEqual((await live.event()).value, note);
  const replayed = new Reader(notes.subscribe(key, { replay: 1 }));
  assert.deepEqual((await replayed.event()).value, note);
  await live.stop();
  await replayed.stop();
}

async function peersTest(scene: Scene, t: Deno.TestContext): Promise<void> {
  const here = scene.topics().topic<number>("chat");
  const there = scene.topics(await scene.peer()).topic<number>("chat");
  const hereReader = new Reader(here.subscribe("room"));
  const thereReader = new Reader(there.subscribe("room"));
  const [hereStart, thereStart] = await Promise.all([
    hereReader.checkpoint(),
    thereReader.checkpoint(),
  ]);
  assert.equal(thereStart.position, hereStart.position, "one stream, one position");
  const positions: string[] = [];

  await t.step("published here: heard there, once each, in order", async () => {
    positions.push(...await publishAll(here, "room", span(1, 50)));
    const events = await thereReader.events(50);
    assert.deepEqual(events.map((event) => event.id), positions);
    assert.deepEqual(events.map((event) => event.value), span(1, 50));
    assert.deepEqual(await hereReader.values(50), span(1, 50));
    await Promise.all([hereReader.quiet(), thereReader.quiet()]);
  });

  await t.step("both processes publish at once: both subscribers see one order", async () => {
    const values = [...span(100, 149), ...span(200, 249)];
    const published = await Promise.all(
      values.map((n) => (n < 200 ? here : there).publish("room", n)),
    );
    positions.push(...published);
    assert.deepEqual(published.map(offsetOf).sort((a, b) => a - b), span(51, 150));
    const [seenHere, seenThere] = await Promise.all([
      hereReader.events(100),
      thereReader.events(100),
    ]);
    assert.deepEqual(seenHere.map((event) => offsetOf(event.id)), span(51, 150));
    assert.deepEqual(seenThere.map((event) => event.id), seenHere.map((event) => event.id));
    const byPosition = new Map(published.map((token, i) => [token, values[i]]));
    for (const event of seenThere) assert.equal(event.value, byPosition.get(event.id), event.id);
    await Promise.all([hereReader.quiet(), thereReader.quiet()]);
  });

  await t.step("a subscriber resumes there from a position given here", async () => {
    const reader = new Reader(there.subscribe("room", { lastEventId: positions[139] }));
    const events = await reader.events(10);
    assert.deepEqual(events.map((event) => event.id), positions.slice(140));
    await reader.quiet();
    await reader.stop();
  });
  await hereReader.stop();
  await thereReader.stop();
}

/** One test's store, and the Topics it opened on it; closes them all at the end. */
class Scene {
  readonly #store: EngineUnderTest;
  #engine: TopicEngine;
  readonly #open = new Set<Topics>();

  constructor(store: EngineUnderTest) {
    this.#store = store;
    this.#engine = store.engine;
  }

  /** Topics on the test process's engine, or on another process's `engine`. */
  topics(engine: TopicEngine = this.#engine): Topics {
    const topics = createTopics({ engine });
    this.#open.add(topics);
    return topics;
  }

  /** Another process's engine on the same store. */
  peer(): Promise<TopicEngine> {
    assert.ok(this.#store.makePeer, "a harness with `peers` needs stores with makePeer()");
    return this.#store.makePeer();
  }

  /**
   * The store loses its streams. Returns the Topics to carry on with: the
   * same, when the engine outlives the loss; new ones (on the new engine,
   * with no topic declared yet) when the loss was a restart of the process.
   */
  async lose(topics: Topics): Promise<Topics> {
    const engine = await this.#store.lose();
    if (engine === this.#engine) return topics;
    await this.close(topics);
    this.#engine = engine;
    return this.topics();
  }

  /** Closes Topics early. */
  async close(topics: Topics): Promise<void> {
    if (this.#open.delete(topics)) await topics.close();
  }

  /** Closes every Topics still open, then the store. */
  async dispose(): Promise<void> {
    for (const topics of [...this.#open]) await this.close(topics);
    await this.#store.close();
  }
}

/** Publishes values one after another; returns their positions. */
async function publishAll<T>(topic: Topic<T>, key: string, values: T[]): Promise<string[]> {
  const positions: string[] = [];
  for (const value of values) positions.push(await topic.publish(key, value));
  return positions;
}

/** How long one step may take before the test fails. Generous: it only matters on failure. */
