import assert from "node:assert/strict";
import type { HistoryPage } from "../topics/engine.ts";
import { HistoryWindows } from "./window.ts";

const LIMITS = { maxLength: 100, maxAge: Infinity };

/** A fake Redis: a stream of `top` events, all kept from `first`; counts reads. */
function fakeRedis(state: { epoch: string; top: number; first: number }) {
  const reads: Array<[number | undefined, number]> = [];
  const fetch = (_stream: string, after: number | undefined, limit: number) => {
    reads.push([after, limit]);
    const from = Math.max(state.first, after === undefined ? state.top - limit + 1 : after + 1);
    const events = [];
    for (let offset = from; offset <= state.top && events.length < limit; offset++) {
      events.push({ offset, payload: `p${offset}` });
    }
    const page: HistoryPage = { epoch: state.epoch, top: state.top, first: state.first, events };
    return Promise.resolve(page);
  };
  return { reads, fetch };
}

Deno.test("many resumes of one key from one position cost one read", async () => {
  const redis = fakeRedis({ epoch: "e", top: 200, first: 1 });
  const windows = new HistoryWindows(redis.fetch, 1_000);
  windows.track("room", LIMITS);
  const pages = await Promise.all(
    Array.from({ length: 50 }, () => windows.read("room", 150, 100)),
  );
  assert.equal(redis.reads.length, 1);
  for (const page of pages) assert.deepEqual(page.events.map((e) => e.offset)[0], 151);
  // Later resumes from anywhere the window covers are served from memory.
  const later = await windows.read("room", 180, 100);
  assert.deepEqual(later.events.map((e) => e.offset), range(181, 200));
  assert.equal(redis.reads.length, 1);
});

Deno.test("live events extend the window; a hole in them sends the next read to Redis", async () => {
  const state = { epoch: "e", top: 10, first: 1 };
  const redis = fakeRedis(state);
  const windows = new HistoryWindows(redis.fetch, 1_000);
  windows.track("room", LIMITS);
  await windows.read("room", 5, 100);
  state.top = 12;
  windows.live("room", "e", 11, "p11");
  windows.live("room", "e", 12, "p12");
  const served = await windows.read("room", 10, 100);
  assert.deepEqual(served.events.map((e) => e.offset), [11, 12]);
  assert.equal(served.top, 12);
  assert.equal(redis.reads.length, 1);

  state.top = 14;
  windows.live("room", "e", 14, "p14"); // 13 was lost on the way
  const read = await windows.read("room", 12, 100);
  assert.equal(redis.reads.length, 2);
  assert.deepEqual(read.events.map((e) => e.offset), [13, 14]);
});

Deno.test("a window never answers for events before it, nor after a lost link", async () => {
  const state = { epoch: "e", top: 10, first: 1 };
  const redis = fakeRedis(state);
  const windows = new HistoryWindows(redis.fetch, 1_000);
  windows.track("room", LIMITS);
  await windows.read("room", 8, 100); // the window holds 9 and 10
  await windows.read("room", 2, 100); // before it: Redis
  assert.equal(redis.reads.length, 2);
  windows.invalidateAll();
  await windows.read("room", 9, 100);
  assert.equal(redis.reads.length, 3);
});

Deno.test("a window keeps no more than the topic's maxLength", async () => {
  const state = { epoch: "e", top: 0, first: 1 };
  const redis = fakeRedis(state);
  const windows = new HistoryWindows(redis.fetch, 1_000);
  windows.track("room", { maxLength: 5, maxAge: Infinity });
  await windows.read("room", 0, 100);
  for (let offset = 1; offset <= 20; offset++) windows.live("room", "e", offset, `p${offset}`);
  state.top = 20;
  state.first = 16;
  const page = await windows.read("room", 15, 100);
  assert.deepEqual(page.events.map((e) => e.offset), [16, 17, 18, 19, 20]);
  assert.equal(redis.reads.length, 1);
  await windows.read("room", 3, 100); // trimmed: only Redis can say so
  assert.equal(redis.reads.length, 2);
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}
