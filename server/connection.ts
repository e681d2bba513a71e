/**
 * One client connection: reads frames, dispatches calls and subscriptions,
 * answers the `rpc.` control methods, and cleans up when the socket closes.
 *
 * @module
 */

import type { Codec } from "../shared/codec.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import { validate } from "../shared/validate.ts";
import {
  checkRequest,
  type ErrorFrame,
  isRecord,
  Method,
  paramsToInput,
  type RequestFrame,
  type RequestId,
  type ResponseFrame,
} from "../shared/wire.ts";
import { CallScope } from "./call_scope.ts";
import { errorFrame, failureFrame, resultFrame, successFrame } from "./frames.ts";
import { LiveSubscription, type SubscriptionHost } from "./live_subscription.ts";
import { runChain } from "./middleware.ts";
import type { Route } from "./routes.ts";
import type { HandlerOptions, Middleware } from "./types.ts";

/** What a connection needs from the server, shared by all connections. */
export interface ConnectionConfig {
  /** The dispatch table. */
  routes: ReadonlyMap<string, Route>;
  /** Runs around every call. */
  middleware: ReadonlyArray<Middleware<unknown, unknown>>;
  /** Turns payloads into JSON and back. */
  codec: Codec;
  /** Whether results and events are checked against the output schema. */
  validateOutput: boolean;
  /** Hears about errors raised while serving a call. */
  reportError: (error: RpcError, info: { path: string; ctx: unknown }) => void;
}

/** The socket surface a connection uses; a `WebSocket` fits. */
export interface ConnectionSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A reply, a promise of one, or nothing (for a notification). */
type Reply = ResponseFrame | Promise<ResponseFrame | undefined> | undefined;

/** Work to start once a reply has been sent: a subscription's event loop. */
type Starter = () => void;

const OPEN = 1;

/** Serves one WebSocket. */
export class Connection implements SubscriptionHost {
  readonly #socket: ConnectionSocket;
  readonly #config: ConnectionConfig;
  readonly #ctx: unknown;
  readonly #calls = new Map<string | number, CallScope>();
  readonly #subscriptions = new Map<string | number, LiveSubscription>();
  #draining = false;
  #disposed = false;
  #idle: (() => void) | undefined;

  /**
   * @param socket The socket to serve.
   * @param ctx The context made for this connection.
   * @param config What all connections share.
   */
  constructor(socket: ConnectionSocket, ctx: unknown, config: ConnectionConfig) {
    this.#socket = socket;
    this.#ctx = ctx;
    this.#config = config;
  }

  /** How many calls are running and how many subscriptions are live. */
  get load(): { calls: number; subscriptions: number } {
    return { calls: this.#calls.size, subscriptions: this.#subscriptions.size };
  }

  /** @internal */
  get codec(): Codec {
    return this.#config.codec;
  }

  /** @internal */
  get validateOutput(): boolean {
    return this.#config.validateOutput;
  }

  /**
   * Handles one text frame: a request, a notification or a batch.
   *
   * @param text The frame as received.
   */
  receive(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.#reply(
        errorFrame(null, ErrorCode.ParseError, "Parse error: the frame is not valid JSON"),
      );
      return;
    }
    if (Array.isArray(value)) {
      this.#receiveBatch(value);
      return;
    }
    const check = checkRequest(value);
    if (!check.ok) {
      this.#reply(errorFrame(check.id, ErrorCode.InvalidRequest, check.message));
      return;
    }
    const reply = this.#handle(check.frame, undefined);
    if (reply === undefined) return;
    if (reply instanceof Promise) reply.then((frame) => frame && this.#reply(frame));
    else this.#reply(reply);
  }

  /**
   * Starts a graceful shutdown of this connection: tells the client to
   * reconnect elsewhere, refuses new calls with `Unavailable`, and stops every
   * subscription (the client resubscribes after reconnecting).
   *
   * @returns A promise that settles once no call is running.
   */
  drain(): Promise<void> {
    if (!this.#draining) {
      this.#draining = true;
      this.send(JSON.stringify({ jsonrpc: "2.0", method: Method.Reconnect }));
      for (const subscription of [...this.#subscriptions.values()]) {
        subscription.stop("The server is shutting down");
      }
    }
    if (this.#calls.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle = resolve);
  }

  /** Ends every subscription and cancels every call, once the socket has closed. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const reason = new RpcError(ErrorCode.Cancelled, "The connection closed");
    for (const scope of this.#calls.values()) scope.cancel(reason);
    for (const subscription of [...this.#subscriptions.values()]) {
      subscription.stop("The connection closed");
    }
    this.#idle?.();
  }

  /** @internal Sends a frame if the socket is still open. */
  send(text: string): void {
    if (this.#socket.readyState === OPEN) this.#socket.send(text);
  }

  /** @internal Reports a handler's error and returns it as an `RpcError`. */
  report(route: Route, thrown: unknown): RpcError {
    const error = RpcError.from(thrown);
    this.#config.reportError(error, { path: route.path, ctx: this.#ctx });
    return error;
  }

  /** @internal Forgets a subscription that has ended. */
  ended(subscription: LiveSubscription): void {
    if (this.#subscriptions.get(subscription.id) === subscription) {
      this.#subscriptions.delete(subscription.id);
    }
  }

  #receiveBatch(items: unknown[]): void {
    if (items.length === 0) {
      this.#reply(errorFrame(null, ErrorCode.InvalidRequest, "A batch must not be empty"));
      return;
    }
    const starters: Starter[] = [];
    const replies = items.map((item): Reply => {
      const check = checkRequest(item);
      if (!check.ok) return errorFrame(check.id, ErrorCode.InvalidRequest, check.message);
      return this.#handle(check.frame, starters);
    });
    Promise.all(replies).then((settled) => {
      const frames = settled.filter((frame) => frame !== undefined);
      if (frames.length > 0) this.send(JSON.stringify(frames));
      for (const start of starters) start();
    });
  }

  /**
   * Handles one request or notification. A subscription's events must not
   * overtake its acknowledgement, so inside a batch its event loop is handed
   * back in `starters` and started once the batch reply is out.
   */
  #handle(frame: RequestFrame, starters: Starter[] | undefined): Reply {
    const isNotification = !("id" in frame);
    const id = frame.id ?? null;
    const { method } = frame;
    if (method.startsWith("rpc.")) return this.#control(frame, id, isNotification);
    const route = this.#config.routes.get(method);
    if (route === undefined) {
      if (isNotification) return undefined;
      return errorFrame(id, ErrorCode.MethodNotFound, `Method not found: ${method}`);
    }
    if (id !== null && (this.#calls.has(id) || this.#subscriptions.has(id))) {
      return errorFrame(id, ErrorCode.InvalidRequest, `Request id ${id} is already in use`);
    }
    if (this.#draining) {
      if (isNotification) return undefined;
      return errorFrame(id, ErrorCode.Unavailable, "The server is shutting down; reconnect");
    }
    if (route.endpoint.kind === "subscription") {
      if (isNotification) return undefined;
      return this.#subscribe(route, frame, id, starters);
    }
    if (isNotification) {
      const reply = this.#call(route, frame, new CallScope());
      if (reply instanceof Promise) reply.catch(() => {});
      return undefined;
    }
    if (id === null) return this.#call(route, frame, new CallScope(), null);
    const scope = new CallScope();
    this.#calls.set(id, scope);
    const reply = this.#call(route, frame, scope, id);
    if (!(reply instanceof Promise)) {
      this.#finishCall(id);
      return reply;
    }
    return reply.then((settled) => {
      this.#finishCall(id);
      // A cancelled call's reply is dropped: the client has stopped waiting.
      return scope.cancelled ? undefined : settled;
    });
  }

  #finishCall(id: string | number): void {
    this.#calls.delete(id);
    if (this.#calls.size === 0) this.#idle?.();
  }

  /** The `rpc.` methods: unsubscribe, cancel and ping. */
  #control(frame: RequestFrame, id: RequestId, isNotification: boolean): Reply {
    let result: unknown;
    switch (frame.method) {
      case Method.Unsubscribe: {
        const target = targetOf(frame.params, "subscription");
        const subscription = target === undefined ? undefined : this.#subscriptions.get(target);
        subscription?.stop("Unsubscribed");
        result = subscription !== undefined;
        break;
      }
      case Method.Cancel: {
        const target = targetOf(frame.params, "id");
        const scope = target === undefined ? undefined : this.#calls.get(target);
        scope?.cancel(new RpcError(ErrorCode.Cancelled, "The client cancelled the call"));
        result = scope !== undefined;
        break;
      }
      case Method.Ping:
        result = "pong";
        break;
      default:
        if (isNotification) return undefined;
        return errorFrame(id, ErrorCode.MethodNotFound, `Method not found: ${frame.method}`);
    }
    return isNotification ? undefined : successFrame(id, result);
  }

  #call(route: Route, frame: RequestFrame, scope: CallScope, id: RequestId = null): Reply {
    try {
      const input = this.#readInput(route, frame);
      const result = input instanceof Promise
        ? input.then((valid) => this.#invoke(route, valid, scope, undefined))
        : this.#invoke(route, input, scope, undefined);
      if (result instanceof Promise) {
        return result.then(
          (value) => this.#success(route, id, value),
          (error) => this.#failure(route, id, error),
        );
      }
      return this.#success(route, id, result);
    } catch (error) {
      return this.#failure(route, id, error);
    }
  }

  #subscribe(
    route: Route,
    frame: RequestFrame,
    id: RequestId,
    starters: Starter[] | undefined,
  ): Reply {
    if (typeof id !== "string" && typeof id !== "number") {
      return errorFrame(id, ErrorCode.InvalidRequest, "A subscription needs a string or number id");
    }
    const subscription = new LiveSubscription(id, route, this);
    this.#subscriptions.set(id, subscription);
    const opened = (async () => {
      const input = await this.#readInput(route, frame);
      const iterable = await this.#invoke(route, input, subscription, frame.lastEventId);
      if (!isAsyncIterable(iterable)) {
        throw new RpcError(ErrorCode.InternalError, "Internal error", {
          cause: new TypeError(`The handler of "${route.path}" did not return an async iterable`),
        });
      }
      return iterable;
    })();
    return opened.then(
      (iterable) => {
        const start = () => subscription.start(iterable);
        if (starters) starters.push(start);
        else queueMicrotask(start);
        return successFrame(id, { subscription: id });
      },
      (error) => {
        this.ended(subscription);
        return this.#failure(route, id, error);
      },
    );
  }

  /** Decodes and validates the input; synchronous when the schema is. */
  #readInput(route: Route, frame: RequestFrame): unknown {
    let decoded: unknown;
    try {
      decoded = paramsToInput(this.#config.codec.decode(frame.params, frame.meta));
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

  #invoke(
    route: Route,
    input: unknown,
    scope: { readonly signal: AbortSignal },
    lastEventId: string | undefined,
  ): unknown {
    const options: HandlerOptions<unknown, unknown> = {
      input,
      ctx: this.#ctx,
      // A getter, so that a handler that never reads it costs no AbortController.
      get signal() {
        return scope.signal;
      },
      path: route.path,
      kind: route.endpoint.kind,
      lastEventId,
    };
    const { middleware } = this.#config;
    if (middleware.length === 0) return route.handler(options);
    return runChain(middleware, options, route.handler);
  }

  #success(route: Route, id: RequestId, value: unknown): ResponseFrame | Promise<ResponseFrame> {
    if (!this.#config.validateOutput) return resultFrame(this.#config.codec, id, value);
    try {
      const valid = validate(route.endpoint.output, value, ErrorCode.InternalError);
      if (valid instanceof Promise) {
        return valid.then(
          (checked) => resultFrame(this.#config.codec, id, checked),
          (error) => this.#failure(route, id, error),
        );
      }
      return resultFrame(this.#config.codec, id, valid);
    } catch (error) {
      return this.#failure(route, id, error);
    }
  }

  #failure(route: Route, id: RequestId, thrown: unknown): ErrorFrame {
    return failureFrame(this.#config.codec, id, this.report(route, thrown));
  }

  #reply(frame: ResponseFrame): void {
    this.send(JSON.stringify(frame));
  }
}

/** Reads the id a control method is about: `{ [key]: id }` or `[id]`. */
function targetOf(params: unknown, key: string): string | number | undefined {
  const target = Array.isArray(params) ? params[0] : isRecord(params) ? params[key] : undefined;
  return typeof target === "string" || typeof target === "number" ? target : undefined;
}

function isEmptyParams(params: unknown): boolean {
  if (params === undefined) return true;
  if (Array.isArray(params)) return params.length === 0;
  return typeof params === "object" && params !== null && Object.keys(params).length === 0;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}
