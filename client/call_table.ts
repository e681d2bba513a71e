/**
 * The table of calls awaiting their replies, by request id.
 *
 * A client numbers its requests 1, 2, 3… and most replies come back in
 * about that order, so a call lives in the slot of a fixed ring that its id
 * picks. An id whose slot an older call still holds (a slow call, or more
 * calls in flight than slots) goes to a `Map` beside the ring instead.
 *
 * Why not a `Map` for all of them: measured, not guessed. In a Deno process
 * whose heap had grown past a few megabytes (building one zod schema was
 * enough), a client that kept calls in a `Map` had a tenth of what it
 * allocated survive each scavenge and be promoted to the old generation,
 * there to wait for a full collection: a fifth of its busy time went to the
 * garbage collector, in calls back to back against a Bun server. With the
 * ring it was a twenty-fifth, and each call took about a sixth less CPU.
 * The benchmark's raw client behaved the same with a `Map` in that heap, and not
 * with an array. (Our reading: V8 reallocates a `Map`'s hash table as
 * entries come and go, and a table promoted before it was replaced keeps
 * the young calls it pointed at alive through the next scavenges.)
 *
 * @module
 */

/** What the table holds: anything that knows its own request id. */
export interface Keyed {
  /** The request id. */
  readonly id: number;
}

/** Slots in the ring: more than a client keeps in flight at once, as a rule. */
const RING_SLOTS = 1024;
const SLOT_MASK = RING_SLOTS - 1;

/** Calls (or anything with an id) by request id, for ids that are non-negative integers. */
export class CallTable<T extends Keyed> {
  readonly #ring: (T | undefined)[] = new Array(RING_SLOTS).fill(undefined);
  /** The ids whose slot was taken when they were added. */
  readonly #overflow = new Map<number, T>();
  #size = 0;

  /** How many the table holds. */
  get size(): number {
    return this.#size;
  }

  /** The value with this id, if any. */
  get(id: number): T | undefined {
    const value = this.#ring[id & SLOT_MASK];
    if (value !== undefined && value.id === id) return value;
    return this.#overflow.size === 0 ? undefined : this.#overflow.get(id);
  }

  /** Adds a value under its id; an id already in the table is replaced. */
  add(value: T): void {
    const slot = value.id & SLOT_MASK;
    const held = this.#ring[slot];
    if (held !== undefined && held.id === value.id) {
      this.#ring[slot] = value;
      return;
    }
    // An id kept beside the ring stays there, even once its slot is free.
    const beside = this.#overflow.size !== 0 && this.#overflow.has(value.id);
    if (held === undefined && !beside) {
      this.#ring[slot] = value;
      this.#size++;
      return;
    }
    if (!beside) this.#size++;
    this.#overflow.set(value.id, value);
  }

  /** Removes the value with this id; whether there was one. */
  delete(id: number): boolean {
    const slot = id & SLOT_MASK;
    const held = this.#ring[slot];
    if (held !== undefined && held.id === id) {
      this.#ring[slot] = undefined;
      this.#size--;
      return true;
    }
    if (this.#overflow.size === 0 || !this.#overflow.delete(id)) return false;
    this.#size--;
    return true;
  }

  /** Removes everything. */
  clear(): void {
    if (this.#size === 0) return;
    this.#ring.fill(undefined);
    this.#overflow.clear();
    this.#size = 0;
  }

  /** A snapshot of the values, in id order: safe to change the table while going through it. */
  values(): T[] {
    const values: T[] = [];
    if (this.#size === 0) return values;
    for (const value of this.#ring) if (value !== undefined) values.push(value);
    for (const value of this.#overflow.values()) values.push(value);
    return values.sort((a, b) => a.id - b.id);
  }
}
