/**
 * Waiting in tests without guessing: poll a condition with a generous
 * deadline, and catch what a promise rejects with.
 *
 * @module
 */

import assert from "node:assert/strict";
import { RpcError } from "../../client/mod.ts";
import type { ConnectionState } from "../../client/mod.ts";

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `condition` every 10 ms until it holds.
 *
 * @param what What is awaited, for the failure message.
 * @param condition The condition.
 * @param timeout How long to wait before failing, in ms. Generous on purpose:
 * it only matters when the test fails.
 * @returns How many ms it took.
 */
export async function waitFor(
  what: string,
  condition: () => boolean,
  timeout = 10_000,
): Promise<number> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeout) throw new Error(`Timed out after ${timeout} ms: ${what}`);
    await sleep(10);
  }
  return Date.now() - start;
}

/** Awaits a rejection and returns it as an `RpcError`, failing on anything else. */
export async function rpcRejection(promise: PromiseLike<unknown>): Promise<RpcError> {
  const error = await rejection(promise);
  assert.ok(error instanceof RpcError, `expected an RpcError, got ${error}`);
  return error;
}

/** Awaits a rejection and returns what it rejected with. */
export async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

/** Whether a promise has settled, checked without waiting for it. */
export function settledFlag(promise: Promise<unknown>): () => boolean {
  let settled = false;
  promise.then(() => settled = true, () => settled = true);
  return () => settled;
}

/** Every state a client's connection went through, with when. */
export class StateLog {
  readonly entries: Array<{ state: ConnectionState; at: number }> = [];

  /** @param connection The client's `connection`. */
  constructor(connection: { onStateChange(listener: (state: ConnectionState) => void): unknown }) {
    connection.onStateChange((state) => this.entries.push({ state, at: Date.now() }));
  }

  /** The states, in order. */
  get states(): ConnectionState[] {
    return this.entries.map((entry) => entry.state);
  }

  /** The states since entry `from`. */
  since(from: number): ConnectionState[] {
    return this.states.slice(from);
  }

  /** Waits until the log has an entry `state` at index `from` or later; returns its index. */
  async reach(state: ConnectionState, from = 0, timeout = 10_000): Promise<number> {
    if (from < 0) throw new RangeError("reach() needs an index of the log");
    await waitFor(
      `the connection to become ${state} (it went ${this.states.join(" → ")})`,
      () => this.states.indexOf(state, from) >= 0,
      timeout,
    );
    return this.states.indexOf(state, from);
  }
}

/** Resolves after `ms` milliseconds, or as soon as `signal` fires; leaves no timer behind. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** The numbers from 0 to `count - 1`. */
export function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}
