/**
 * A queue between a producer that pushes and a consumer that pulls, with a
 * capacity and a policy for what a full queue does. Every push-to-iterator
 * buffer in wsrpc is one: a subscription's events on the client, a topic
 * subscriber's live events on the server.
 *
 * @module
 */

/**
 * What a full queue does with one more item. Either way nothing is lost
 * silently: `push` returns `false`, and the producer says what it means.
 *
 * - `"refuse"`: keeps what it holds and turns the new item away, for a
 *   producer that ends the stream with an error (the consumer still gets what
 *   was held first).
 * - `"clear"`: drops what it holds and the new item, for a consumer that can
 *   read them again elsewhere, such as from a history.
 */
export type OverflowPolicy = "refuse" | "clear";

/** The settings of a {@linkcode BoundedQueue}. */
export interface BoundedQueueOptions {
  /** The most items held at once (above 0); `Infinity` for no bound. */
  capacity: number;
  /** What a full queue does with one more item. Defaults to `"refuse"`. */
  overflow?: OverflowPolicy;
}

const FIRST_SLOTS = 8;
/** An emptied queue gives back a ring larger than this. */
const KEPT_SLOTS = 64;

/**
 * A first-in, first-out queue with a capacity, read with `shift` or awaited
 * with `next` (and so with `for await`), and ended with `close` or `fail`.
 * Items are kept in a ring that grows as needed, so neither end costs more
 * as the queue grows.
 *
 * @example A producer that ends the stream when its reader falls behind
 * ```ts
 * import { BoundedQueue } from "./bounded_queue.ts";
 * import assert from "node:assert/strict";
 *
 * const queue = new BoundedQueue<number>({ capacity: 2 });
 * assert.equal(queue.push(1), true);
 * assert.equal(queue.push(2), true);
 * if (!queue.push(3)) queue.fail(new RangeError("The reader fell 2 events behind"));
 * assert.deepEqual(await queue.next(), { value: 1, done: false });
 * assert.deepEqual(await queue.next(), { value: 2, done: false });
 * await assert.rejects(queue.next(), RangeError);
 * ```
 *
 * @example A consumer that reads again what a full queue dropped
 * ```ts
 * import { BoundedQueue } from "./bounded_queue.ts";
 * import assert from "node:assert/strict";
 *
 * const queue = new BoundedQueue<number>({ capacity: 2, overflow: "clear" });
 * queue.push(1);
 * queue.push(2);
 * assert.equal(queue.push(3), false); // read 1 to 3 from the history instead
 * assert.equal(queue.length, 0);
 * ```
 */
export class BoundedQueue<T> implements AsyncIterable<T> {
  /** The most items held at once. */
  readonly capacity: number;
  readonly #overflow: OverflowPolicy;
  #ring: Array<T | undefined> = [];
  #head = 0;
  #length = 0;
  #closed = false;
  #failed = false;
  #error: unknown;
  #waiters: Array<() => void> = [];

  /** @param options The capacity and the overflow policy. */
  constructor(options: BoundedQueueOptions) {
    if (!(options.capacity > 0)) {
      throw new RangeError(`A queue's capacity must be above 0, not ${options.capacity}`);
    }
    this.capacity = options.capacity;
    this.#overflow = options.overflow ?? "refuse";
  }

  /** How many items are held. */
  get length(): number {
    return this.#length;
  }

  /** Whether `close` or `fail` was called: nothing more is taken. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Adds an item at the end, unless the queue is full or closed.
   *
   * @param item The item.
   * @returns `true` if it is held; `false` if the queue was full (and its
   *   policy has run) or closed.
   */
  push(item: T): boolean {
    if (this.#closed) return false;
    if (this.#length >= this.capacity) {
      if (this.#overflow === "clear") this.clear();
      return false;
    }
    if (this.#length === this.#ring.length) this.#grow();
    this.#ring[(this.#head + this.#length) & (this.#ring.length - 1)] = item;
    this.#length++;
    this.#wake();
    return true;
  }

  /**
   * Takes the first item, without waiting.
   *
   * @returns The item, or `undefined` when the queue is empty.
   */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#ring[this.#head];
    this.#ring[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#ring.length - 1);
    this.#length--;
    if (this.#length === 0 && this.#ring.length > KEPT_SLOTS) this.#reset();
    return item;
  }

  /** Drops every item held. */
  clear(): void {
    this.#reset();
  }

  /**
   * Ends the queue: nothing more is taken, and once the items held are read
   * `next` is done.
   */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  /**
   * Ends the queue with an error: nothing more is taken, and once the items
   * held are read `next` rejects with `error`.
   *
   * @param error What `next` rejects with.
   */
  fail(error: unknown): void {
    if (this.#closed) return;
    this.#failed = true;
    this.#error = error;
    this.close();
  }

  /**
   * Takes the first item, waiting for one if the queue is empty.
   *
   * @returns The item; done once the queue is closed and empty.
   * @throws The error of `fail`, once the items held before it are read.
   */
  async next(): Promise<IteratorResult<T, undefined>> {
    while (true) {
      if (this.#length > 0) return { value: this.shift() as T, done: false };
      if (this.#failed) throw this.#error;
      if (this.#closed) return { value: undefined, done: true };
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Reads the items with `for await`, until the queue is closed. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    while (true) {
      const step = await this.next();
      if (step.done) return;
      yield step.value;
    }
  }

  #grow(): void {
    const size = Math.max(FIRST_SLOTS, this.#ring.length * 2);
    const ring = new Array<T | undefined>(size);
    for (let i = 0; i < this.#length; i++) {
      ring[i] = this.#ring[(this.#head + i) & (this.#ring.length - 1)];
    }
    this.#ring = ring;
    this.#head = 0;
  }

  #reset(): void {
    this.#ring = [];
    this.#head = 0;
    this.#length = 0;
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
