/**
 * One client connection: reads frames, dispatches calls and subscriptions,
 * and cleans up when the socket closes.
 *
 * @module
 */

import type { Codec } from "../shared/codec.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import { validate } from "../shared/validate.ts";
import {
  checkRequest,
  type ErrorFrame,
  type ErrorObject,
  Method,
  paramsToInput,
  type RequestFrame,
  type RequestId,
  type ResponseFrame,
} from "../shared/wire.ts";
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

interface LiveSubscription {
  readonly controller: AbortController;
  iterator: AsyncIterator<unknown> | undefined;
}

/** Work to start once a reply has been sent: a subscription's event loop. */
type Starter = () => void;

const OPEN = 1;

/** Serves one WebSocket. */
export class Connection {
  readonly #socket: ConnectionSocket;
  readonly #config: ConnectionConfig;
  readonly #ctx: unknown;
  readonly #closed = new AbortController();
  readonly #subscriptions = new Map<string | number, LiveSubscription>();

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

  /** How many subscriptions are running. */
  get subscriptionCount(): number {
    return this.#subscriptions.size;
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
      this.#send(
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
      this.#send(errorFrame(check.id, ErrorCode.InvalidRequest, check.message));
      return;
    }
    const reply = this.#handle(check.frame, undefined);
    if (reply === undefined) return;
    if (reply instanceof Promise) reply.then((frame) => frame && this.#send(frame));
    else this.#send(reply);
  }

  /** Ends every subscription and aborts every call, once the socket has closed. */
  dispose(): void {
    this.#closed.abort(new RpcError(ErrorCode.Cancelled, "The connection closed"));
    for (const id of [...this.#subscriptions.keys()]) this.#stopSubscription(id);
  }

  #receiveBatch(items: unknown[]): void {
    if (items.length === 0) {
      this.#send(errorFrame(null, ErrorCode.InvalidRequest, "A batch must not be empty"));
      return;
    }
    const starters: Starter[] = [];
    type Reply = ResponseFrame | Promise<ResponseFrame | undefined> | undefined;
    const replies = items.map((item): Reply => {
      const check = checkRequest(item);
      if (!check.ok) return errorFrame(check.id, ErrorCode.InvalidRequest, check.message);
      return this.#handle(check.frame, starters);
    });
    Promise.all(replies).then((settled) => {
      const frames = settled.filter((frame) => frame !== undefined);
      if (frames.length > 0) this.#sendText(JSON.stringify(frames));
      for (const start of starters) start();
    });
  }

  /**
   * Handles one request or notification. A subscription's events must not
   * overtake its acknowledgement, so inside a batch its event loop is handed
   * back in `starters` and started once the batch reply is out.
   */
  #handle(
    frame: RequestFrame,
    starters: Starter[] | undefined,
  ): ResponseFrame | Promise<ResponseFrame | undefined> | undefined {
    const isNotification = !("id" in frame);
    const id = frame.id ?? null;
    if (frame.method === Method.Unsubscribe) {
      const stopped = this.#unsubscribe(frame);
      return isNotification ? undefined : successFrame(id, stopped);
    }
    const route = this.#config.routes.get(frame.method);
    if (route === undefined) {
      if (isNotification) return undefined;
      return errorFrame(id, ErrorCode.MethodNotFound, `Method not found: ${frame.method}`);
    }
    if (route.endpoint.kind === "subscription") {
      if (isNotification) return undefined;
      return this.#subscribe(route, frame, id, starters);
    }
    const reply = this.#call(route, frame, id);
    if (!isNotification) return reply;
    if (reply instanceof Promise) reply.catch(() => {});
    return undefined;
  }

  #call(route: Route, frame: RequestFrame, id: RequestId): ResponseFrame | Promise<ResponseFrame> {
    try {
      const input = this.#readInput(route, frame);
      const result = input instanceof Promise
        ? input.then((valid) => this.#invoke(route, valid, this.#closed.signal))
        : this.#invoke(route, input, this.#closed.signal);
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
  ): ResponseFrame | Promise<ResponseFrame> {
    if (typeof id !== "string" && typeof id !== "number") {
      return errorFrame(id, ErrorCode.InvalidRequest, "A subscription needs a string or number id");
    }
    if (this.#subscriptions.has(id)) {
      return errorFrame(id, ErrorCode.InvalidRequest, `Subscription id ${id} is already in use`);
    }
    const live: LiveSubscription = { controller: new AbortController(), iterator: undefined };
    this.#subscriptions.set(id, live);
    const signal = AbortSignal.any([live.controller.signal, this.#closed.signal]);
    const opened = (async () => {
      const input = await this.#readInput(route, frame);
      const iterable = await this.#invoke(route, input, signal);
      if (!isAsyncIterable(iterable)) {
        throw new RpcError(ErrorCode.InternalError, "Internal error", {
          cause: new TypeError(`The handler of "${route.path}" did not return an async iterable`),
        });
      }
      return iterable;
    })();
    return opened.then(
      (iterable) => {
        if (signal.aborted) return successFrame(id, { subscription: id });
        live.iterator = iterable[Symbol.asyncIterator]();
        const start = () => void this.#pump(route, id, live);
        if (starters) starters.push(start);
        else queueMicrotask(start);
        return successFrame(id, { subscription: id });
      },
      (error) => {
        this.#subscriptions.delete(id);
        return this.#failure(route, id, error);
      },
    );
  }

  async #pump(route: Route, id: string | number, live: LiveSubscription): Promise<void> {
    const iterator = live.iterator;
    const { signal } = live.controller;
    if (iterator === undefined) return;
    try {
      while (!signal.aborted && !this.#closed.signal.aborted) {
        const step = await iterator.next();
        if (signal.aborted || this.#closed.signal.aborted) return;
        if (step.done) {
          this.#notify(Method.Complete, { subscription: id });
          return;
        }
        const event = this.#config.validateOutput
          ? await validate(route.endpoint.output, step.value, ErrorCode.InternalError)
          : step.value;
        if (signal.aborted) return;
        this.#notify(Method.Data, { subscription: id, data: event });
      }
    } catch (thrown) {
      if (signal.aborted || this.#closed.signal.aborted) return;
      const error = this.#report(route, thrown);
      // The generator is finished once it has thrown, but not when the
      // output failed validation: end it so its `finally` runs.
      void iterator.return?.()?.catch?.(() => {});
      this.#notify(Method.Error, { subscription: id, error: this.#errorObject(error) });
    } finally {
      if (this.#subscriptions.get(id) === live) this.#subscriptions.delete(id);
    }
  }

  #unsubscribe(frame: RequestFrame): boolean {
    const params = frame.params;
    const id = Array.isArray(params)
      ? params[0]
      : (params as Record<string, unknown> | undefined)?.subscription;
    if (typeof id !== "string" && typeof id !== "number") return false;
    return this.#stopSubscription(id);
  }

  #stopSubscription(id: string | number): boolean {
    const live = this.#subscriptions.get(id);
    if (live === undefined) return false;
    this.#subscriptions.delete(id);
    live.controller.abort(new RpcError(ErrorCode.Cancelled, "Unsubscribed"));
    // Ends a generator parked at `yield`; one busy in an `await` ends when it
    // next yields, or sooner if it listens to its signal.
    void live.iterator?.return?.()?.catch?.(() => {});
    return true;
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

  #invoke(route: Route, input: unknown, signal: AbortSignal): unknown {
    const options: HandlerOptions<unknown, unknown> = {
      input,
      ctx: this.#ctx,
      signal,
      path: route.path,
      kind: route.endpoint.kind,
    };
    const { middleware } = this.#config;
    if (middleware.length === 0) return route.handler(options);
    return runChain(middleware, options, route.handler);
  }

  #success(route: Route, id: RequestId, value: unknown): ResponseFrame | Promise<ResponseFrame> {
    if (!this.#config.validateOutput) return this.#result(id, value);
    try {
      const valid = validate(route.endpoint.output, value, ErrorCode.InternalError);
      if (valid instanceof Promise) {
        return valid.then(
          (checked) => this.#result(id, checked),
          (error) => this.#failure(route, id, error),
        );
      }
      return this.#result(id, valid);
    } catch (error) {
      return this.#failure(route, id, error);
    }
  }

  #result(id: RequestId, value: unknown): ResponseFrame {
    const { json, meta } = this.#config.codec.encode(value);
    const frame: ResponseFrame = { jsonrpc: "2.0", id, result: json };
    if (meta !== undefined) frame.meta = meta;
    return frame;
  }

  #failure(route: Route, id: RequestId, thrown: unknown): ErrorFrame {
    const error = this.#errorObject(this.#report(route, thrown));
    if (error.data === undefined) return { jsonrpc: "2.0", id, error };
    const { json, meta } = this.#config.codec.encode(error.data);
    const frame: ErrorFrame = { jsonrpc: "2.0", id, error: { ...error, data: json } };
    if (meta !== undefined) frame.meta = meta;
    return frame;
  }

  /** Reports a handler's error and returns it as an `RpcError`. */
  #report(route: Route, thrown: unknown): RpcError {
    const error = RpcError.from(thrown);
    this.#config.reportError(error, { path: route.path, ctx: this.#ctx });
    return error;
  }

  /**
   * What may be said of an error on the wire. An internal error says nothing
   * more: its message, stack and cause stay in the server's logs.
   */
  #errorObject(error: RpcError): ErrorObject {
    if (error.code === ErrorCode.InternalError) {
      return { code: error.code, message: "Internal error" };
    }
    if (error.data === undefined) return { code: error.code, message: error.message };
    return { code: error.code, message: error.message, data: error.data };
  }

  #notify(method: string, params: unknown): void {
    const { json, meta } = this.#config.codec.encode(params);
    const frame: RequestFrame = { jsonrpc: "2.0", method, params: json };
    if (meta !== undefined) frame.meta = meta;
    this.#sendText(JSON.stringify(frame));
  }

  #send(frame: ResponseFrame): void {
    this.#sendText(JSON.stringify(frame));
  }

  #sendText(text: string): void {
    if (this.#socket.readyState === OPEN) this.#socket.send(text);
  }
}

function successFrame(id: RequestId, result: unknown): ResponseFrame {
  return { jsonrpc: "2.0", id, result };
}

function errorFrame(id: RequestId, code: number, message: string): ErrorFrame {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

function isEmptyParams(params: unknown): boolean {
  if (params === undefined) return true;
  if (Array.isArray(params)) return params.length === 0;
  return typeof params === "object" && params !== null && Object.keys(params).length === 0;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}
