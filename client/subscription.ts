/**
 * The client side of a subscription: an async iterable that can also be
 * consumed with callbacks.
 *
 * @module
 */

import { BoundedQueue } from "../shared/bounded_queue.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import type { SubscribeOptions, SubscriptionGap } from "./options.ts";
import { withResolvers } from "../shared/resolvers.ts";

/**
 * Callbacks for {@linkcode ClientSubscription.subscribe}.
 *
 * @example Show a room's messages in a list
 * ```ts
 * import * as z from "zod";
 * import { router, subscription } from "@wsrpc/core";
 * import { createClient, type Observer } from "@wsrpc/core/client";
 *
 * const api = router({ messages: subscription({ input: z.string(), output: z.string() }) });
 * const client = createClient(api, { url: "ws://localhost:8000/rpc" });
 * const list: string[] = [];
 * const observer: Observer<string> = {
 *   onStarted: () => console.log("Live: new messages will show"), // again after a reconnect
 *   onData: (text) => list.push(text),
 *   onError: (error) => console.error(`Lost the room: ${error.message}`),
 *   onComplete: () => console.log("The room was closed"),
 * };
 * const watch = (room: string) => client.messages(room).subscribe(observer);
 * client.close();
 * ```
 */
export interface Observer<T> {
  /**
   * Called when the server has acknowledged the subscription: it accepted the
   * input and started the handler, so a handler that listens before its first
   * `await` hears what is published from now on. Called before the first
   * event, and again after each reconnect, once the resubscription is
   * acknowledged. An observer that comes after the start hears it at once.
   */
  onStarted?: () => void;
  /** Receives each event. */
  onData?: (event: T) => void;
  /** Receives the error that ended the subscription. */
  onError?: (error: RpcError) => void;
  /** Called when the server ends the subscription normally. */
  onComplete?: () => void;
  /**
   * Hears that events were missed, in order with the events. Without it (or
   * the subscribe option `onGap`), a gap ends the subscription with `EventsMissed`.
   */
  onGap?: (gap: SubscriptionGap) => void;
}

/**
 * A handle that ends what it was returned for.
 *
 * @example Leave every room at once
 * ```ts
 * import * as z from "zod";
 * import { router, subscription } from "@wsrpc/core";
 * import { createClient, type Unsubscribable } from "@wsrpc/core/client";
 *
 * const api = router({ messages: subscription({ input: z.string(), output: z.string() }) });
 * const client = createClient(api, { url: "ws://localhost:8000/rpc" });
 * const open: Unsubscribable[] = [];
 * const join = (room: string) => open.push(client.messages(room).subscribe({ onData: alert }));
 * const leaveAll = () => open.splice(0).forEach((handle) => handle.unsubscribe());
 * const unread: Unsubscribable = client.messages("general"); // a subscription is one too
 * unread.unsubscribe(); // never read, so nothing was sent
 * client.close();
 * ```
 */
export interface Unsubscribable {
  /** Ends the subscription on the server. Safe to call more than once. */
  unsubscribe(): void;
}

/**
 * A stream of events from the server. Consume it once: with `for await`
 * (a `break` ends it on the server) or with {@linkcode subscribe}.
 *
 * @example Wait for the first event that matches
 * ```ts
 * import * as z from "zod";
 * import { router, subscription } from "@wsrpc/core";
 * import { type ClientSubscription, createClient } from "@wsrpc/core/client";
 *
 * async function first<T>(events: ClientSubscription<T>, test: (event: T) => boolean) {
 *   for await (const event of events) if (test(event)) return event; // ends it on the server
 * }
 * const api = router({ jobs: subscription({ input: z.string(), output: z.string() }) });
 * const client = createClient(api, { url: "ws://localhost:8000/rpc" });
 * const status: ClientSubscription<string> = client.jobs("job-42");
 * const done = () => first(status, (state) => state === "done");
 * client.close();
 * ```
 */
export interface ClientSubscription<T> extends AsyncIterable<T>, Unsubscribable {
  /**
   * Consumes the events with callbacks.
   *
   * @param observer The callbacks.
   * @returns A handle to end the subscription.
   */
  subscribe(observer: Observer<T>): Unsubscribable;
  /**
   * Resolves when the server first acknowledges the subscription (it accepted
   * the input and started the handler, so a handler that listens before its
   * first `await` hears what is published from now on), before the first
   * event is delivered. Rejects if the subscription ends before that:
   * with the server's error (input refused, method not found, ...), or with
   * `Cancelled` when it is unsubscribed first. Asking for `started` opens the
   * subscription if it is not open yet; its events wait until they are read.
   * A rejection nobody awaits is not reported as unhandled. After a
   * reconnect, the subscribe option or observer `onStarted` hears each new
   * start.
   *
   * @example Publish only once the listener is in place
   * ```ts
   * import * as z from "zod";
   * import { procedure, router, subscription } from "@wsrpc/core";
   * import { createHandler } from "@wsrpc/core/server";
   * import { createClient } from "@wsrpc/core/client";
   * import assert from "node:assert/strict";
   *
   * const api = router({
   *   send: procedure({ input: z.string(), output: z.null() }),
   *   messages: subscription({ output: z.string() }),
   * });
   * const listeners = new Set<(text: string) => void>();
   * const rpc = createHandler(api, {
   *   handlers: {
   *     send: ({ input }) => (listeners.forEach((listener) => listener(input)), null),
   *     messages: async function* ({ signal }) {
   *       const queue: string[] = [];
   *       let wake = () => {};
   *       const listener = (text: string) => (queue.push(text), wake());
   *       listeners.add(listener);
   *       try {
   *         while (!signal.aborted) {
   *           if (queue.length > 0) yield queue.shift()!;
   *           else await new Promise<void>((resolve) => wake = resolve);
   *         }
   *       } finally {
   *         listeners.delete(listener);
   *       }
   *     },
   *   },
   * });
   * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, rpc);
   * const client = createClient(api, { url: `ws://127.0.0.1:${server.addr.port}/rpc` });
   *
   * const messages = client.messages();
   * await messages.started; // opens it; the server's listener is in place
   * await client.send("hello"); // so this is not missed
   * for await (const text of messages) {
   *   assert.equal(text, "hello");
   *   break; // ends it on the server
   * }
   * client.close();
   * await server.shutdown();
   * ```
   */
  readonly started: Promise<void>;
}

/** Where the request manager delivers a subscription's events. */
export interface SubscriptionSink {
  /** One event. */
  data(event: unknown): void;
  /** The subscription ended with an error. */
  error(error: RpcError): void;
  /** The subscription ended normally. */
  complete(): void;
  /** Events were missed. */
  gap(gap: SubscriptionGap): void;
  /** The server acknowledged the subscription (again, after each reconnect). */
  started(): void;
}

/** Opens the subscription on the server; returns a function that ends it. */
export type OpenSubscription = (sink: SubscriptionSink) => () => void;

/** What a stream reads from the subscribe options. */
export type StreamOptions = Pick<SubscribeOptions, "onGap" | "maxBuffered" | "onStarted">;

/** How many events wait for a `for await` reader, unless `maxBuffered` says otherwise. */
export const DEFAULT_MAX_BUFFERED = 10_000;

/**
 * The bound of a stream's buffer: `maxBuffered`, or the default.
 *
 * @param options The subscribe options.
 * @returns How many events and gaps may wait to be read.
 * @throws {RangeError} When `maxBuffered` is not above 0.
 */
export function bufferCapacity(options: StreamOptions | undefined): number {
  const capacity = options?.maxBuffered ?? DEFAULT_MAX_BUFFERED;
  if (!(capacity > 0)) throw new RangeError(`maxBuffered must be above 0, not ${capacity}`);
  return capacity;
}

type State = "idle" | "open" | "ended";

/** A gap waiting in the buffer among the events. */
class GapMark {
  readonly gap: SubscriptionGap;
  constructor(gap: SubscriptionGap) {
    this.gap = gap;
  }
}

/**
 * A subscription that opens on first use (or when {@linkcode Stream.listen}
 * is called) and buffers events until they are read, up to `maxBuffered`: a
 * reader that falls further behind (or comes that late to a subscription
 * opened before it read it) ends the subscription with an error after the
 * events it has, rather than lose any of the rest.
 */
export class Stream<T> implements ClientSubscription<T> {
  readonly #open: OpenSubscription;
  readonly #options: StreamOptions;
  #state: State = "idle";
  /** Iterated or subscribed: it can be consumed once. */
  #consumed = false;
  #unsubscribed = false;
  #stop: (() => void) | undefined;
  #observer: Observer<T> | undefined;
  /**
   * Events not yet read, and gaps in order with them; closed when the
   * subscription completes, failed when it ends with an error.
   */
  readonly #buffer: BoundedQueue<T | GapMark>;
  /** The error it ended with before anyone read it: an observer that comes later hears it. */
  #failure: RpcError | undefined;
  /** The server ended it before anyone read it: an observer that comes later hears it. */
  #completed = false;
  #isStarted = false;
  readonly #started: PromiseWithResolvers<void> = withResolvers();

  /**
   * @param open Opens the subscription on the server.
   * @param options Hears gaps (when read with `for await`) and starts, and bounds the buffer.
   */
  constructor(open: OpenSubscription, options: StreamOptions = {}) {
    this.#open = open;
    this.#options = options;
    this.#buffer = new BoundedQueue({ capacity: bufferCapacity(options) });
    // Nobody has to await `started`: its rejection is never unhandled.
    this.#started.promise.catch(() => {});
  }

  get started(): Promise<void> {
    this.listen();
    return this.#started.promise;
  }

  subscribe(observer: Observer<T>): Unsubscribable {
    this.#consume("subscribe");
    this.#observer = observer;
    this.listen();
    this.#flush(observer);
    return this;
  }

  unsubscribe(): void {
    this.#unsubscribed = true; // also stops handing buffered events to an observer
    if (this.#state === "ended") return;
    const open = this.#state === "open";
    this.#end(undefined);
    if (open) this.#stop?.();
    // What was buffered is still read; then the loop ends.
    this.#buffer.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    this.#consume("iterate");
    this.listen();
    return {
      next: async (): Promise<IteratorResult<T>> => {
        while (true) {
          const step = await this.#buffer.next();
          if (step.done) return step;
          if (!(step.value instanceof GapMark)) return { value: step.value, done: false };
          const onGap = this.#options.onGap;
          if (onGap === undefined) {
            // Buffered before anyone read it: what came after the gap goes too.
            this.#buffer.clear();
            throw this.#missed(step.value.gap);
          }
          onGap(step.value.gap);
        }
      },
      return: (): Promise<IteratorResult<T>> => {
        this.unsubscribe();
        this.#buffer.close();
        this.#buffer.clear();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  /**
   * Opens the subscription on the server without reading it: what arrives
   * waits for whoever reads it (up to `maxBuffered`). Does nothing once it is
   * open or ended.
   */
  listen(): void {
    if (this.#state !== "idle") return;
    this.#state = "open";
    this.#stop = this.#open({
      data: (event) => {
        if (this.#state !== "open") return;
        if (this.#observer) this.#observer.onData?.(event as T);
        else this.#hold(event as T);
      },
      error: (error) => {
        if (this.#state !== "open") return;
        this.#end(error);
        if (this.#observer) this.#observer.onError?.(error);
        else {
          this.#failure = error;
          this.#buffer.fail(error);
        }
      },
      complete: () => {
        if (this.#state !== "open") return;
        this.#end(undefined);
        if (this.#observer) this.#observer.onComplete?.();
        else {
          this.#completed = true;
          this.#buffer.close();
        }
      },
      gap: (gap) => this.#gap(gap),
      started: () => {
        if (this.#state !== "open") return;
        if (!this.#isStarted) {
          this.#isStarted = true;
          this.#started.resolve();
        }
        this.#options.onStarted?.();
        this.#observer?.onStarted?.();
      },
    });
  }

  #consume(how: string): void {
    if (this.#consumed) {
      throw new TypeError(`A subscription can be consumed once; it can't ${how} again`);
    }
    this.#consumed = true;
  }

  /** Hands an observer what came before it: the start, the events and gaps, the end. */
  #flush(observer: Observer<T>): void {
    if (this.#isStarted) observer.onStarted?.();
    while (this.#buffer.length > 0 && !this.#unsubscribed) {
      const next = this.#buffer.shift();
      if (!(next instanceof GapMark)) {
        observer.onData?.(next as T);
        continue;
      }
      const onGap = observer.onGap ?? this.#options.onGap;
      if (onGap === undefined) {
        this.#buffer.clear();
        observer.onError?.(this.#missed(next.gap));
        return;
      }
      onGap(next.gap);
    }
    if (this.#unsubscribed) return;
    if (this.#failure) observer.onError?.(this.#failure);
    else if (this.#completed) observer.onComplete?.();
  }

  /** Ends the stream; a subscription that ends before it started rejects `started`. */
  #end(error: RpcError | undefined): void {
    this.#state = "ended";
    if (this.#isStarted) return;
    this.#started.reject(
      error ?? new RpcError(ErrorCode.Cancelled, "The subscription ended before it started"),
    );
  }

  /**
   * Ends the subscription on the server with `error`, for a reader that gets
   * it after the events that waited.
   */
  #fail(error: RpcError): void {
    if (this.#state === "open") this.#stop?.();
    this.#end(error);
    this.#failure = error;
    this.#buffer.fail(error);
  }

  /** A gap no one hears: the subscription ends with `EventsMissed`. */
  #missed(gap: SubscriptionGap): RpcError {
    const error = new RpcError(
      ErrorCode.EventsMissed,
      `The subscription missed events (${gap.reason}) and has no onGap to hear it`,
      { data: gap },
    );
    this.#fail(error);
    return error;
  }

  /** Buffers an event or a gap until it is read; past the bound, ends the subscription. */
  #hold(item: T | GapMark): void {
    if (this.#buffer.push(item) || this.#buffer.closed) return;
    this.#fail(
      new RpcError(
        ErrorCode.EventsMissed,
        `The subscription's reader fell ${this.#buffer.capacity} events behind (maxBuffered); ` +
          "it ended rather than drop events",
        { data: { maxBuffered: this.#buffer.capacity } },
      ),
    );
  }

  /** Hands a gap on in order with the events; with no one to hear it, ends the subscription. */
  #gap(gap: SubscriptionGap): void {
    if (this.#state !== "open") return;
    if (!this.#consumed) {
      // Whoever reads it decides, with their own onGap.
      this.#hold(new GapMark(gap));
      return;
    }
    const listener = this.#observer
      ? (this.#observer.onGap ?? this.#options.onGap)
      : this.#options.onGap;
    if (listener === undefined) {
      const error = this.#missed(gap);
      this.#observer?.onError?.(error);
      return;
    }
    if (this.#observer) listener(gap);
    else this.#hold(new GapMark(gap));
  }
}
