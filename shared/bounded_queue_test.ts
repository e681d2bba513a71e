import assert from "node:assert/strict";
import { BoundedQueue } from "./bounded_queue.ts";

Deno.test("items come out in the order they went in, however long the queue runs", () => {
  const queue = new BoundedQueue<number>(Infinity);
  let next = 0;
  let expected = 0;
  // Push more than is taken each round, so the queue both grows and gives back its front.
  for (let round = 0; round < 2_000; round++) {
    for (let i = 0; i < 5; i++) assert.equal(queue.push(next++), true);
    for (let i = 0; i < 3; i++) assert.equal(queue.shift(), expected++);
  }
  assert.equal(queue.length, next - expected);
  while (queue.length > 0) assert.equal(queue.shift(), expected++);
  assert.equal(expected, next);
  assert.equal(queue.shift(), undefined);
});

Deno.test("a full queue keeps what it holds and turns the new item away", () => {
  const queue = new BoundedQueue<string>(2);
  assert.equal(queue.push("a"), true);
  assert.equal(queue.push("b"), true);
  assert.equal(queue.push("c"), false);
  assert.equal(queue.length, 2);
  assert.equal(queue.shift(), "a");
  assert.equal(queue.push("d"), true, "room again once one is read");
  assert.deepEqual([queue.shift(), queue.shift()], ["b", "d"]);
});

Deno.test("a producer that clears a full queue (to read it all elsewhere) can push again", () => {
  const queue = new BoundedQueue<number>(3);
  for (const n of [1, 2, 3]) assert.equal(queue.push(n), true);
  assert.equal(queue.push(4), false);
  queue.clear();
  assert.equal(queue.length, 0);
  assert.equal(queue.push(5), true);
  assert.equal(queue.shift(), 5);
});

Deno.test("a queue emptied by clear, or by reading, starts over cleanly", () => {
  const queue = new BoundedQueue<number>(Infinity);
  for (let n = 0; n < 10_000; n++) queue.push(n);
  queue.clear();
  assert.equal(queue.length, 0);
  assert.equal(queue.shift(), undefined);
  for (let n = 0; n < 1_000; n++) queue.push(n);
  for (let n = 0; n < 1_000; n++) assert.equal(queue.shift(), n);
  assert.equal(queue.length, 0);
  assert.equal(queue.shift(), undefined);
  assert.equal(queue.push(7), true);
  assert.equal(queue.shift(), 7);
});

Deno.test("undefined is an item like any other: length tells it from an empty queue", () => {
  const queue = new BoundedQueue<number | undefined>(2);
  assert.equal(queue.push(undefined), true);
  assert.equal(queue.length, 1);
  assert.equal(queue.shift(), undefined);
  assert.equal(queue.length, 0);
});

Deno.test("a capacity of 0 or less is refused", () => {
  assert.throws(() => new BoundedQueue(0), RangeError);
  assert.throws(() => new BoundedQueue(-1), RangeError);
  assert.throws(() => new BoundedQueue(Number.NaN), RangeError);
});
