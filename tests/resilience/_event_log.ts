/**
 * An in-memory, append-only event log that outlives any one server: the
 * test appends to it, and subscription handlers tail it with tracked ids.
 *
 * @module
 */

import { type Tracked, tracked } from "../../server/mod.ts";

/** A log of numbered events; event `n` has the id `String(n)`. */
export class EventLog<T> {
  readonly #events: T[] = [];
  #ended = false;
  #wake = new Set<() => void>();

  /** How many events have been appended. */
  get length(): number {
    return this.#events.length;
  }

  /** Appends events and wakes every reader. */
  append(...events: T[]): void {
    this.#events.push(...events);
    this.#notify();
  }

  /** Marks the log as finished: readers complete once they have read everything. */
  end(): void {
    this.#ended = true;
    this.#notify();
  }

  /**
   * Reads the log from the event after `lastEventId` (from the start when it
   * is `undefined`), waiting for new events, until the log ends or `signal` fires.
   */
  async *tail(lastEventId: string | undefined, signal: AbortSignal): AsyncGenerator<Tracked<T>> {
    let next = lastEventId === undefined ? 0 : Number(lastEventId) + 1;
    while (!signal.aborted) {
      if (next < this.#events.length) {
        yield tracked(String(next), this.#events[next]!);
        next++;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#wake.delete(wake);
          signal.removeEventListener("abort", wake);
          resolve();
        };
        this.#wake.add(wake);
        signal.addEventListener("abort", wake, { once: true });
      });
    }
  }

  #notify(): void {
    for (const wake of [...this.#wake]) wake();
  }
}
