/**
 * One timer for many deadlines: it fires at the earliest one, instead of a
 * timer per call.
 *
 * @module
 */

import { unrefTimer } from "./unref.ts";

/**
 * Calls `expire` for each key whose deadline has passed. The timer stays
 * armed when its call settles early, the common case: the next call's
 * deadline is later, so the same timer serves it, and a fired timer that
 * finds nothing due just re-arms for the earliest deadline left. Re-arming a
 * timer on every call would cost more than the call itself.
 */
export class Deadlines<TKey> {
  readonly #deadlines = new Map<TKey, number>();
  readonly #expire: (key: TKey) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;

  /** @param expire Called with each key whose deadline has passed. */
  constructor(expire: (key: TKey) => void) {
    this.#expire = expire;
  }

  /** Sets a deadline `ms` from now. */
  set(key: TKey, ms: number): void {
    const at = Date.now() + ms;
    this.#deadlines.set(key, at);
    if (at < this.#timerAt) this.#arm(at);
  }

  /** Forgets a key's deadline. */
  delete(key: TKey): void {
    this.#deadlines.delete(key);
  }

  /** Forgets every deadline and stops the timer. */
  clear(): void {
    this.#deadlines.clear();
    this.#disarm();
  }

  #arm(at: number): void {
    this.#disarm();
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - Date.now()));
    // A call waiting for its reply keeps the process alive through its socket, not this timer.
    unrefTimer(this.#timer);
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    const expired: TKey[] = [];
    for (const [key, at] of this.#deadlines) {
      if (at <= now) expired.push(key);
      else if (at < next) next = at;
    }
    for (const key of expired) this.#deadlines.delete(key);
    if (next !== Infinity) this.#arm(next);
    for (const key of expired) this.#expire(key);
  }
}
