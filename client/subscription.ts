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
import { unrefTimer } from "../shared/unref.ts";

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
 * How long a reader may stay more than `maxBuffered` events behind. A loop
 * that reads as fast as it can still falls behind in a burst: the socket
 * hands over an event in fewer microtasks than a `for await` step takes.
 */
const LAG_GRACE_MS = 1000;
/** How far behind a reader may fall at any moment, in units of `maxBuffered`. */
const HARD_BOUND = 10;

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

/**
 * Ends a subscription when `signal` fires, as if the server had completed it.
 *
 * @param open Opens the subscription.
 * @param signal Ends it; one that already fired ends it as soon as it opens.
 * @returns What opens it, with the signal attached.
 */
export function endOnAbort(
  open: OpenSubscription,
  signal: AbortSignal | undefined,
): OpenSubscription {
  if (signal === undefined) return open;
  return (sink) => {
    const stop = open(sink);
    const end = () => {
      signal.removeEventListener("abort", onAbort);
      stop();
    };
    const onAbort = () => {
      end();
      sink.complete();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    return end;
  };
}

type State = "idle" | "open" | "ended";

/** A gap waiting in the buffer among the events. */
class GapMark {
  readonly gap: SubscriptionGap;
  constructor(gap: SubscriptionGap) {
    this.gap = gap;
  }
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

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
  /** Events not yet read, and gaps in order with them. */
  readonly #buffer: BoundedQueue<T | GapMark>;
  /** The error it ended with: a reader gets it after the events that waited. */
  #failure: RpcError | undefined;
  /** Wakes a `for await` reader waiting for the next event or the end. */
  #wake: (() => void) | undefined;
  #isStarted = false;
  readonly #started: PromiseWithResolvers<void> = withResolvers();
  /** `maxBuffered`: past it, the reader has `LAG_GRACE_MS` to catch up. */
  readonly #maxBuffered: number;
  #lagTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param open Opens the subscription on the server.
   * @param options Hears gaps (when read with `for await`) and starts, and bounds the buffer.
   */
  constructor(open: OpenSubscription, options: StreamOptions = {}) {
    this.#open = open;
    this.#options = options;
    this.#maxBuffered = bufferCapacity(options);
    this.#buffer = new BoundedQueue(this.#maxBuffered * HARD_BOUND);
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
    // First what came before it: the start, the events and gaps, the end.
    if (this.#isStarted) observer.onStarted?.();
    while (this.#buffer.length > 0 && !this.#unsubscribed) {
      const item = this.#buffer.shift();
      if (!(item instanceof GapMark)) observer.onData?.(item as T);
      else if (!this.#heard(item.gap, observer.onGap)) {
        this.#buffer.clear(); // what came after the gap goes too
        observer.onError?.(this.#failure!);
        return this;
      }
    }
    if (this.#state === "ended" && !this.#unsubscribed) {
      if (this.#failure) observer.onError?.(this.#failure);
      else observer.onComplete?.();
    }
    // Then what comes: from here on, straight to the observer.
    this.listen();
    return this;
  }

  unsubscribe(): void {
    this.#unsubscribed = true; // also stops handing buffered events to an observer
    if (this.#state === "ended") return;
    // What was buffered is still read; then the loop ends.
    if (this.#end(undefined)) this.#stop?.();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    this.#consume("iterate");
    this.listen();
    return {
      next: async (): Promise<IteratorResult<T>> => {
        while (true) {
          if (this.#buffer.length > 0) {
            const item = this.#buffer.shift();
            if (!(item instanceof GapMark)) return { value: item as T, done: false };
            if (!this.#heard(item.gap, undefined)) {
              this.#buffer.clear(); // what came after the gap goes too
              throw this.#failure;
            }
          } else if (this.#state === "ended") {
            if (this.#failure) throw this.#failure;
            return DONE;
          } else await new Promise<void>((resolve) => this.#wake = resolve);
        }
      },
      return: (): Promise<IteratorResult<T>> => {
        this.unsubscribe();
        this.#buffer.clear();
        return Promise.resolve(DONE);
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
    const live = () => this.#state === "open";
    this.#stop = this.#open({
      data: (event) => {
        if (!live()) return;
        if (this.#observer) this.#observer.onData?.(event as T);
        else this.#hold(event as T);
      },
      error: (error) => {
        if (!live()) return;
        this.#end(error);
        this.#observer?.onError?.(error);
      },
      complete: () => {
        if (!live()) return;
        this.#end(undefined);
        this.#observer?.onComplete?.();
      },
      gap: (gap) => {
        if (!live()) return;
        const observer = this.#observer;
        // Unread yet, or read by a loop that hears gaps: in order with the events.
        if (!this.#consumed || (!observer && this.#options.onGap)) this.#hold(new GapMark(gap));
        else if (!this.#heard(gap, observer?.onGap)) observer?.onError?.(this.#failure!);
      },
      started: () => {
        if (!live()) return;
        this.#isStarted = true;
        this.#started.resolve();
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

  /**
   * Ends the stream, with the error a reader gets after the events that
   * waited, if any; a subscription that ends before it started rejects
   * `started`.
   *
   * @returns Whether it was open on the server.
   */
  #end(error: RpcError | undefined): boolean {
    const open = this.#state === "open";
    this.#state = "ended";
    clearTimeout(this.#lagTimer);
    if (error) this.#failure = error;
    this.#wake?.();
    this.#started.reject(
      error ?? new RpcError(ErrorCode.Cancelled, "The subscription ended before it started"),
    );
    return open;
  }

  /** Ends the subscription here and on the server with `error`. */
  #fail(error: RpcError): void {
    if (this.#end(error)) this.#stop?.();
  }

  /**
   * Hands a gap to `onGap`, or the subscription option's. With no one to hear
   * it, the subscription ends with `EventsMissed`.
   *
   * @returns Whether it was heard.
   */
  #heard(gap: SubscriptionGap, onGap: ((gap: SubscriptionGap) => void) | undefined): boolean {
    const listener = onGap ?? this.#options.onGap;
    if (listener) {
      listener(gap);
      return true;
    }
    this.#fail(
      new RpcError(
        ErrorCode.EventsMissed,
        `The subscription missed events (${gap.reason}) and has no onGap to hear it`,
        { data: gap },
      ),
    );
    return false;
  }

  /**
   * Buffers an event or a gap until it is read. A reader more than
   * `maxBuffered` behind for `LAG_GRACE_MS`, or ten times as far at any
   * moment, ends the subscription: it reads what waited, then the error.
   */
  #hold(item: T | GapMark): void {
    const buffer = this.#buffer;
    if (!buffer.push(item)) {
      return this.#fallenBehind(
        `fell ${buffer.capacity} events behind (${HARD_BOUND} × maxBuffered)`,
      );
    }
    this.#wake?.();
    if (buffer.length > this.#maxBuffered && this.#lagTimer === undefined) {
      this.#lagTimer = setTimeout(() => {
        this.#lagTimer = undefined;
        if (this.#state !== "open" || this.#buffer.length <= this.#maxBuffered) return;
        this.#fallenBehind(
          `stayed more than ${this.#maxBuffered} events behind (maxBuffered) for ${LAG_GRACE_MS} ms`,
        );
      }, LAG_GRACE_MS);
      // A reader that never comes back must not keep the process alive.
      unrefTimer(this.#lagTimer);
    }
  }

  #fallenBehind(how: string): void {
    this.#fail(
      new RpcError(
        ErrorCode.EventsMissed,
        `The subscription's reader ${how}; it ended rather than drop events`,
        { data: { maxBuffered: this.#maxBuffered } },
      ),
    );
  }
}
