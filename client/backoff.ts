/**
 * Reconnect delays: exponential backoff with full jitter.
 *
 * @module
 */

/**
 * How the client waits between reconnect attempts.
 *
 * @example Retry patiently, but give up after 20 failures in a row
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createClient, type ReconnectOptions } from "@wsrpc/core/client";
 *
 * // The first retry within 0.5 s, then ranges doubling up to 30 s.
 * const reconnect: ReconnectOptions = { baseDelay: 500, maxDelay: 30_000, maxAttempts: 20 };
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const client = createClient(api, { url: "ws://localhost:8000/rpc", reconnect });
 * client.close();
 * ```
 */
export interface ReconnectOptions {
  /** The delay before the first retry is drawn from 0 to this, in ms. Defaults to 250. */
  baseDelay?: number;
  /** No delay is drawn from a range above this, in ms. Defaults to 10,000. */
  maxDelay?: number;
  /** Give up after this many failed attempts in a row. Defaults to `Infinity`. */
  maxAttempts?: number;
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first): a random
 * point between 0 and `min(maxDelay, baseDelay × 2^attempt)`. Drawing the
 * whole delay at random ("full jitter") spreads out many clients that lost
 * the same server at the same moment.
 *
 * @example
 * ```ts
 * import { backoffDelay } from "./backoff.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(backoffDelay(3, { baseDelay: 100, maxDelay: 500 }, () => 0.5), 250);
 * ```
 *
 * @param attempt How many attempts have failed in a row.
 * @param options The base and the cap.
 * @param random A source of numbers in [0, 1).
 * @returns The delay in milliseconds.
 */
export function backoffDelay(
  attempt: number,
  options: ReconnectOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseDelay ?? 250;
  const cap = options.maxDelay ?? 10_000;
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
