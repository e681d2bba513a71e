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
import type { Tracked } from "./tracked.ts";

/** What every handler and middleware is given. */
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

/** Implements a procedure: returns the result, or a promise of it. */
export type ProcedureHandler<TInput, TOutput, TCtx> = (
  options: HandlerOptions<TInput, TCtx>,
) => TOutput | Promise<TOutput>;

/**
 * Implements a subscription: returns an async iterable of events, usually by
 * being an `async function*`. Its `finally` runs when the subscription ends.
 */
export type SubscriptionHandler<TInput, TEvent, TCtx> = (
  options: HandlerOptions<TInput, TCtx>,
) =>
  | AsyncIterable<TEvent | Tracked<TEvent>>
  | Promise<AsyncIterable<TEvent | Tracked<TEvent>>>;

/** The handler an endpoint needs, worked out from the contract. */
export type HandlerFor<TEndpoint, TCtx> = TEndpoint extends Procedure
  ? ProcedureHandler<InferParsedInput<TEndpoint>, InferHandlerOutput<TEndpoint>, TCtx>
  : TEndpoint extends Subscription
    ? SubscriptionHandler<InferParsedInput<TEndpoint>, InferHandlerOutput<TEndpoint>, TCtx>
  : TEndpoint extends Router<infer TRecord> ? Handlers<TRecord, TCtx>
  : never;

/** A handler for every endpoint of a router, nested the same way. */
export type Handlers<TRecord extends RouterRecord, TCtx> = {
  [TName in keyof TRecord]: HandlerFor<TRecord[TName], TCtx>;
};

/** The options of a middleware: a handler's options and `next`. */
export interface MiddlewareOptions<TCtx, TNextCtx> extends HandlerOptions<unknown, TCtx> {
  /** Runs the rest of the chain with the given context and returns its result. */
  next: (ctx: TNextCtx) => Promise<unknown>;
}

/**
 * Runs around a handler: checks, logs, or extends the context. It returns
 * what `next` returns, or throws an `RpcError` to refuse the call.
 */
export type Middleware<TCtx, TNextCtx = TCtx> = (
  options: MiddlewareOptions<TCtx, TNextCtx>,
) => unknown;
