import assert from "node:assert/strict";
import { Deadlines } from "./deadlines.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("each key expires once its deadline passes, earliest first", async () => {
  const expired: string[] = [];
  const deadlines = new Deadlines<string>((key) => expired.push(key), { keepArmed: false });
  // Far apart, so that a busy machine's late timers can't reorder them.
  deadlines.set("late", 300);
  deadlines.set("early", 10);
  deadlines.set("middle", 150);
  await sleep(75);
  assert.deepEqual(expired, ["early"]);
  await sleep(300);
  assert.deepEqual(expired, ["early", "middle", "late"]);
});

Deno.test("a deleted key never expires, and a key set again keeps only its new deadline", async () => {
  const expired: string[] = [];
  const deadlines = new Deadlines<string>((key) => expired.push(key), { keepArmed: false });
  deadlines.set("answered", 10);
  deadlines.set("kept", 10);
  deadlines.set("kept", 150);
  deadlines.delete("answered");
  await sleep(75);
  assert.deepEqual(expired, []);
  await sleep(150);
  assert.deepEqual(expired, ["kept"]);
});

Deno.test("a hundred keys due at once all expire", async () => {
  const expired: number[] = [];
  const deadlines = new Deadlines<number>((key) => expired.push(key), { keepArmed: false });
  for (let key = 0; key < 100; key++) deadlines.set(key, 5);
  await sleep(30);
  assert.equal(expired.length, 100);
});

Deno.test("an expired key may be set again from inside expire", async () => {
  let fired = 0;
  const deadlines: Deadlines<string> = new Deadlines((key) => {
    if (++fired < 3) deadlines.set(key, 5);
  }, { keepArmed: false });
  deadlines.set("retry", 5);
  await sleep(60);
  assert.equal(fired, 3);
});

/** Counts the timers started and not yet fired or cleared, while it is in use. */
function liveTimers(): { readonly count: number } & Disposable {
  const { setTimeout: set, clearTimeout: clear } = globalThis;
  type Id = ReturnType<typeof setTimeout>;
  const live = new Set<Id>();
  globalThis.setTimeout = ((run: () => void, ms?: number) => {
    const id: Id = set(() => {
      live.delete(id);
      run();
    }, ms);
    live.add(id);
    return id;
  }) as unknown as typeof setTimeout;
  globalThis.clearTimeout = ((id?: Id) => {
    if (id !== undefined) live.delete(id);
    clear(id);
  }) as typeof clearTimeout;
  return {
    get count() {
      return live.size;
    },
    [Symbol.dispose]: () => {
      globalThis.setTimeout = set;
      globalThis.clearTimeout = clear;
    },
  };
}

Deno.test("without keepArmed, the timer stops with the last deadline; with it, it stays until clear", () => {
  using timers = liveTimers();
  const off = new Deadlines<string>(() => assert.fail("deleted"), { keepArmed: false });
  off.set("a", 1_000);
  off.set("b", 2_000);
  assert.equal(timers.count, 1, "one timer for both");
  off.delete("a");
  assert.equal(timers.count, 1);
  off.delete("b");
  assert.equal(timers.count, 0);
  const kept = new Deadlines<string>(() => assert.fail("cleared"), { keepArmed: true });
  kept.set("a", 1_000);
  kept.delete("a");
  assert.equal(timers.count, 1, "armed for the next key");
  kept.set("b", 2_000);
  assert.equal(timers.count, 1, "a later deadline keeps the same timer");
  kept.clear();
  assert.equal(timers.count, 0);
});
