/**
 * Reading a topic subscriber in tests: every step has a deadline, so a bug
 * fails fast with what was read so far instead of hanging.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  Checkpoint,
  Gap,
  parsePosition,
  type Position,
  TopicEvent,
  type TopicYield,
} from "../../server/mod.ts";

export const STEP_TIMEOUT = 2_000;

export const TIMED_OUT = Symbol("timed out");

/**
 * A topic subscriber read one step at a time, each with a deadline, so that a
 * bug fails fast instead of hanging. A `next()` still running when a step
 * gives up is kept for the following step: the subscriber is never read
 * twice at once.
 */
export class Reader<T> {
  readonly #iterator: AsyncIterator<TopicYield<T>>;
  #pending: Promise<IteratorResult<TopicYield<T>>> | undefined;

  constructor(subscriber: AsyncIterable<TopicYield<T>>) {
    this.#iterator = subscriber[Symbol.asyncIterator]();
  }

  /** The next thing yielded; fails if the subscriber ends or takes too long. */
  async next(timeout = STEP_TIMEOUT): Promise<TopicYield<T>> {
    const step = await this.#step(timeout);
    if (step === TIMED_OUT) throw new Error(`The subscriber yielded nothing in ${timeout} ms`);
    if (step.done) throw new Error("The subscriber ended");
    return step.value;
  }

  /** The next event; fails on a gap or a checkpoint. */
  async event(): Promise<TopicEvent<T>> {
    const value = await this.next();
    assert.ok(value instanceof TopicEvent, `expected an event, got ${describe(value)}`);
    return value;
  }

  /** The next `count` events. */
  async events(count: number): Promise<TopicEvent<T>[]> {
    const events: TopicEvent<T>[] = [];
    while (events.length < count) events.push(await this.event());
    return events;
  }

  /** The values of the next `count` events. */
  async values(count: number): Promise<T[]> {
    return (await this.events(count)).map((event) => event.value);
  }

  /** The next gap; fails on anything else. */
  async gap(): Promise<Gap> {
    const value = await this.next();
    assert.ok(value instanceof Gap, `expected a gap, got ${describe(value)}`);
    return value;
  }

  /** The next checkpoint; fails on anything else. */
  async checkpoint(): Promise<Checkpoint> {
    const value = await this.next();
    assert.ok(value instanceof Checkpoint, `expected a checkpoint, got ${describe(value)}`);
    return value;
  }

  /** Asserts that nothing is yielded, nor the end reached, for `ms` milliseconds. */
  async quiet(ms = 50): Promise<void> {
    const step = await this.#step(ms);
    if (step === TIMED_OUT) return;
    assert.fail(`expected nothing, got ${step.done ? "the end" : describe(step.value)}`);
  }

  /** Asserts that the subscriber ends without yielding anything more. */
  async ended(): Promise<void> {
    const step = await this.#step(STEP_TIMEOUT);
    assert.ok(step !== TIMED_OUT, `the subscriber did not end in ${STEP_TIMEOUT} ms`);
    assert.ok(step.done, `expected the end, got ${describe(step.value)}`);
  }

  /** Stops reading, as a `break` out of `for await` does. */
  async stop(): Promise<void> {
    await this.#iterator.return?.();
  }

  async #step(timeout: number): Promise<IteratorResult<TopicYield<T>> | typeof TIMED_OUT> {
    if (this.#pending === undefined) {
      const pending = this.#iterator.next();
      pending.catch(() => {}); // reported to the step that awaits it, not as unhandled
      this.#pending = pending;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), timeout);
    });
    try {
      const step = await Promise.race([this.#pending, timedOut]);
      if (step !== TIMED_OUT) this.#pending = undefined;
      return step;
    } catch (error) {
      this.#pending = undefined;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** What a subscriber yielded, for messages. */
export function describe(value: unknown): string {
  if (value instanceof TopicEvent) return `event ${value.id} ${JSON.stringify(value.value)}`;
  if (value instanceof Gap) return `gap (${value.reason}) at ${value.position}`;
  if (value instanceof Checkpoint) return `checkpoint at ${value.position}`;
  return String(value);
}

/** Reads a position token, failing the test if it is not one. */
export function position(token: string): Position {
  const parsed = parsePosition(token);
  assert.ok(parsed !== undefined, `"${token}" is not a position`);
  return parsed;
}

export function offsetOf(token: string): number {
  return position(token).offset;
}

export function epochOf(token: string): string {
  return position(token).epoch;
}

/** The whole numbers from `from` to `to`, both included. */
export function span(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
