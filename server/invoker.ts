/**
 * Running one call or opening one subscription for a connection: decode and
 * validate the input, run the middleware and the handler, validate and
 * encode the result. Nothing here throws at its caller: every failure becomes
 * an error reply (or, when opening a subscription, a rejection).
 *
 * @module
 */

import { type Codec, superjsonCodec } from "../shared/codec.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import { FlatDates } from "../shared/superjson_format/flat_dates.ts";
import { validate } from "../shared/validate.ts";
import {
  type ErrorFrame,
  paramsToInput,
  type RequestFrame,
  type RequestId,
  type ResponseFrame,
} from "../shared/wire.ts";
import { failureFrame, resultFrame } from "./frames.ts";
import { runChain } from "./middleware.ts";
import type { Route } from "./routes.ts";
import type { HandlerOptions, Middleware } from "./types.ts";

/** What an invoker needs from the server's settings. */
export interface InvokerConfig {
  /** Runs around every call. */
  middleware: ReadonlyArray<Middleware<unknown, unknown>>;
  /** Turns payloads into JSON and back. */
  codec: Codec;
  /** Whether results are checked against the output schema. */
  validateOutput: boolean;
}

/** Something with an abort signal: a call's scope, or a live subscription. */
export interface Scope {
  /** Fires when the caller goes away. */
  readonly signal: AbortSignal;
}

/** Reports an error raised while serving a call, and returns it as an `RpcError`. */
export interface ErrorReporter {
  /** Reports `thrown`, raised while serving `route`. */
  report(route: Route, thrown: unknown): RpcError;
}

/** Runs the handlers of one connection, with its context. */
export class Invoker {
  readonly #config: InvokerConfig;
  readonly #ctx: unknown;
  readonly #reporter: ErrorReporter;

  /**
   * @param config The server's settings.
   * @param ctx The connection's context.
   * @param reporter Reports an error and returns it as an `RpcError`.
   */
  constructor(
    config: InvokerConfig,
    ctx: unknown,
    reporter: ErrorReporter,
  ) {
    this.#config = config;
    this.#ctx = ctx;
    this.#reporter = reporter;
  }

  /**
   * Runs a procedure. Synchronous when the schemas and the handler are.
   *
   * @returns The reply; a promise of one never rejects.
   */
  call(
    route: Route,
    frame: RequestFrame,
    scope: Scope,
    id: RequestId,
  ): ResponseFrame | Promise<ResponseFrame> {
    try {
      const input = this.#readInput(route, frame);
      const result = input instanceof Promise
        ? input.then((valid) => this.#invoke(route, valid, scope, undefined))
        : this.#invoke(route, input, scope, undefined);
      if (result instanceof Promise) {
        return result.then(
          (value) => this.#success(route, id, value),
          (error) => this.failure(route, id, error),
        );
      }
      return this.#success(route, id, result);
    } catch (error) {
      return this.failure(route, id, error);
    }
  }

  /**
   * Runs a subscription's handler.
   *
   * @returns Its events; rejects with whatever refused or failed.
   */
  async open(route: Route, frame: RequestFrame, scope: Scope): Promise<AsyncIterable<unknown>> {
    const input = await this.#readInput(route, frame);
    const iterable = await this.#invoke(route, input, scope, frame.lastEventId);
    if (!isAsyncIterable(iterable)) {
      throw new RpcError(ErrorCode.InternalError, "Internal error", {
        cause: new TypeError(`The handler of "${route.path}" did not return an async iterable`),
      });
    }
    return iterable;
  }

  /**
   * Reports a failure and turns it into an error reply.
   *
   * @returns The reply; never throws.
   */
  failure(route: Route, id: RequestId, thrown: unknown): ErrorFrame {
    return failureFrame(this.#config.codec, id, this.#reporter.report(route, thrown));
  }

  /** Decodes and validates the input; synchronous when the schema is. */
  #readInput(route: Route, frame: RequestFrame): unknown {
    let decoded: unknown;
    try {
      decoded = paramsToInput(decodeParams(this.#config.codec, frame));
    } catch (cause) {
      throw new RpcError(ErrorCode.InvalidParams, "Invalid params: the meta can't be applied", {
        cause,
      });
    }
    const schema = route.endpoint.input;
    if (schema === undefined) {
      if (decoded !== undefined && !isEmptyParams(frame.params)) {
        throw new RpcError(ErrorCode.InvalidParams, `Invalid params: ${route.path} takes no input`);
      }
      return undefined;
    }
    return validate(schema, decoded);
  }

  #invoke(route: Route, input: unknown, scope: Scope, lastEventId: string | undefined): unknown {
    const options = new CallOptions(input, this.#ctx, scope, route, lastEventId);
    const { middleware } = this.#config;
    if (middleware.length === 0) return route.handler(options);
    return runChain(middleware, options, route.handler);
  }

  #success(route: Route, id: RequestId, value: unknown): ResponseFrame | Promise<ResponseFrame> {
    if (!this.#config.validateOutput) return this.#encode(route, id, value);
    try {
      const valid = validate(route.endpoint.output, value, ErrorCode.InternalError);
      if (valid instanceof Promise) {
        return valid.then(
          (checked) => this.#encode(route, id, checked),
          (error) => this.failure(route, id, error),
        );
      }
      return this.#encode(route, id, valid);
    } catch (error) {
      return this.failure(route, id, error);
    }
  }

  /** A result superjson refuses (a `constructor` key beside a Date, say) is an internal error. */
  #encode(route: Route, id: RequestId, value: unknown): ResponseFrame {
    try {
      return resultFrame(this.#config.codec, id, value, route.encodeResult);
    } catch (error) {
      return this.failure(route, id, error);
    }
  }
}

/**
 * A handler's options. A class rather than an object literal: it is made for
 * every call, and V8 makes instances of a class with a prototype getter much
 * faster than literals with a getter of their own. The getter keeps the
 * signal lazy, so a handler that never reads it costs no AbortController.
 */
class CallOptions implements HandlerOptions<unknown, unknown> {
  readonly input: unknown;
  readonly ctx: unknown;
  readonly path: string;
  readonly kind: "procedure" | "subscription";
  readonly lastEventId: string | undefined;
  readonly #scope: Scope;

  constructor(
    input: unknown,
    ctx: unknown,
    scope: Scope,
    route: Route,
    lastEventId: string | undefined,
  ) {
    this.input = input;
    this.ctx = ctx;
    this.path = route.path;
    this.kind = route.endpoint.kind;
    this.lastEventId = lastEventId;
    this.#scope = scope;
  }

  get signal(): AbortSignal {
    return this.#scope.signal;
  }
}

/**
 * The inputs of the default codec whose meta marks only Dates at the top (see
 * `FlatDates`). Here, not in `superjsonCodec.decode`, which the browser client
 * bundles too: it has no room for the reader.
 */
const flatInputs = new FlatDates();

function decodeParams(codec: Codec, { params, meta }: RequestFrame): unknown {
  if (codec !== superjsonCodec || meta === undefined) return codec.decode(params, meta);
  return flatInputs.decode(params, meta);
}

function isEmptyParams(params: unknown): boolean {
  if (params === undefined) return true;
  if (Array.isArray(params)) return params.length === 0;
  return typeof params === "object" && params !== null && Object.keys(params).length === 0;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}
