/**
 * The limits the wsrpc bench servers change from the defaults, and why.
 *
 * @module
 */

import type { Limits } from "@wsrpc/core/server";

/**
 * The default per-connection rate limit (200 messages/s) exists to stop one
 * browser tab from flooding a server; W1 and W2 measure how fast one
 * connection can go, so it is off here. W4 and W5 open hundreds to thousands
 * of connections from 127.0.0.1, past the default of 100 per IP address.
 * Every other limit (message size, depth, calls in flight, subscriptions,
 * send buffer) keeps its default.
 */
export const BENCH_LIMITS: Partial<Limits> = {
  messagesPerSecond: Infinity,
  burst: Infinity,
  maxConnectionsPerIp: Infinity,
  maxConnections: Infinity,
};
