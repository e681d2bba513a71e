/**
 * The client side of a subscription: an async iterable that can also be
 * consumed with callbacks.
 *
 * @module
 */

import { BoundedQueue } from "../shared/bounded_queue.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import type { SubscribeOptions, SubscriptionGap } from "./options.ts";

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
 *   onData: (text) => list.push(text),
 *   onError: (error) => console.error(`Lost the room: ${error.message}`),
 *   onComplete: () => console.log("The room was closed"),
 * };
 * const watch = (room: string) => client.messages(room).subscribe(observer);
 * client.close();
 * ```
 */
export interface Observer<T> {
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
}

/** Opens the subscription on the server; returns a function that ends it. */
export type OpenSubscription = (sink: SubscriptionSink) => () => void;

type State = "idle" | "open" | "ended";

/** A gap waiting in the buffer among the events. */
class GapMark {
  readonly gap: SubscriptionGap;
  constructor(gap: SubscriptionGap) {
    this.gap = gap;
  }
}

/** How many events wait for a `for await` reader, unless `maxBuffered` says otherwise. */
export const DEFAULT_MAX_BUFFERED = 10_000;

/** What a stream reads from the subscribe options. */
export type StreamOptions = Pick<SubscribeOptions, "onGap" | "maxBuffered">;

/**
 * A subscription that opens on first use and buffers events until they are
 * read, up to `maxBuffered`: a reader that falls further behind ends the
 * subscription with an error after the events it has, rather than lose any
 * of the rest.
 */
export class Stream<T> implements ClientSubscription<T> {
  readonly #open: OpenSubscription;
  readonly #onGap: ((gap: SubscriptionGap) => void) | undefined;
  #state: State = "idle";
  #stop: (() => void) | undefined;
  #observer: Observer<T> | undefined;
  /** Events not yet read, and gaps in order with them. */
  readonly #buffer: BoundedQueue<T | GapMark>;

  /**
   * @param open Opens the subscription on the server.
   * @param options Hears gaps when read with `for await`, and bounds the buffer.
   */
  constructor(open: OpenSubscription, options: StreamOptions = {}) {
    this.#open = open;
    this.#onGap = options.onGap;
    const capacity = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
    if (!(capacity > 0)) throw new RangeError(`maxBuffered must be above 0, not ${capacity}`);
    this.#buffer = new BoundedQueue({ capacity });
  }

  subscribe(observer: Observer<T>): Unsubscribable {
    if (this.#state === "idle") this.#observer = observer;
    this.#start("subscribe");
    return this;
  }

  unsubscribe(): void {
    if (this.#state !== "open") {
      this.#state = "ended";
      return;
    }
    this.#state = "ended";
    this.#stop?.();
    // What was buffered is still read; then the loop ends.
    this.#buffer.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    this.#start("iterate");
    return {
      next: async (): Promise<IteratorResult<T>> => {
        while (true) {
          const step = await this.#buffer.next();
          if (step.done) return step;
          if (!(step.value instanceof GapMark)) return { value: step.value, done: false };
          this.#onGap?.(step.value.gap); // `#gap` made sure there is one
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

  #start(how: string): void {
    if (this.#state !== "idle") {
      throw new TypeError(`A subscription can be consumed once; it can't ${how} again`);
    }
    this.#state = "open";
    this.#stop = this.#open({
      data: (event) => {
        if (this.#state !== "open") return;
        if (this.#observer) this.#observer.onData?.(event as T);
        else this.#hold(event as T);
      },
      error: (error) => {
        if (this.#state !== "open") return;
        this.#state = "ended";
        if (this.#observer) this.#observer.onError?.(error);
        else this.#buffer.fail(error);
      },
      complete: () => {
        if (this.#state !== "open") return;
        this.#state = "ended";
        if (this.#observer) this.#observer.onComplete?.();
        else this.#buffer.close();
      },
      gap: (gap) => this.#gap(gap),
    });
  }

  /** Buffers an event or a gap for the `for await` reader; past the bound, ends the subscription. */
  #hold(item: T | GapMark): void {
    if (this.#buffer.push(item)) return;
    this.#end(
      new RpcError(
        ErrorCode.EventsMissed,
        `The subscription's reader fell ${this.#buffer.capacity} events behind (maxBuffered); ` +
          "it ended rather than drop events",
        { data: { maxBuffered: this.#buffer.capacity } },
      ),
    );
  }

  /** Ends the subscription on the server and tells the reader why. */
  #end(error: RpcError): void {
    this.#stop?.();
    this.#state = "ended";
    if (this.#observer) this.#observer.onError?.(error);
    else this.#buffer.fail(error);
  }

  /** Hands a gap on in order with the events; with no one to hear it, ends the subscription. */
  #gap(gap: SubscriptionGap): void {
    if (this.#state !== "open") return;
    const listener = this.#observer ? (this.#observer.onGap ?? this.#onGap) : this.#onGap;
    if (listener === undefined) {
      this.#end(
        new RpcError(
          ErrorCode.EventsMissed,
          `The subscription missed events (${gap.reason}) and has no onGap to hear it`,
          { data: gap },
        ),
      );
      return;
    }
    if (this.#observer) listener(gap);
    else this.#hold(new GapMark(gap));
  }
}
