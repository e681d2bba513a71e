/**
 * A first-in, first-out queue with a capacity. Every push-to-pull buffer in
 * wsrpc is one: a subscription's events on the client, a topic subscriber's
 * live events on the server. Each owner says what a full queue means (the
 * client ends the subscription, the topic cursor reads from the history) and
 * does its own waiting, so the queue is only the buffer.
 *
 * @module
 */

/**
 * Past this many items taken, the front of the array is given back once it
 * is half of it (so an emptied queue keeps at most about twice this many slots).
 */
const COMPACT_AFTER = 64;

/**
 * A first-in, first-out queue that holds at most `capacity` items: `push`
 * says `false` rather than drop anything silently, and the producer decides
 * what that means. Taking the first item costs the same however long the
 * queue is.
 *
 * @example A producer that ends the stream when its reader falls behind
 * ```ts
 * import { BoundedQueue } from "./bounded_queue.ts";
 * import assert from "node:assert/strict";
 *
 * const queue = new BoundedQueue<number>(2);
 * assert.equal(queue.push(1), true);
 * assert.equal(queue.push(2), true);
 * assert.equal(queue.push(3), false); // full: end the stream, or read 3 from a history
 * assert.equal(queue.shift(), 1);
 * assert.equal(queue.length, 1);
 * ```
 */
export class BoundedQueue<T> {
  /** The most items held at once. */
  readonly capacity: number;
  #items: Array<T | undefined> = [];
  /** Where the first item is in `#items`. */
  #head = 0;

  /**
   * @param capacity The most items held at once (above 0); `Infinity` for no bound.
   * @throws {RangeError} When `capacity` is not above 0.
   */
  constructor(capacity: number) {
    if (!(capacity > 0)) {
      throw new RangeError(`A queue's capacity must be above 0, not ${capacity}`);
    }
    this.capacity = capacity;
  }

  /** How many items are held. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /**
   * Adds an item at the end, unless the queue is full.
   *
   * @param item The item.
   * @returns `true` if it is held; `false` if the queue was full.
   */
  push(item: T): boolean {
    if (this.length >= this.capacity) return false;
    this.#items.push(item);
    return true;
  }

  /**
   * Takes the first item.
   *
   * @returns The item, or `undefined` when the queue is empty.
   */
  shift(): T | undefined {
    const items = this.#items;
    if (this.#head === items.length) return undefined;
    const item = items[this.#head];
    items[this.#head++] = undefined;
    if (this.#head > COMPACT_AFTER && this.#head * 2 >= items.length) {
      this.#items = items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Drops every item held. */
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
