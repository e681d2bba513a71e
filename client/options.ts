/**
 * The options of a client and of each call.
 *
 * @module
 */

import type { Codec } from "../shared/codec.ts";
import type { ReconnectOptions } from "./backoff.ts";
import type { ServerUrl } from "./server_url.ts";
import type { HeartbeatOptions, WebSocketConstructor } from "./transport.ts";

/**
 * The options of `createClient`.
 *
 * @example A client for a production server
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { type ClientOptions, createClient } from "@wsrpc/core/client";
 * import assert from "node:assert/strict";
 *
 * const options: ClientOptions = {
 *   url: "wss://chat.example.com/rpc",
 *   connectionParams: () => ({ token: sessionStorage.getItem("token") }), // read on each connect
 *   timeout: 5_000,
 *   idleTimeout: 60_000,
 * };
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const client = createClient(api, options);
 * assert.equal(client.connection.state, "idle"); // `lazy`: it connects on the first call
 * client.close();
 * ```
 */
export interface ClientOptions {
  /**
   * The server's WebSocket URL, such as `ws://localhost:8000/rpc`. With
   * several instances, a list: the client connects to the first, and moves to
   * the next one in turn whenever a connection fails or drops, so it fails
   * over from an instance that died (resumed subscriptions carry on). Or a
   * function, asked for the URL before every attempt (`attempt` counts the
   * attempts since the last open connection, from 0).
   */
  url: ServerUrl;
  /**
   * Sent as the first frame of every connection (`rpc.connect`), for servers
   * that read credentials from it; browsers can't set headers on a WebSocket.
   * A function is called again on every connect, so a refreshed token is used.
   */
  connectionParams?: unknown | (() => unknown | Promise<unknown>);
  /**
   * Reconnect after a dropped connection, with exponential backoff and full
   * jitter. Defaults to `{ baseDelay: 250, maxDelay: 10_000, maxAttempts: Infinity }`;
   * `false` never reconnects.
   */
  reconnect?: ReconnectOptions | false;
  /**
   * Ping a server that has been silent, and reconnect when it doesn't answer;
   * abandon a connection attempt that gets no answer within `timeout`.
   * Defaults to `{ interval: 15_000, timeout: 10_000 }`; `false` turns it off.
   */
  heartbeat?: HeartbeatOptions | false;
  /** Milliseconds before a call fails with `Timeout`. Defaults to 30,000; `Infinity` for never. */
  timeout?: number;
  /**
   * How many calls may wait for a connection (while connecting or
   * reconnecting). Past it, new calls fail with `Unavailable`. Defaults to 1,000.
   */
  maxQueue?: number;
  /**
   * The largest frame the server takes, in UTF-8 bytes: set it to the
   * server's `limits.maxMessageSize` (1 MiB by default, like the server's). A
   * call or subscription over it fails with `PayloadTooLarge` before it is
   * sent. A frame a server refuses anyway (it closes with `1009`) fails the
   * same way and is never sent again.
   */
  maxMessageSize?: number;
  /**
   * Connect on the first call (`true`, the default) or at once (`false`).
   */
  lazy?: boolean;
  /**
   * Close the connection after this many milliseconds with no call and no
   * subscription; the next call opens it again. Off by default.
   */
  idleTimeout?: number;
  /**
   * Validate inputs against the contract before sending them, so a bad call
   * fails without a round trip. Needs the contract value. Defaults to `false`:
   * the server validates every input anyway.
   */
  validateInput?: boolean;
  /** Turns payloads into JSON and back. Must match the server's. Defaults to superjson. */
  codec?: Codec;
  /**
   * The `WebSocket` constructor to use. Defaults to the global one, which
   * browsers, Deno, Bun and Node 22 have. On Node 20, pass the one of the npm
   * package `ws`: `import { WebSocket } from "ws"`.
   */
  WebSocket?: WebSocketConstructor;
}

/**
 * The options of one procedure call, its optional last argument.
 *
 * @example Search as the user types: cancel the previous search
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { type CallOptions, createClient } from "@wsrpc/core/client";
 *
 * const api = router({ search: procedure({ input: z.string(), output: z.array(z.string()) }) });
 * const client = createClient(api, { url: "ws://localhost:8000/rpc" });
 * let previous: AbortController | undefined;
 * function search(text: string): Promise<string[]> {
 *   previous?.abort(); // its promise rejects, and the server stops working on it
 *   previous = new AbortController();
 *   const options: CallOptions = { timeout: 2_000, signal: previous.signal };
 *   return client.search(text, options);
 * }
 * client.close();
 * ```
 */
export interface CallOptions {
  /** Milliseconds before the call fails with `Timeout`, instead of the client's default. */
  timeout?: number;
  /**
   * Aborts the call: the promise rejects with an `AbortError` and the server
   * is told to cancel it (its handler's signal fires).
   */
  signal?: AbortSignal;
}

/**
 * The options of one subscription, its optional last argument.
 *
 * @example Listen for a minute
 * ```ts
 * import * as z from "zod";
 * import { router, subscription } from "@wsrpc/core";
 * import { createClient, type SubscribeOptions } from "@wsrpc/core/client";
 *
 * const api = router({ prices: subscription({ input: z.string(), output: z.number() }) });
 * const client = createClient(api, { url: "ws://localhost:8000/rpc" });
 * async function sample(symbol: string): Promise<number[]> {
 *   const options: SubscribeOptions = { signal: AbortSignal.timeout(60_000) };
 *   const prices: number[] = [];
 *   for await (const price of client.prices(symbol, options)) prices.push(price);
 *   return prices; // the loop ends when the signal fires
 * }
 * client.close();
 * ```
 *
 * @example Say when a feed is live, and live again after an outage
 * ```ts
 * import * as z from "zod";
 * import { router, subscription } from "@wsrpc/core";
 * import { createHandler } from "@wsrpc/core/server";
 * import { createClient, type SubscribeOptions } from "@wsrpc/core/client";
 * import assert from "node:assert/strict";
 *
 * const api = router({ ticks: subscription({ output: z.number() }) });
 * const rpc = createHandler(api, {
 *   handlers: {
 *     ticks: async function* () {
 *       yield 1;
 *     },
 *   },
 * });
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, rpc);
 * const client = createClient(api, { url: `ws://127.0.0.1:${server.addr.port}/rpc` });
 * const seen: string[] = [];
 * const options: SubscribeOptions = { onStarted: () => seen.push("live") };
 * for await (const tick of client.ticks(undefined, options)) seen.push(`tick ${tick}`);
 * assert.deepEqual(seen, ["live", "tick 1"]);
 * client.close();
 * await server.shutdown();
 * ```
 */
export interface SubscribeOptions {
  /** Ends the subscription when it fires. */
  signal?: AbortSignal;
  /**
   * Hears that events were missed (the server could not replay them after a
   * reconnect, or the subscriber fell too far behind), in order with the
   * events: refetch what the events describe, then carry on. Without it (or
   * an observer's `onGap`), a gap ends the subscription with `EventsMissed`.
   */
  onGap?: (gap: SubscriptionGap) => void;
  /**
   * How many events may wait for a `for await` loop that reads more slowly
   * than they come. A loop still past it a second later (a burst can take a
   * loop that reads as fast as it can past it for a moment), or ever ten
   * times past it, ends the subscription with `EventsMissed` once it has read
   * the events that waited: it never drops one silently. Defaults to 10,000;
   * `Infinity` for no bound. Callbacks (`subscribe`)
   * take each event as it comes, so nothing waits for them. A subscription
   * opened before it is read (by asking for `started`, or by `await` on the
   * client made from the contract's type) keeps its events the same way
   * until it is read, with `for await` or callbacks.
   */
  maxBuffered?: number;
  /**
   * Hears that the server acknowledged the subscription: it accepted the input
   * and started the handler, before the first event. Called again after each
   * reconnect, when the resubscription is acknowledged; so it says "live
   * again" after an outage. The subscription's `started` promise settles on
   * the first one. An observer's own `onStarted` is called too.
   */
  onStarted?: () => void;
}

/**
 * Events a subscription missed, as its `onGap` hears it.
 *
 * @example Reload a room's history after a gap
 * ```ts
 * import type { SubscriptionGap } from "@wsrpc/core/client";
 *
 * const reload = (room: string) => console.log(`reloading ${room}`);
 * const onGap = (gap: SubscriptionGap) => {
 *   console.warn(`missed messages (${gap.reason}); now at ${gap.position}`);
 *   reload("general");
 * };
 * onGap({ reason: "trimmed", position: "k3x9:120" });
 * ```
 */
export interface SubscriptionGap {
  /**
   * Why: `trimmed` (the history no longer holds them), `epoch` (the server's
   * store lost the stream) or `limit` (more were missed than the server replays).
   */
  readonly reason: string;
  /** The position the subscription carries on from. */
  readonly position: string;
}
