import assert from "node:assert/strict";
import { BoundedQueue } from "./bounded_queue.ts";

Deno.test("items come out in the order they went in, however far the ring wraps", () => {
  const queue = new BoundedQueue<number>({ capacity: Infinity });
  let next = 0;
  let expected = 0;
  // Push more than is taken each round, so the ring both wraps and grows.
  for (let round = 0; round < 200; round++) {
    for (let i = 0; i < 5; i++) assert.equal(queue.push(next++), true);
    for (let i = 0; i < 3; i++) assert.equal(queue.shift(), expected++);
  }
  assert.equal(queue.length, next - expected);
  while (queue.length > 0) assert.equal(queue.shift(), expected++);
  assert.equal(expected, next);
  assert.equal(queue.shift(), undefined);
});

Deno.test("a full queue that refuses keeps what it holds and turns the new item away", () => {
  const queue = new BoundedQueue<string>({ capacity: 2 });
  assert.equal(queue.push("a"), true);
  assert.equal(queue.push("b"), true);
  assert.equal(queue.push("c"), false);
  assert.equal(queue.length, 2);
  assert.equal(queue.shift(), "a");
  assert.equal(queue.push("d"), true, "room again once one is read");
  assert.deepEqual([queue.shift(), queue.shift()], ["b", "d"]);
});

Deno.test("a full queue that clears drops what it holds and the new item, then takes more", () => {
  const queue = new BoundedQueue<number>({ capacity: 3, overflow: "clear" });
  for (const n of [1, 2, 3]) assert.equal(queue.push(n), true);
  assert.equal(queue.push(4), false);
  assert.equal(queue.length, 0);
  assert.equal(queue.push(5), true);
  assert.equal(queue.shift(), 5);
});

Deno.test("a reader waits for the next item", async () => {
  const queue = new BoundedQueue<number>({ capacity: 10 });
  const first = queue.next();
  let settled = false;
  void first.then(() => settled = true);
  await Promise.resolve();
  assert.equal(settled, false);
  queue.push(7);
  assert.deepEqual(await first, { value: 7, done: false });
});

Deno.test("closing lets the reader finish what is held, then ends", async () => {
  const queue = new BoundedQueue<number>({ capacity: 10 });
  queue.push(1);
  queue.push(2);
  queue.close();
  assert.equal(queue.push(3), false, "nothing more is taken");
  const read: number[] = [];
  for await (const n of queue) read.push(n);
  assert.deepEqual(read, [1, 2]);
  assert.deepEqual(await queue.next(), { value: undefined, done: true });
});

Deno.test("closing wakes a reader that is waiting", async () => {
  const queue = new BoundedQueue<number>({ capacity: 10 });
  const waiting = queue.next();
  queue.close();
  assert.deepEqual(await waiting, { value: undefined, done: true });
});

Deno.test("failing lets the reader finish what is held, then throws, every time", async () => {
  const queue = new BoundedQueue<number>({ capacity: 10 });
  queue.push(1);
  const error = new Error("The stream broke");
  queue.fail(error);
  queue.fail(new Error("A later failure changes nothing"));
  assert.deepEqual(await queue.next(), { value: 1, done: false });
  await assert.rejects(queue.next(), error);
  await assert.rejects(queue.next(), error);
});

Deno.test("a waiting reader hears the failure", async () => {
  const queue = new BoundedQueue<number>({ capacity: 10 });
  const waiting = queue.next();
  const error = new Error("The stream broke");
  queue.fail(error);
  await assert.rejects(waiting, error);
});

Deno.test("a queue emptied by clear, or by reading, starts over cleanly", () => {
  const queue = new BoundedQueue<number>({ capacity: Infinity });
  for (let n = 0; n < 10_000; n++) queue.push(n);
  queue.clear();
  assert.equal(queue.length, 0);
  assert.equal(queue.shift(), undefined);
  for (let n = 0; n < 1_000; n++) queue.push(n);
  for (let n = 0; n < 1_000; n++) assert.equal(queue.shift(), n);
  assert.equal(queue.length, 0);
});

Deno.test("a capacity of 0 or less is refused", () => {
  assert.throws(() => new BoundedQueue({ capacity: 0 }), RangeError);
  assert.throws(() => new BoundedQueue({ capacity: -1 }), RangeError);
  assert.throws(() => new BoundedQueue({ capacity: Number.NaN }), RangeError);
});
