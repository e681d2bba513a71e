/**
 * Events with ids, which a subscription can resume from.
 *
 * @module
 */

/**
 * An event with an id, as yielded by a resumable subscription.
 *
 * @example Tell tracked events from plain ones
 * ```ts
 * import { Tracked, tracked } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * const event: Tracked<{ text: string }> = tracked("41", { text: "hi" });
 * assert.ok(event instanceof Tracked);
 * assert.equal(event.id, "41"); // the client sends it back as `lastEventId`
 * assert.deepEqual(event.value, { text: "hi" }); // the client receives only this
 * ```
 */
export class Tracked<T> {
  /** The event's id: the client sends back the last one it saw. */
  readonly id: string;
  /** The event. */
  readonly value: T;

  /**
   * Marks an event with an id; {@linkcode tracked} says the same, shorter.
   *
   * @param id The event's id.
   * @param value The event.
   */
  constructor(id: string, value: T) {
    this.id = id;
    this.value = value;
  }
}

/**
 * Marks an event with an id. Yield tracked events from a subscription handler
 * and the client remembers the last id it delivered; when it resubscribes after
 * a reconnect, the handler receives that id as `lastEventId` and replays from
 * there, so no event is lost or seen twice.
 *
 * @example A resumable feed
 * ```ts
 * import { tracked } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * const log = ["a", "b", "c"];
 * async function* feed({ lastEventId }: { lastEventId?: string }) {
 *   const from = lastEventId === undefined ? 0 : Number(lastEventId) + 1;
 *   for (let i = from; i < log.length; i++) yield tracked(String(i), log[i]!);
 * }
 * const replayed = [];
 * for await (const event of feed({ lastEventId: "0" })) replayed.push(event.value);
 * assert.deepEqual(replayed, ["b", "c"]);
 * ```
 *
 * @param id The event's id, unique within the stream and increasing.
 * @param value The event.
 * @returns The tracked event.
 */
export function tracked<T>(id: string, value: T): Tracked<T> {
  return new Tracked(id, value);
}
