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
 * One timer, armed for the earliest of the deadlines it is told of. When it
 * fires, `due` is given the time: it handles what is due and returns the
 * next deadline (`Infinity` for none), which the timer is armed for.
 *
 * @example
 * ```ts
 * import { EarliestTimer } from "./deadlines.ts";
 * import assert from "node:assert/strict";
 *
 * const timer = new EarliestTimer(() => Infinity);
 * timer.arm(Date.now() + 1_000);
 * timer.arm(Date.now() + 5_000); // later: the same timer serves it
 * assert.equal(timer.armed, true);
 * timer.clear();
 * assert.equal(timer.armed, false);
 * ```
 */
export class EarliestTimer {
  readonly #due: (now: number) => number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #at = Infinity;

  /** @param due Handles what is due at `now`; returns the next deadline, or `Infinity`. */
  constructor(due: (now: number) => number) {
    this.#due = due;
  }

  /** Whether the timer is set. */
  get armed(): boolean {
    return this.#timer !== undefined;
  }

  /** Makes sure the timer fires by `at` (a `Date.now()` time). */
  arm(at: number): void {
    if (at >= this.#at) return;
    this.clear();
    this.#at = at;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - Date.now()));
    // What waits on a deadline keeps the process alive through its socket, not this timer.
    unrefTimer(this.#timer);
  }

  /** Stops the timer. */
  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#at = Infinity;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#at = Infinity;
    const next = this.#due(Date.now());
    if (next !== Infinity) this.arm(next);
  }
}

/**
 * The keys of `entries` whose deadline has passed at `now`, and the earliest
 * deadline still ahead (`Infinity` for none).
 *
 * @param entries Keys and what holds their deadlines.
 * @param now The time, as `Date.now()` gives it.
 * @param deadlineOf Reads a deadline.
 * @returns What is due, and the next deadline.
 */
export function dueAt<TKey, TValue>(
  entries: Iterable<[TKey, TValue]>,
  now: number,
  deadlineOf: (value: TValue) => number,
): { due: TKey[]; next: number } {
  const due: TKey[] = [];
  let next = Infinity;
  for (const [key, value] of entries) {
    const at = deadlineOf(value);
    if (at <= now) due.push(key);
    else if (at < next) next = at;
  }
  return { due, next };
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
  readonly #timer = new EarliestTimer((now) => this.#fire(now));

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
    this.#timer.arm(at);
  }

  /** Forgets a key's deadline. */
  delete(key: TKey): void {
    this.#deadlines.delete(key);
    if (!this.#keepArmed && this.#deadlines.size === 0) this.#timer.clear();
  }

  /** Forgets every deadline and stops the timer. */
  clear(): void {
    this.#deadlines.clear();
    this.#timer.clear();
  }

  #fire(now: number): number {
    const { due, next } = dueAt(this.#deadlines, now, (at) => at);
    for (const key of due) this.#deadlines.delete(key);
    for (const key of due) this.#expire(key);
    return next;
  }
}
