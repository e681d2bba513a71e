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
import type { Handlers, Middleware } from "./types.ts";

/** What is known of an error reported to `onError`. */
export interface ErrorInfo<TCtx> {
  /** The dotted path of the endpoint, when the error came from a call. */
  path?: string;
  /** The connection's context, once it exists. */
  ctx?: TCtx;
  /** The upgrade request, when the error came from making the context. */
  request?: Request;
}

/** What `context` is given beside the upgrade request. */
export interface ContextExtra<TParams> {
  /** The connection's details from `Deno.serve`, when the handler was given them. */
  info: Deno.ServeHandlerInfo | undefined;
  /**
   * The connection params of the `rpc.connect` frame, as the
   * `connectionParams` schema parsed them; `undefined` without that option.
   */
  params: TParams;
}

/** The options of {@linkcode createHandler}. */
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
   * gets 403 before the upgrade. See {@linkcode OriginPolicy}.
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
  clientIp?: (request: Request, info: Deno.ServeHandlerInfo | undefined) => string | undefined;
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
   * half. Defaults to 30; 0 turns it off.
   */
  idleTimeout?: number;
}

/** The options of {@linkcode RpcHandler.shutdown}. */
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
 */
export interface RpcHandler {
  /** Upgrades a request to a wsrpc connection, or answers why it can't. */
  (request: Request, info?: Deno.ServeHandlerInfo): Response | Promise<Response>;
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
