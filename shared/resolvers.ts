/**
 * `Promise.withResolvers()`, which Node 20 does not have; wsrpc's client and
 * server both run there.
 *
 * @module
 */

/**
 * A promise with its `resolve` and `reject`.
 *
 * @example
 * ```ts
 * import { withResolvers } from "./resolvers.ts";
 * import assert from "node:assert/strict";
 *
 * const { promise, resolve } = withResolvers<number>();
 * resolve(42);
 * assert.equal(await promise, 42);
 * ```
 *
 * @returns The promise and the functions that settle it.
 */
export function withResolvers<T>(): PromiseWithResolvers<T> {
  let resolve!: (value: T | PromiseLike<T>) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
