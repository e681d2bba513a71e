import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import type { SubscriptionGap } from "./options.ts";
import {
  endOnAbort,
  type OpenSubscription,
  Stream,
  type SubscriptionSink,
} from "./subscription.ts";

/** A subscription whose server side the test plays: it holds the sink, and counts stops. */
function fakeServer(): { open: OpenSubscription; sink: () => SubscriptionSink; stops: number } {
  let sink: SubscriptionSink | undefined;
  const server = {
    open: (given: SubscriptionSink) => {
      sink = given;
      return () => server.stops++;
    },
    sink: () => {
      assert.ok(sink, "the subscription was opened");
      return sink;
    },
    stops: 0,
  };
  return server;
}

/** Reads a stream to its end: the events, and the error it ended with, if any. */
async function readAll<T>(stream: Stream<T>): Promise<{ events: T[]; error?: unknown }> {
  const events: T[] = [];
  try {
    for await (const event of stream) events.push(event);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

Deno.test("a for await loop gets the events that waited, then the rest, in order", async () => {
  const server = fakeServer();
  const stream = new Stream<number>(server.open);
  const iterator = stream[Symbol.asyncIterator]();
  const sink = server.sink();
  sink.data(1);
  sink.data(2);
  assert.deepEqual(await iterator.next(), { value: 1, done: false });
  assert.deepEqual(await iterator.next(), { value: 2, done: false });
  const waiting = iterator.next();
  sink.data(3);
  sink.complete();
  assert.deepEqual(await waiting, { value: 3, done: false });
  assert.deepEqual(await iterator.next(), { value: undefined, done: true });
});

Deno.test("gaps reach onGap in order with the events", async () => {
  const server = fakeServer();
  const heard: Array<number | string> = [];
  const stream = new Stream<number>(server.open, {
    onGap: (gap: SubscriptionGap) => heard.push(`gap ${gap.position}`),
  });
  const reading = (async () => {
    for await (const event of stream) heard.push(event);
  })();
  const sink = server.sink();
  sink.data(1);
  sink.gap({ reason: "trimmed", position: "e:9" });
  sink.data(10);
  sink.complete();
  await reading;
  assert.deepEqual(heard, [1, "gap e:9", 10]);
});

Deno.test("a gap with no onGap ends the subscription with EventsMissed, after the events before it", async () => {
  const server = fakeServer();
  const stream = new Stream<number>(server.open);
  const reading = readAll(stream);
  const sink = server.sink();
  sink.data(1);
  sink.gap({ reason: "limit", position: "e:50" });
  sink.data(51);
  const { events, error } = await reading;
  assert.deepEqual(events, [1]);
  assert.ok(error instanceof RpcError);
  assert.equal(error.code, ErrorCode.EventsMissed);
  assert.equal(server.stops, 1, "ended on the server too");
});

/** Reads what an iterator has until it ends: the events, and the error it ended with. */
async function drain<T>(iterator: AsyncIterator<T>): Promise<{ events: T[]; error?: unknown }> {
  const events: T[] = [];
  try {
    while (true) {
      const step = await iterator.next();
      if (step.done) return { events };
      events.push(step.value);
    }
  } catch (error) {
    return { events, error };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("a reader still more than maxBuffered behind a second later gets what waited, then EventsMissed", async () => {
  const server = fakeServer();
  const stream = new Stream<number>(server.open, { maxBuffered: 3 });
  const iterator = stream[Symbol.asyncIterator]();
  const sink = server.sink();
  for (let n = 1; n <= 5; n++) sink.data(n);
  assert.equal(server.stops, 0, "a burst past the bound gets time to be read");
  await sleep(1100);
  assert.equal(server.stops, 1, "a second later, still behind: ended on the server too");
  sink.data(6); // after the end: not delivered
  const { events, error } = await drain(iterator);
  assert.deepEqual(events, [1, 2, 3, 4, 5], "none of what waited is dropped");
  assert.ok(error instanceof RpcError);
  assert.equal(error.code, ErrorCode.EventsMissed);
  assert.match(error.message, /stayed more than 3 events behind \(maxBuffered\) for 1000 ms/);
  assert.deepEqual(error.data, { maxBuffered: 3 });
});

Deno.test("a burst past maxBuffered that the reader catches up with ends nothing", async () => {
  const server = fakeServer();
  const stream = new Stream<number>(server.open, { maxBuffered: 3 });
  const iterator = stream[Symbol.asyncIterator]();
  const sink = server.sink();
  for (let n = 1; n <= 8; n++) sink.data(n);
  const read: number[] = [];
  for (let n = 1; n <= 8; n++) read.push((await iterator.next()).value);
  await sleep(1100);
  sink.data(9);
  sink.complete();
  assert.deepEqual([...read, ...(await drain(iterator)).events], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(server.stops, 0);
});

Deno.test("a reader ten times maxBuffered behind ends the subscription at once", async () => {
  const server = fakeServer();
  const stream = new Stream<number>(server.open, { maxBuffered: 3 });
  const iterator = stream[Symbol.asyncIterator]();
  const sink = server.sink();
  for (let n = 1; n <= 30; n++) sink.data(n);
  assert.equal(server.stops, 0);
  sink.data(31);
  assert.equal(server.stops, 1, "the 31st ended it on the server");
  const { events, error } = await drain(iterator);
  assert.equal(events.length, 30);
  assert.ok(error instanceof RpcError);
  assert.equal(error.code, ErrorCode.EventsMissed);
  assert.match(error.message, /fell 30 events behind \(10 × maxBuffered\)/);
});

Deno.test("callbacks take each event as it comes, so maxBuffered never ends them", () => {
  const server = fakeServer();
  const got: number[] = [];
  new Stream<number>(server.open, { maxBuffered: 1 }).subscribe({ onData: (n) => got.push(n) });
  for (let n = 0; n < 100; n++) server.sink().data(n);
  assert.equal(got.length, 100);
  assert.equal(server.stops, 0);
});

Deno.test("an error from the server comes after the events that waited", async () => {
  const server = fakeServer();
  const stream = new Stream<number>(server.open);
  const reading = readAll(stream);
  const sink = server.sink();
  sink.data(1);
  sink.data(2);
  const refused = new RpcError(ErrorCode.Forbidden, "You left the room");
  sink.error(refused);
  assert.deepEqual(await reading, { events: [1, 2], error: refused });
});

Deno.test("unsubscribe lets the loop read what waited, then ends it; break drops the rest", async (t) => {
  await t.step("unsubscribe", async () => {
    const server = fakeServer();
    const stream = new Stream<number>(server.open);
    const reading = readAll(stream);
    server.sink().data(1);
    stream.unsubscribe();
    server.sink().data(2);
    assert.deepEqual(await reading, { events: [1] });
    assert.equal(server.stops, 1);
  });
  await t.step("break", async () => {
    const server = fakeServer();
    const stream = new Stream<number>(server.open);
    const iterator = stream[Symbol.asyncIterator]();
    server.sink().data(1);
    server.sink().data(2);
    assert.deepEqual(await iterator.next(), { value: 1, done: false });
    await iterator.return?.();
    assert.deepEqual(await iterator.next(), { value: undefined, done: true });
    assert.equal(server.stops, 1);
  });
});

Deno.test("a maxBuffered of 0 or less is refused", () => {
  assert.throws(() => new Stream(fakeServer().open, { maxBuffered: 0 }), RangeError);
});

Deno.test("a stream opened before it is read keeps what came for its reader, then EventsMissed", async () => {
  const server = fakeServer();
  const stream = new Stream<number>(server.open, { maxBuffered: 2 });
  stream.listen(); // as `started`, or the type-only client's acknowledgement, does
  const sink = server.sink();
  sink.started();
  for (let n = 1; n <= 21; n++) sink.data(n);
  assert.equal(server.stops, 1, "the 21st event (10 × maxBuffered) ended it on the server");
  assert.equal(await stream.started, undefined, "it had started: that stays so");
  const { events, error } = await readAll(stream);
  assert.deepEqual(events, Array.from({ length: 20 }, (_, i) => i + 1));
  assert.ok(error instanceof RpcError);
  assert.equal(error.code, ErrorCode.EventsMissed);
  assert.deepEqual(error.data, { maxBuffered: 2 });
});

Deno.test("an observer that comes after the stream opened hears the start, what waited, then the end", () => {
  const server = fakeServer();
  const stream = new Stream<number>(server.open, { maxBuffered: 2 });
  stream.listen();
  const sink = server.sink();
  sink.started();
  for (let n = 1; n <= 21; n++) sink.data(n);
  const heard: string[] = [];
  stream.subscribe({
    onStarted: () => heard.push("started"),
    onData: (n) => heard.push(`data ${n}`),
    onError: (error) => heard.push(`error ${(error as RpcError).code}`),
    onComplete: () => heard.push("complete"),
  });
  assert.deepEqual(heard, [
    "started",
    ...Array.from({ length: 20 }, (_, i) => `data ${i + 1}`),
    `error ${ErrorCode.EventsMissed}`,
  ]);
});

Deno.test("a gap that waited for its reader is the reader's to hear, in order with the events", async (t) => {
  await t.step("with onGap", async () => {
    const server = fakeServer();
    const heard: Array<number | string> = [];
    const stream = new Stream<number>(server.open, {
      onGap: (gap: SubscriptionGap) => heard.push(`gap ${gap.position}`),
    });
    stream.listen();
    const sink = server.sink();
    sink.data(1);
    sink.gap({ reason: "trimmed", position: "e:9" });
    sink.data(10);
    sink.complete();
    for await (const event of stream) heard.push(event);
    assert.deepEqual(heard, [1, "gap e:9", 10]);
  });
  await t.step("without: EventsMissed after the events before it", async () => {
    const server = fakeServer();
    const stream = new Stream<number>(server.open);
    stream.listen();
    const sink = server.sink();
    sink.data(1);
    sink.gap({ reason: "limit", position: "e:50" });
    sink.data(51);
    assert.equal(server.stops, 0, "not ended before anyone could hear the gap");
    const { events, error } = await readAll(stream);
    assert.deepEqual(events, [1]);
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, ErrorCode.EventsMissed);
    assert.equal(server.stops, 1);
  });
});

Deno.test("a loop waiting for the next event hears the end: completion, an error, or unsubscribe", async (t) => {
  await t.step("completion", async () => {
    const server = fakeServer();
    const stream = new Stream<number>(server.open);
    const waiting = stream[Symbol.asyncIterator]().next();
    server.sink().complete();
    assert.deepEqual(await waiting, { value: undefined, done: true });
  });
  await t.step("an error", async () => {
    const server = fakeServer();
    const stream = new Stream<number>(server.open);
    const waiting = stream[Symbol.asyncIterator]().next();
    const refused = new RpcError(ErrorCode.Forbidden, "You left the room");
    server.sink().error(refused);
    await assert.rejects(waiting, (error) => error === refused);
  });
  await t.step("unsubscribe", async () => {
    const server = fakeServer();
    const stream = new Stream<number>(server.open);
    const waiting = stream[Symbol.asyncIterator]().next();
    stream.unsubscribe();
    assert.deepEqual(await waiting, { value: undefined, done: true });
    assert.equal(server.stops, 1);
  });
});

Deno.test("once a stream ended with an error, every later read throws it again; nothing more is taken", async () => {
  const server = fakeServer();
  const stream = new Stream<number>(server.open);
  const iterator = stream[Symbol.asyncIterator]();
  const sink = server.sink();
  sink.data(1);
  const refused = new RpcError(ErrorCode.Forbidden, "You left the room");
  sink.error(refused);
  sink.data(2);
  sink.error(new RpcError(ErrorCode.InternalError, "A later failure changes nothing"));
  assert.deepEqual(await iterator.next(), { value: 1, done: false });
  await assert.rejects(iterator.next(), (error) => error === refused);
  await assert.rejects(iterator.next(), (error) => error === refused);
});

Deno.test("an error that comes while an observer subscribes is heard once", () => {
  // The connection can fail synchronously while the subscription opens.
  const refused = new RpcError(ErrorCode.ConnectionLost, "Could not connect");
  const stream = new Stream<number>((sink) => {
    sink.error(refused);
    return () => {};
  });
  const heard: unknown[] = [];
  stream.subscribe({ onError: (error) => heard.push(error), onComplete: () => heard.push("end") });
  assert.deepEqual(heard, [refused]);
});

Deno.test("a subscription's signal ends it as if the server completed it, also one that fired before it opened", async (t) => {
  await t.step("fired later", async () => {
    const server = fakeServer();
    const controller = new AbortController();
    const stream = new Stream<number>(endOnAbort(server.open, controller.signal));
    const reading = readAll(stream);
    server.sink().data(1);
    controller.abort();
    assert.deepEqual(await reading, { events: [1] });
    assert.equal(server.stops, 1);
  });
  await t.step("fired before", async () => {
    const server = fakeServer();
    const stream = new Stream<number>(endOnAbort(server.open, AbortSignal.abort()));
    assert.deepEqual(await readAll(stream), { events: [] });
    assert.equal(server.stops, 1);
  });
});
