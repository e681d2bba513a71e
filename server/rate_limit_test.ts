import assert from "node:assert/strict";
import { ErrorCode } from "../shared/errors.ts";
import { Throttle, TokenBucket } from "./rate_limit.ts";

Deno.test("a bucket lets a burst through at once, then refills at its rate", () => {
  let now = 0;
  const bucket = new TokenBucket(100, 5, () => now);
  for (let i = 0; i < 5; i++) assert.equal(bucket.take(), true, `message ${i} of the burst`);
  assert.equal(bucket.take(), false);
  assert.equal(bucket.retryAfter(), 10, "one token every 10 ms");
  now += 4;
  assert.equal(bucket.take(), false, "0.4 of a token is not one");
  assert.equal(bucket.retryAfter(), 6);
  now += 6;
  assert.equal(bucket.take(), true);
  assert.equal(bucket.take(), false);
});

Deno.test("an idle bucket fills up to its burst and no further", () => {
  let now = 0;
  const bucket = new TokenBucket(1_000, 3, () => now);
  for (let i = 0; i < 3; i++) bucket.take();
  now += 60_000;
  assert.equal(bucket.retryAfter(), 0, "a token is there now");
  const taken = Array.from({ length: 5 }, () => bucket.take());
  assert.deepEqual(taken, [true, true, true, false, false]);
});

Deno.test("a clock that goes back takes no tokens away and adds none", () => {
  let now = 1_000;
  const bucket = new TokenBucket(10, 1, () => now);
  assert.equal(bucket.take(), true);
  now = 0;
  assert.equal(bucket.take(), false);
  now = 100;
  assert.equal(bucket.take(), true, "counted from where the clock went back to");
});

Deno.test("a rate of Infinity never refuses; a rate of 0 never refills", () => {
  let now = 0;
  const open = new TokenBucket(Infinity, 0, () => now);
  for (let i = 0; i < 1_000; i++) assert.equal(open.take(), true);
  assert.equal(open.retryAfter(), 0);
  const shut = new TokenBucket(0, 1, () => now);
  assert.equal(shut.take(), true);
  now += 1e9;
  assert.equal(shut.take(), false);
  assert.equal(shut.retryAfter(), Infinity);
});

Deno.test("a throttle forgives a client that overshoots now and then, and gives up on a flood", () => {
  let floods = 0;
  // One a second: no token comes back while the test runs.
  const throttle = new Throttle({ messagesPerSecond: 1, burst: 3 }, { close: () => floods++ });
  for (let i = 0; i < 3; i++) assert.equal(throttle.admit(), true);
  for (let i = 0; i < 3; i++) {
    assert.equal(throttle.admit(), false);
    assert.equal(floods, 0, `refusal ${i + 1} of 3 is forgiven`);
  }
  assert.equal(throttle.admit(), false);
  assert.equal(floods, 1, "the next refusal is one too many");
});

Deno.test("a refused request gets TooManyRequests with retryAfter; a notification gets nothing", () => {
  const throttle = new Throttle({ messagesPerSecond: 1, burst: 1 }, { close() {} });
  throttle.admit();
  for (const id of [7, "a7", null]) {
    const refusal = throttle.refusal({ jsonrpc: "2.0", id, method: "hello" });
    assert.equal(refusal?.id, id);
    assert.equal(refusal?.error.code, ErrorCode.TooManyRequests);
    assert.equal(refusal?.error.message, "Too many requests");
    const { retryAfter } = refusal?.error.data as { retryAfter: number };
    assert.ok(retryAfter > 900 && retryAfter <= 1000, `retryAfter ${retryAfter} is about 1 s`);
  }
  assert.equal(throttle.refusal({ jsonrpc: "2.0", method: "hello" }), undefined);
  assert.equal(throttle.refusal({ jsonrpc: "2.0", id: { bad: 1 }, method: "hello" }), undefined);
  assert.equal(throttle.refusal("not a request"), undefined);
  assert.equal(throttle.refusal([1, 2]), undefined);
});
