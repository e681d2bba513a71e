/**
 * One client connection: reads frames, dispatches calls and subscriptions,
 * answers the `rpc.` control methods, and cleans up when the socket closes.
 *
 * @module
 */

import { type Codec, superjsonCodec } from "../shared/codec.ts";
import { MetaReuse } from "../shared/reused_meta.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import {
  checkRequest,
  InvalidRequest,
  isRecord,
  isRequestId,
  Method,
  type RequestFrame,
  type RequestId,
  type ResponseFrame,
} from "../shared/wire.ts";
import { CallScope } from "./call_scope.ts";
import { exceedsDepth } from "./frame_guard.ts";
import { errorFrame, shorten, successFrame, successText } from "./frames.ts";
import { Invoker } from "./invoker.ts";
import type { Limits } from "./limits.ts";
import { LiveSubscription, type SubscriptionHost } from "./live_subscription.ts";
import type { Outlet } from "./outlet.ts";
import { Throttle } from "./rate_limit.ts";
import type { Route } from "./routes.ts";
import type { Middleware } from "./types.ts";

/** Requests, whose meta may be the last one's: shared by every connection, as the meta is only read. */
const requests = new MetaReuse();

// The session imports the outlet's type from here.
export type { Outlet };

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
  /** What one connection may ask. */
  limits: Limits;
}

/** A reply, a promise of one, or nothing (for a notification). */
type Reply = ResponseFrame | Promise<ResponseFrame | undefined> | undefined;

/** Work to start once a reply has been sent: a subscription's event loop. */
type Starter = () => void;

/** Serves one WebSocket. */
export class Connection implements SubscriptionHost {
  readonly #outlet: Outlet;
  readonly #config: ConnectionConfig;
  readonly #limits: Limits;
  readonly #ctx: unknown;
  readonly #throttle: Throttle;
  readonly #invoker: Invoker;
  // Both maps are made on first use: most connections never need one, and an
  // idle connection's memory is what a server with many of them pays for.
  /** Running calls that have an id, by id: for duplicate ids and `rpc.cancel`. */
  #calls: Map<string | number, CallScope> | undefined;
  #subscriptions: Map<string | number, LiveSubscription> | undefined;
  /** Every running call, with an id or not. */
  #running = 0;
  #draining = false;
  #disposed = false;
  #idle: (() => void) | undefined;

  /**
   * @param outlet Where frames go.
   * @param ctx The context made for this connection.
   * @param config What all connections share.
   */
  constructor(outlet: Outlet, ctx: unknown, config: ConnectionConfig) {
    this.#outlet = outlet;
    this.#ctx = ctx;
    this.#config = config;
    this.#limits = config.limits;
    // No closures: each would hold memory for as long as the connection lives.
    this.#throttle = new Throttle(config.limits, outlet);
    this.#invoker = new Invoker(config, ctx, this);
  }

  /** How many calls are running and how many subscriptions are live. */
  get load(): { calls: number; subscriptions: number } {
    return { calls: this.#running, subscriptions: this.#subscriptions?.size ?? 0 };
  }

  /** @internal */
  get codec(): Codec {
    return this.#config.codec;
  }

  /** @internal */
  get validateOutput(): boolean {
    return this.#config.validateOutput;
  }

  /** @internal Where frames go; subscriptions send on it directly. */
  get outlet(): Outlet {
    return this.#outlet;
  }

  /**
   * Handles one text frame: a request, a notification or a batch.
   *
   * @param text The frame as received.
   */
  receive(text: string): void {
    if (this.#disposed) return;
    const { maxDepth } = this.#limits;
    if (exceedsDepth(text, maxDepth)) {
      if (!this.#throttle.admit()) return;
      const message = `The frame nests deeper than ${maxDepth} levels`;
      this.#reply(errorFrame(null, ErrorCode.InvalidRequest, message));
      return;
    }
    let value: unknown;
    try {
      // The default codec only reads a meta: calls may share one.
      value = this.#config.codec === superjsonCodec ? requests.parse(text) : JSON.parse(text);
    } catch {
      if (!this.#throttle.admit()) return;
      this.#reply(
        errorFrame(null, ErrorCode.ParseError, "Parse error: the frame is not valid JSON"),
      );
      return;
    }
    if (Array.isArray(value)) {
      this.#receiveBatch(value);
      return;
    }
    if (!this.#throttle.admit()) {
      const refusal = this.#throttle.refusal(value);
      if (refusal !== undefined) this.#reply(refusal);
      return;
    }
    const frame = checkRequest(value);
    if (frame instanceof InvalidRequest) {
      this.#reply(errorFrame(frame.id, ErrorCode.InvalidRequest, frame.message));
      return;
    }
    const reply = this.#handle(frame, undefined);
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
      this.#outlet.send(JSON.stringify({ jsonrpc: "2.0", method: Method.Reconnect }));
      for (const subscription of [...this.#subscriptions?.values() ?? []]) {
        subscription.stop("The server is shutting down");
      }
    }
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle = resolve);
  }

  /** Ends every subscription and cancels every call, once the socket has closed. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const reason = new RpcError(ErrorCode.Cancelled, "The connection closed");
    for (const scope of this.#calls?.values() ?? []) scope.cancel(reason);
    for (const subscription of [...this.#subscriptions?.values() ?? []]) {
      subscription.stop("The connection closed");
    }
    this.#idle?.();
  }

  /** @internal Reports a handler's error and returns it as an `RpcError`. */
  report(route: Route, thrown: unknown): RpcError {
    const error = RpcError.from(thrown);
    this.#config.reportError(error, { path: route.path, ctx: this.#ctx });
    return error;
  }

  /** @internal Forgets a subscription that has ended. */
  ended(subscription: LiveSubscription): void {
    if (this.#subscriptions?.get(subscription.id) === subscription) {
      this.#subscriptions.delete(subscription.id);
    }
  }

  #receiveBatch(items: unknown[]): void {
    if (items.length === 0) {
      if (!this.#throttle.admit()) return;
      this.#reply(errorFrame(null, ErrorCode.InvalidRequest, "A batch must not be empty"));
      return;
    }
    const { maxBatchLength } = this.#limits;
    if (items.length > maxBatchLength) {
      if (!this.#throttle.admit()) return;
      const message = `A batch may hold at most ${maxBatchLength} requests`;
      const ids = items.flatMap((item) =>
        isRecord(item) && "id" in item && isRequestId(item.id) ? [item.id] : []
      );
      if (ids.length === 0) this.#reply(errorFrame(null, ErrorCode.InvalidRequest, message));
      else {
        this.#reply(ids.map((id) => errorFrame(id, ErrorCode.InvalidRequest, message)));
      }
      return;
    }
    const starters: Starter[] = [];
    const replies = items.map((item): Reply => {
      if (!this.#throttle.admit()) return this.#throttle.refusal(item);
      const frame = checkRequest(item);
      if (frame instanceof InvalidRequest) {
        return errorFrame(frame.id, ErrorCode.InvalidRequest, frame.message);
      }
      return this.#handle(frame, starters);
    });
    Promise.all(replies).then((settled) => {
      const frames = settled.filter((frame) => frame !== undefined);
      if (frames.length > 0) this.#reply(frames);
      for (const start of starters) start();
    });
  }

  /**
   * Handles one request or notification. A subscription's events must not
   * overtake its acknowledgement, so inside a batch its event loop is handed
   * back in `starters` and started once the batch reply is out.
   */
  #handle(frame: RequestFrame, starters: Starter[] | undefined): Reply {
    // The rest of a batch whose flood closed the connection.
    if (this.#disposed) return undefined;
    const isNotification = !("id" in frame);
    const id = frame.id ?? null;
    const { method } = frame;
    if (method.startsWith("rpc.")) return this.#control(frame, id, isNotification);
    const route = this.#config.routes.get(method);
    if (route === undefined) {
      if (isNotification) return undefined;
      return errorFrame(id, ErrorCode.MethodNotFound, `Method not found: ${shorten(method)}`);
    }
    if (id !== null && (this.#calls?.has(id) || this.#subscriptions?.has(id))) {
      const message = `Request id ${shorten(String(id))} is already in use`;
      return errorFrame(id, ErrorCode.InvalidRequest, message);
    }
    if (this.#draining) {
      if (isNotification) return undefined;
      return errorFrame(id, ErrorCode.Unavailable, "The server is shutting down; reconnect");
    }
    if (route.endpoint.kind === "subscription") {
      if (isNotification) return undefined;
      return this.#subscribe(route, frame, id, starters);
    }
    const { maxCallsInFlight } = this.#limits;
    if (this.#running >= maxCallsInFlight) {
      if (isNotification) return undefined;
      const message = `Too many calls in flight: at most ${maxCallsInFlight}`;
      return errorFrame(id, ErrorCode.TooManyRequests, message);
    }
    const scope = new CallScope();
    this.#running++;
    const reply = this.#invoker.call(route, frame, scope, id);
    if (!(reply instanceof Promise)) {
      // It finished before anything else could happen: nothing to cancel or track.
      this.#finishCall(undefined);
      return isNotification ? undefined : reply;
    }
    // Calls without an id (notifications, and `id: null`) can't be cancelled.
    const key = id ?? undefined;
    if (key !== undefined) (this.#calls ??= new Map()).set(key, scope);
    const settled = reply.then((frame) => {
      this.#finishCall(key);
      // A cancelled call's reply is dropped: the client has stopped waiting.
      return scope.cancelled ? undefined : frame;
    });
    // A notification runs on its own (it never rejects); a batch doesn't wait for it.
    return isNotification ? undefined : settled;
  }

  #finishCall(key: string | number | undefined): void {
    if (key !== undefined) this.#calls?.delete(key);
    if (--this.#running === 0) this.#idle?.();
  }

  /** The `rpc.` methods: unsubscribe, cancel and ping. */
  #control(frame: RequestFrame, id: RequestId, isNotification: boolean): Reply {
    let result: unknown;
    switch (frame.method) {
      case Method.Unsubscribe: {
        const target = targetOf(frame.params, "subscription");
        const subscription = target === undefined ? undefined : this.#subscriptions?.get(target);
        subscription?.stop("Unsubscribed");
        result = subscription !== undefined;
        break;
      }
      case Method.Cancel: {
        const target = targetOf(frame.params, "id");
        const scope = target === undefined ? undefined : this.#calls?.get(target);
        scope?.cancel(new RpcError(ErrorCode.Cancelled, "The client cancelled the call"));
        result = scope !== undefined;
        break;
      }
      case Method.Ping:
        result = "pong";
        break;
      case Method.Connect:
        // Params count only as the first frame; a later one changes nothing.
        if (isNotification) return undefined;
        return errorFrame(
          id,
          ErrorCode.InvalidRequest,
          "rpc.connect is only read as the first frame; this one changed nothing",
        );
      default:
        if (isNotification) return undefined;
        return errorFrame(
          id,
          ErrorCode.MethodNotFound,
          `Method not found: ${shorten(frame.method)}`,
        );
    }
    return isNotification ? undefined : successFrame(id, result);
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
    const { maxSubscriptions } = this.#limits;
    const subscriptions = this.#subscriptions ??= new Map();
    if (subscriptions.size >= maxSubscriptions) {
      const message = `Too many subscriptions: at most ${maxSubscriptions}`;
      return errorFrame(id, ErrorCode.TooManyRequests, message);
    }
    const subscription = new LiveSubscription(id, route, this);
    subscriptions.set(id, subscription);
    return this.#invoker.open(route, frame, subscription).then(
      (iterable) => {
        const start = () => subscription.start(iterable);
        if (starters) starters.push(start);
        else queueMicrotask(start);
        return successFrame(id, { subscription: id });
      },
      (error) => {
        this.ended(subscription);
        return this.#invoker.failure(route, id, error);
      },
    );
  }

  /** Sends a reply; one that can't be written as JSON becomes an internal error. */
  #reply(frame: ResponseFrame | ResponseFrame[]): void {
    this.#outlet.send(safeStringify(frame));
  }
}

/** Reads the id a control method is about: `{ [key]: id }` or `[id]`. */
function targetOf(params: unknown, key: string): string | number | undefined {
  const target = Array.isArray(params) ? params[0] : isRecord(params) ? params[key] : undefined;
  return typeof target === "string" || typeof target === "number" ? target : undefined;
}

/**
 * JSON text of a reply. Frames are built from JSON-safe parts, so this only
 * fails on a bug; then the client still gets an answer instead of nothing.
 */
function safeStringify(frame: ResponseFrame | ResponseFrame[]): string {
  try {
    return !Array.isArray(frame) && "result" in frame ? successText(frame) : JSON.stringify(frame);
  } catch {
    const id = Array.isArray(frame) ? null : frame.id;
    return JSON.stringify(errorFrame(id, ErrorCode.InternalError, "Internal error"));
  }
}
