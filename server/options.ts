/**
 * The options of the server and the handler it returns.
 *
 * @module
 */

import type { Codec } from "../shared/codec.ts";
import type { RouterRecord } from "../shared/contract.ts";
import type { RpcError } from "../shared/errors.ts";
import type { Schema } from "../shared/standard_schema.ts";
import type { Limits } from "./limits.ts";
import type { OriginPolicy } from "./origin.ts";
import type { ConnectionInfo } from "./socket.ts";
import type { Handlers, Middleware } from "./types.ts";

/**
 * What is known of an error reported to `onError`.
 *
 * @example Say where an error came from
 * ```ts
 * import * as z from "zod";
 * import { ErrorCode, procedure, router, RpcError } from "@wsrpc/core";
 * import { createHandler, type ErrorInfo } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const seen: string[] = [];
 * // `path` when a call failed, `request` when making the context did.
 * const onError = (error: RpcError, info: ErrorInfo<unknown>) =>
 *   seen.push(`${info.path ?? info.request?.url}: ${error.message}`);
 * const context = (): unknown => {
 *   throw new RpcError(ErrorCode.Unauthorized, "Sign in first");
 * };
 * const rpc = createHandler(api, { context, onError, handlers: { hello: ({ input }) => input } });
 * await rpc(new Request("http://localhost/rpc", { headers: { upgrade: "websocket" } }));
 * assert.deepEqual(seen, ["http://localhost/rpc: Sign in first"]);
 * ```
 */
export interface ErrorInfo<TCtx> {
  /** The dotted path of the endpoint, when the error came from a call. */
  path?: string;
  /** The connection's context, once it exists. */
  ctx?: TCtx;
  /** The upgrade request, when the error came from making the context. */
  request?: Request;
}

/**
 * What `context` is given beside the upgrade request.
 *
 * @example Credentials from the first frame, the address from `Deno.serve`
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { type ContextExtra, createHandler } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * const Params = z.object({ token: z.string() });
 * function context(_request: Request, { params, info }: ContextExtra<z.infer<typeof Params>>) {
 *   const address = info?.remoteAddr;
 *   return { token: params.token, ip: address && "hostname" in address ? address.hostname : "" };
 * }
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * createHandler(api)({ connectionParams: Params, context, handlers: { hello: () => "hi" } });
 * const extra = { info: undefined, params: { token: "t0k" } };
 * assert.deepEqual(context(new Request("http://localhost/rpc"), extra), { token: "t0k", ip: "" });
 * ```
 */
export interface ContextExtra<TParams> {
  /**
   * Where the connection comes from, when the runtime says: from `Deno.serve`'s
   * `info` (when the handler was given it), Node's socket, or Bun's `requestIP`.
   */
  info: ConnectionInfo | undefined;
  /**
   * The connection params of the `rpc.connect` frame, as the
   * `connectionParams` schema parsed them; `undefined` without that option.
   */
  params: TParams;
}

/**
 * The options of {@linkcode createHandler}.
 *
 * @example Options kept apart from the call
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler, type ServerOptions } from "@wsrpc/core/server";
 *
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * type Ctx = { user: string };
 * const options: ServerOptions<typeof api.routes, Ctx> = {
 *   context: (request) => ({ user: request.headers.get("x-user") ?? "guest" }),
 *   handlers: { hello: ({ input, ctx }) => `${ctx.user} says hello to ${input}` },
 *   origins: ["https://app.example.com"],
 *   limits: { maxSubscriptions: 10 },
 *   idleTimeout: 60,
 * };
 * const rpc = createHandler(api, options);
 * ```
 */
export interface ServerOptions<TRecord extends RouterRecord, TCtx, TParams = undefined> {
  /** The handler of every endpoint, nested like the contract. */
  handlers: Handlers<TRecord, TCtx>;
  /**
   * Makes the context of a connection, once per connection, from its upgrade
   * request (cookies, headers) and, with `connectionParams`, the params of its
   * first frame. Throw an `RpcError` with `Unauthorized` or `Forbidden` to
   * refuse: with 401 or 403 before the upgrade, or, when it runs after the
   * `rpc.connect` frame, by closing with 4401 or 4403.
   */
  context?: (request: Request, extra: ContextExtra<TParams>) => TCtx | Promise<TCtx>;
  /**
   * The schema of the connection params, for clients that can't set headers
   * (browsers). When set, a client's first frame must be the notification
   * `rpc.connect` with params that fit it, within `limits.handshakeTimeout`;
   * `context` runs after it, with the parsed params. See PROTOCOL.md.
   */
  connectionParams?: Schema<unknown, TParams>;
  /**
   * Which web pages may connect, against cross-site WebSocket hijacking.
   * Defaults to the server's own origin, plus any loopback origin when the
   * server is reached at a loopback address (development). A refused origin
   * is upgraded and closed at once with 4403 and a reason (no handler runs), and
   * the refusal is logged. See {@linkcode OriginPolicy}.
   */
  origins?: OriginPolicy;
  /** Limits on what one connection and one client may ask; see {@linkcode Limits}. */
  limits?: Partial<Limits>;
  /**
   * The client's IP address, for `limits.maxConnectionsPerIp`. Defaults to
   * the address the connection comes from. Behind a reverse proxy that is
   * the proxy's, so read the address your proxy adds to the request instead
   * (for example the last entry of `x-forwarded-for`).
   */
  clientIp?: (request: Request, info: ConnectionInfo | undefined) => string | undefined;
  /** Middleware run around every call, outermost first. */
  middleware?: ReadonlyArray<Middleware<TCtx, TCtx>>;
  /**
   * Check every result and event against its output schema before sending it.
   * Defaults to `true`; a failure is an internal error and is reported.
   */
  validateOutput?: boolean;
  /**
   * Hears about every error thrown while serving: handler errors (an
   * `RpcError` as thrown, anything else wrapped as an internal error with the
   * original as `cause`) and failures to make a context. Defaults to logging
   * internal errors with `console.error`.
   */
  onError?: (error: RpcError, info: ErrorInfo<TCtx>) => void;
  /** Turns payloads into JSON and back. Defaults to `superjsonCodec`. */
  codec?: Codec;
  /**
   * Seconds within which a dead client is dropped. Deno pings a connection
   * that has been silent for half of it (WebSocket pings, which every client
   * answers by itself) and closes it with 1001 if no pong comes in the other
   * half; Bun does the same, and on Node the server sends the pings. (On
   * Deno, the silence is counted from a frame at most a quarter of it, or a
   * second, before the last one: Deno would re-arm its timer for every frame
   * read.) Defaults to 30; 0 turns it off.
   */
  idleTimeout?: number;
}

/**
 * The options of {@linkcode RpcHandler.shutdown}.
 *
 * @example Give running calls five seconds
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler, type ShutdownOptions } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const rpc = createHandler(api, { handlers: { hello: ({ input }) => input } });
 * const options: ShutdownOptions = { timeout: 5_000 };
 * await rpc.shutdown(options); // no connections: resolves at once
 * const headers = { upgrade: "websocket" };
 * assert.equal((await rpc(new Request("http://localhost/rpc", { headers }))).status, 503);
 * ```
 */
export interface ShutdownOptions {
  /**
   * How long running calls may take to finish, in milliseconds, before the
   * connections are closed anyway. Defaults to 10 seconds.
   */
  timeout?: number;
}

/**
 * A function that serves wsrpc; it fits `Deno.serve`. It also counts its
 * connections and shuts down gracefully.
 *
 * @example Mount it, and answer a plain HTTP request
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler, type RpcHandler } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const rpc: RpcHandler = createHandler(api, { handlers: { hello: ({ input }) => input } });
 * const app = (request: Request, info?: Deno.ServeHandlerInfo) =>
 *   new URL(request.url).pathname === "/rpc" ? rpc(request, info) : new Response("Home");
 * // Deno.serve(app); and on SIGTERM: await rpc.shutdown();
 * assert.equal(rpc.connections, 0);
 * assert.equal((await app(new Request("http://localhost/rpc"))).status, 426); // not an upgrade
 * ```
 */
export interface RpcHandler {
  /** Upgrades a request to a wsrpc connection, or answers why it can't. */
  (request: Request, info?: ConnectionInfo): Response | Promise<Response>;
  /** How many connections are open. */
  readonly connections: number;
  /**
   * Shuts down gracefully: refuses new connections with 503, tells every
   * client to reconnect (clients spread their reconnects out with jitter),
   * refuses new calls, stops subscriptions (clients resubscribe elsewhere),
   * lets running calls finish within the timeout, then closes every
   * connection with code 1012. Stop `Deno.serve` after it resolves.
   */
  shutdown(options?: ShutdownOptions): Promise<void>;
}
