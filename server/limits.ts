/**
 * The server's limits: what one connection, and one client, may ask of it.
 *
 * @module
 */

import { DEFAULT_MAX_MESSAGE_SIZE } from "../shared/wire.ts";

/**
 * The limits a server enforces. Every one has a safe default (see
 * {@linkcode DEFAULT_LIMITS}); set `Infinity` to turn one off. PROTOCOL.md says
 * what a client sees when it goes over each.
 *
 * @example Tighter limits for a small API
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler, DEFAULT_LIMITS, type Limits } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * // Set only what you change; every other limit keeps its default.
 * const limits: Partial<Limits> = { maxMessageSize: 64 * 1024, maxSubscriptions: 5 };
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const rpc = createHandler(api, { limits, handlers: { hello: ({ input }) => input } });
 * const effective: Limits = { ...DEFAULT_LIMITS, ...limits };
 * assert.equal(effective.maxBatchLength, 100);
 * ```
 */
export interface Limits {
  /**
   * The largest text frame, in UTF-8 bytes. A larger one closes the
   * connection with 1009. Deno itself drops frames over 64 MiB.
   */
  maxMessageSize: number;
  /** How deeply arrays and objects may nest in a frame, the frame itself included. */
  maxDepth: number;
  /** How many requests one batch may hold. */
  maxBatchLength: number;
  /** How many calls (requests and notifications) may run at once on one connection. */
  maxCallsInFlight: number;
  /** How many subscriptions may be live at once on one connection. */
  maxSubscriptions: number;
  /**
   * The rate limit of one connection, in messages per second, refilled
   * continuously. Each request counts, also inside a batch.
   */
  messagesPerSecond: number;
  /**
   * How many messages a connection may send at once before the rate limit
   * applies: the size of its token bucket. A connection that sends this many
   * more while refused is closed with 4429.
   */
  burst: number;
  /** How many connections the server holds at once, counting handshakes. */
  maxConnections: number;
  /** How many connections one client IP address (an IPv6 /64) may hold at once. */
  maxConnectionsPerIp: number;
  /**
   * Milliseconds for a handshake: for `context` to settle, and, when
   * `connectionParams` is set, for `rpc.connect` to arrive and be accepted.
   */
  handshakeTimeout: number;
  /**
   * Bytes waiting to be sent on a socket above which subscriptions stop
   * pulling events from their generators, until it has drained to half.
   */
  sendBufferHighWater: number;
  /** Bytes waiting to be sent above which the connection is closed with 4008 at once. */
  sendBufferMax: number;
  /**
   * Milliseconds the send buffer may take, once above `sendBufferHighWater`,
   * to drain to half of it. Longer closes the connection with 4008.
   */
  slowConsumerTimeout: number;
}

/**
 * The default limits: generous for a browser app, small enough that one
 * client can't take the server down.
 *
 * @example
 * ```ts
 * import { DEFAULT_LIMITS } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_LIMITS.maxMessageSize, 1024 * 1024);
 * ```
 */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE,
  maxDepth: 64,
  maxBatchLength: 100,
  maxCallsInFlight: 100,
  maxSubscriptions: 100,
  messagesPerSecond: 200,
  burst: 1000,
  maxConnections: 10_000,
  maxConnectionsPerIp: 100,
  handshakeTimeout: 10_000,
  sendBufferHighWater: 1024 * 1024,
  sendBufferMax: 16 * 1024 * 1024,
  slowConsumerTimeout: 30_000,
});

/**
 * Fills in the defaults and checks every limit.
 *
 * @example
 * ```ts
 * import { resolveLimits } from "./limits.ts";
 * import assert from "node:assert/strict";
 *
 * const limits = resolveLimits({ maxBatchLength: 10 });
 * assert.equal(limits.maxBatchLength, 10);
 * assert.equal(limits.maxDepth, 64);
 * assert.throws(() => resolveLimits({ maxDepth: -1 }), TypeError);
 * ```
 *
 * @param limits The limits the server's author set.
 * @returns Every limit.
 * @throws {TypeError} When a limit is not a number of zero or more.
 */
export function resolveLimits(limits: Partial<Limits> = {}): Limits {
  const resolved: Limits = { ...DEFAULT_LIMITS };
  for (const name of Object.keys(DEFAULT_LIMITS)) {
    if (!isLimitName(name)) continue;
    const value = limits[name];
    if (value === undefined) continue;
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
      throw new TypeError(`The limit "${name}" must be a number of zero or more`);
    }
    resolved[name] = value;
  }
  return resolved;
}

function isLimitName(name: string): name is keyof Limits {
  return Object.hasOwn(DEFAULT_LIMITS, name);
}
