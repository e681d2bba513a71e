/**
 * The client's types, worked out from the contract's type.
 *
 * @module
 */

import type {
  InferInput,
  InferOutput,
  Procedure,
  Router,
  RouterRecord,
  Subscription,
} from "../shared/contract.ts";
import type { CallOptions, SubscribeOptions } from "./options.ts";
import type { ClientSubscription } from "./subscription.ts";
import type { RpcError } from "../shared/errors.ts";
import type { ConnectionState } from "./transport.ts";

/**
 * Calls a procedure. One that takes no input is called with no argument (or
 * `undefined` before the options); one whose input may be `undefined` takes it
 * optionally. The last argument sets a timeout or an abort signal.
 *
 * @example Hand one procedure to code that knows nothing of the client
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createClient, type ProcedureCall } from "@wsrpc/core/client";
 *
 * const api = router({
 *   now: procedure({ output: z.date() }),
 *   add: procedure({ input: z.tuple([z.number(), z.number()]), output: z.number() }),
 * });
 * const client = createClient(api, { url: "ws://localhost:8000/rpc" });
 * const now: ProcedureCall<typeof api.routes.now> = client.now; // now(): Promise<Date>
 * const add: ProcedureCall<typeof api.routes.add> = client.add;
 * const sum = () => add([1, 2], { timeout: 1_000 }); // Promise<number>
 * client.close();
 * ```
 */
export type ProcedureCall<TEndpoint extends Procedure> = InferInput<TEndpoint> extends void
  ? (input?: undefined, options?: CallOptions) => Promise<InferOutput<TEndpoint>>
  : undefined extends InferInput<TEndpoint>
    ? (input?: InferInput<TEndpoint>, options?: CallOptions) => Promise<InferOutput<TEndpoint>>
  : (input: InferInput<TEndpoint>, options?: CallOptions) => Promise<InferOutput<TEndpoint>>;

/**
 * Opens a subscription: returns a stream of the subscription's events.
 *
 * @example Follow any feed of strings
 * ```ts
 * import * as z from "zod";
 * import { router, subscription } from "@wsrpc/core";
 * import { createClient, type SubscriptionCall } from "@wsrpc/core/client";
 *
 * const api = router({ logs: subscription({ input: z.string(), output: z.string() }) });
 * type Feed = SubscriptionCall<typeof api.routes.logs>; // (input, options?) => stream
 * async function follow(feed: Feed, source: string, signal: AbortSignal) {
 *   for await (const line of feed(source, { signal })) console.log(line);
 * }
 * const client = createClient(api, { url: "ws://localhost:8000/rpc" });
 * const tail = (signal: AbortSignal) => follow(client.logs, "web-1", signal);
 * client.close();
 * ```
 */
export type SubscriptionCall<TEndpoint extends Subscription> = InferInput<TEndpoint> extends void
  ? (input?: undefined, options?: SubscribeOptions) => ClientSubscription<InferOutput<TEndpoint>>
  : undefined extends InferInput<TEndpoint> ? (
      input?: InferInput<TEndpoint>,
      options?: SubscribeOptions,
    ) => ClientSubscription<InferOutput<TEndpoint>>
  : (
    input: InferInput<TEndpoint>,
    options?: SubscribeOptions,
  ) => ClientSubscription<InferOutput<TEndpoint>>;

/**
 * The client of a router's entries, nested like the contract.
 *
 * @example Give a part of the app only its part of the API
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createClient, type RouterClient } from "@wsrpc/core/client";
 *
 * const chatApi = router({ send: procedure({ input: z.string(), output: z.date() }) });
 * const api = router({ chat: chatApi, health: procedure({ output: z.boolean() }) });
 * class ChatPanel {
 *   constructor(readonly chat: RouterClient<typeof chatApi.routes>) {}
 *   send = (text: string): Promise<Date> => this.chat.send(text);
 * }
 * const client = createClient(api, { url: "ws://localhost:8000/rpc" });
 * const panel = new ChatPanel(client.chat);
 * client.close();
 * ```
 */
export type RouterClient<TRecord extends RouterRecord> = {
  readonly [TName in keyof TRecord]: TRecord[TName] extends Procedure
    ? ProcedureCall<TRecord[TName]>
    : TRecord[TName] extends Subscription ? SubscriptionCall<TRecord[TName]>
    : TRecord[TName] extends Router<infer TNested> ? RouterClient<TNested>
    : never;
};

/**
 * The connection of a client: its state and its changes.
 *
 * @example Follow the state
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { type ClientConnection, type ConnectionState, createClient } from "@wsrpc/core/client";
 * import assert from "node:assert/strict";
 *
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const client = createClient(api, { url: "ws://localhost:8000/rpc" });
 * const connection: ClientConnection = client.connection;
 * const seen: ConnectionState[] = [connection.state];
 * const stop = connection.onStateChange((state) => seen.push(state));
 * client.close();
 * stop();
 * assert.deepEqual(seen, ["idle", "closed"]);
 * ```
 */
export interface ClientConnection {
  /** Where the connection stands now. */
  readonly state: ConnectionState;
  /**
   * Why the last connection attempt failed, or the last connection ended: an
   * `RpcError` whose message names the URL and what happened (refused, a 404,
   * a permission, a close code and reason), with the original error as `cause`.
   * `undefined` until something went wrong.
   */
  readonly lastError: RpcError | undefined;
  /** Failed attempts in a row since the last open connection (0 while connected). */
  readonly attempt: number;
  /**
   * Calls `listener` with each new state, and the error that led to it
   * (when reconnecting or closed after a failure).
   *
   * @returns A function that stops listening.
   */
  onStateChange(
    listener: (state: ConnectionState, error: RpcError | undefined) => void,
  ): () => void;
}

/**
 * What a client has beside its endpoints. These names (`close`, `ready`,
 * `connection`) are reserved at the top level of a contract used by a client.
 *
 * @example After `close()`, calls fail at once
 * ```ts
 * import * as z from "zod";
 * import { ErrorCode, procedure, router, RpcError } from "@wsrpc/core";
 * import { type ClientControls, createClient } from "@wsrpc/core/client";
 * import assert from "node:assert/strict";
 *
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const client = createClient(api, { url: "ws://localhost:8000/rpc" });
 * const controls: ClientControls = client; // await controls.ready() to connect up front
 * controls.close();
 * const lost = (error: RpcError) => error.code === ErrorCode.ConnectionLost;
 * await assert.rejects(controls.ready(), lost);
 * await assert.rejects(client.hello("world"), lost);
 * ```
 */
export interface ClientControls {
  /**
   * Closes the connection for good. Pending calls reject with
   * `ConnectionLost`; subscriptions end as if completed.
   */
  close(): void;
  /**
   * Resolves once the connection is open, connecting if it is idle. Rejects
   * if the client is closed, or closes before it opens.
   */
  ready(): Promise<void>;
  /** The connection's state and its changes. */
  readonly connection: ClientConnection;
}

/**
 * A typed client of a contract.
 *
 * @example One client for the whole app, typed from the contract's type alone
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { type Client, createClient } from "@wsrpc/core/client";
 *
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * let shared: Client<typeof api> | undefined;
 * function rpc(): Client<typeof api> {
 *   return shared ??= createClient<typeof api>({ url: "ws://localhost:8000/rpc" });
 * }
 * const greet = (name: string): Promise<string> => rpc().hello(name);
 * rpc().close();
 * ```
 */
export type Client<TRouter extends Router> = RouterClient<TRouter["routes"]> & ClientControls;
