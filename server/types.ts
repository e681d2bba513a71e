/**
 * The types a server author writes against: handlers, their options, and the
 * map of handlers that mirrors a contract.
 *
 * @module
 */

import type {
  InferHandlerOutput,
  InferParsedInput,
  Procedure,
  Router,
  RouterRecord,
  Subscription,
} from "../shared/contract.ts";
import type { Checkpoint, Gap } from "./stream_marks.ts";
import type { Tracked } from "./tracked.ts";

/**
 * What every handler and middleware is given.
 *
 * @example Test a handler without a server
 * ```ts
 * import type { HandlerOptions } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * type Ctx = { user: string };
 * const greet = ({ input, ctx }: HandlerOptions<string, Ctx>) => `${ctx.user} greets ${input}`;
 * const options: HandlerOptions<string, Ctx> = {
 *   input: "world",
 *   ctx: { user: "ada" },
 *   signal: new AbortController().signal,
 *   path: "greet",
 *   kind: "procedure",
 * };
 * assert.equal(greet(options), "ada greets world");
 * ```
 */
export interface HandlerOptions<TInput, TCtx> {
  /** The input, already validated by the endpoint's input schema. */
  input: TInput;
  /** The connection's context, as made by `context` and extended by middleware. */
  ctx: TCtx;
  /** Fires when the caller goes away: unsubscribe, cancel or disconnect. */
  signal: AbortSignal;
  /** The dotted path of the endpoint, such as `chat.send`. */
  path: string;
  /** Whether the endpoint is a procedure or a subscription. */
  kind: "procedure" | "subscription";
  /**
   * On a subscription that is resuming: the id of the last tracked event
   * the client received. Replay what came after it.
   */
  lastEventId?: string | undefined;
}

/**
 * Implements a procedure: returns the result, or a promise of it.
 *
 * @example An async handler, written apart from the handler map
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler, type ProcedureHandler } from "@wsrpc/core/server";
 *
 * type Ctx = { apiKey: string };
 * // `signal` fires if the caller cancels or leaves: pass it on to stop the fetch too.
 * const weather: ProcedureHandler<string, string, Ctx> = async ({ input, ctx, signal }) => {
 *   const url = `https://weather.example/${input}?key=${ctx.apiKey}`;
 *   return await (await fetch(url, { signal })).text();
 * };
 * const api = router({ weather: procedure({ input: z.string(), output: z.string() }) });
 * createHandler(api)({ context: (): Ctx => ({ apiKey: "k" }), handlers: { weather } });
 * ```
 */
export type ProcedureHandler<TInput, TOutput, TCtx> = (
  options: HandlerOptions<TInput, TCtx>,
) => TOutput | Promise<TOutput>;

/**
 * Implements a subscription: returns an async iterable of events, usually by
 * being an `async function*`. Its `finally` runs when the subscription ends.
 *
 * @example A countdown that stops when the client leaves
 * ```ts
 * import type { SubscriptionHandler } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * const countdown: SubscriptionHandler<number, number, unknown> = async function* (options) {
 *   for (let n = options.input; n > 0 && !options.signal.aborted; n--) yield n;
 * };
 * const signal = new AbortController().signal;
 * const events = await countdown({ input: 3, ctx: {}, signal, path: "t", kind: "subscription" });
 * assert.deepEqual(await Array.fromAsync(events), [3, 2, 1]);
 * ```
 */
export type SubscriptionHandler<TInput, TEvent, TCtx> = (
  options: HandlerOptions<TInput, TCtx>,
) =>
  | AsyncIterable<TEvent | Tracked<TEvent> | Gap | Checkpoint>
  | Promise<AsyncIterable<TEvent | Tracked<TEvent> | Gap | Checkpoint>>;

/**
 * The handler an endpoint needs, worked out from the contract.
 *
 * @example Type a handler that lives in its own module
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler, type HandlerFor } from "@wsrpc/core/server";
 *
 * const api = router({
 *   chat: router({ send: procedure({ input: z.object({ text: z.string() }), output: z.date() }) }),
 * });
 * type Ctx = { user: string };
 * // `input` is `{ text: string }`, and the result must be a Date.
 * const send: HandlerFor<typeof api.routes.chat.routes.send, Ctx> = ({ input }) => {
 *   console.log(input.text);
 *   return new Date();
 * };
 * createHandler(api)({ context: (): Ctx => ({ user: "guest" }), handlers: { chat: { send } } });
 * ```
 */
export type HandlerFor<TEndpoint, TCtx> = TEndpoint extends Procedure
  ? ProcedureHandler<InferParsedInput<TEndpoint>, InferHandlerOutput<TEndpoint>, TCtx>
  : TEndpoint extends Subscription
    ? SubscriptionHandler<InferParsedInput<TEndpoint>, InferHandlerOutput<TEndpoint>, TCtx>
  : TEndpoint extends Router<infer TRecord> ? Handlers<TRecord, TCtx>
  : never;

/**
 * A handler for every endpoint of a router, nested the same way.
 *
 * @example Handlers of one part of the API, in their own module
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler, type Handlers } from "@wsrpc/core/server";
 *
 * const math = router({
 *   add: procedure({ input: z.tuple([z.number(), z.number()]), output: z.number() }),
 *   negate: procedure({ input: z.number(), output: z.number() }),
 * });
 * const mathHandlers: Handlers<typeof math.routes, unknown> = {
 *   add: ({ input: [a, b] }) => a + b,
 *   negate: ({ input }) => -input,
 * };
 * createHandler(router({ math }), { handlers: { math: mathHandlers } });
 * ```
 */
export type Handlers<TRecord extends RouterRecord, TCtx> = {
  [TName in keyof TRecord]: HandlerFor<TRecord[TName], TCtx>;
};

/**
 * The options of a middleware: a handler's options and `next`.
 *
 * @example Time every call
 * ```ts
 * import type { MiddlewareOptions } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * const durations = new Map<string, number>();
 * function timed({ ctx, path, next }: MiddlewareOptions<unknown, unknown>) {
 *   const start = performance.now();
 *   return next(ctx).finally(() => durations.set(path, performance.now() - start));
 * }
 * const signal = new AbortController().signal;
 * const options = { input: 1, ctx: {}, signal, path: "ping", kind: "procedure" as const };
 * assert.equal(await timed({ ...options, next: () => Promise.resolve("pong") }), "pong");
 * assert.ok(durations.has("ping"));
 * ```
 */
export interface MiddlewareOptions<TCtx, TNextCtx> extends HandlerOptions<unknown, TCtx> {
  /** Runs the rest of the chain with the given context and returns its result. */
  next: (ctx: TNextCtx) => Promise<unknown>;
}

/**
 * Runs around a handler: checks, logs, or extends the context. It returns
 * what `next` returns, or throws an `RpcError` to refuse the call.
 *
 * @example Log every failed call, with the `middleware` option
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler, type Middleware } from "@wsrpc/core/server";
 *
 * type Ctx = { user: string };
 * const logFailures: Middleware<Ctx> = ({ ctx, path, next }) =>
 *   next(ctx).catch((error) => {
 *     console.warn(`${ctx.user} failed to call ${path}`);
 *     throw error;
 *   });
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const context = (): Ctx => ({ user: "guest" });
 * createHandler(api)({ context, middleware: [logFailures], handlers: { hello: () => "hi" } });
 * ```
 */
export type Middleware<TCtx, TNextCtx = TCtx> = (
  options: MiddlewareOptions<TCtx, TNextCtx>,
) => unknown;
