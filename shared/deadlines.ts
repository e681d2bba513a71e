/**
 * One timer for many deadlines: it fires at the earliest one, instead of a
 * timer per call.
 *
 * @module
 */

import { unrefTimer } from "./unref.ts";

/** How a {@linkcode Deadlines} treats its timer. */
export interface DeadlinesOptions {
  /**
   * Keep the timer armed when the last deadline is deleted. The next key's
   * deadline is usually later, so the same timer serves it; a timer that
   * fires with nothing due re-arms for the earliest deadline left, or stops.
   * Re-arming a timer for every call would cost more than the call itself.
   * Off, the timer stops as soon as no deadline is left, so nothing is left
   * pending for a process or a test to wait on.
   */
  keepArmed: boolean;
}

/**
 * Calls `expire` for each key whose deadline has passed, with one timer for
 * all of them: timers are costly in Deno, in time and in memory (about 4 KiB
 * of resident memory each), and a server may hold thousands of deadlines.
 */
export class Deadlines<TKey> {
  readonly #deadlines = new Map<TKey, number>();
  readonly #expire: (key: TKey) => void;
  readonly #keepArmed: boolean;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;

  /**
   * @param expire Called with each key whose deadline has passed.
   * @param options How to treat the timer.
   */
  constructor(expire: (key: TKey) => void, options: DeadlinesOptions) {
    this.#expire = expire;
    this.#keepArmed = options.keepArmed;
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
    if (!this.#keepArmed && this.#deadlines.size === 0) this.#disarm();
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
    // What waits on a deadline keeps the process alive through its socket, not this timer.
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
