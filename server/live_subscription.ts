/**
 * A running subscription on the server: pulls events from the handler's
 * async iterator and sends them, until it ends or is stopped.
 *
 * @module
 */

import { ErrorCode, RpcError } from "../shared/errors.ts";
import { validate } from "../shared/validate.ts";
import { Method } from "../shared/wire.ts";
import type { Codec } from "../shared/codec.ts";
import type { Outlet } from "./outlet.ts";
import { eventText, notificationText, subscriptionErrorText } from "./frames.ts";
import type { Route } from "./routes.ts";
import { Checkpoint, Gap } from "./stream_marks.ts";
import { Cursor, type DirectSink } from "./topics/cursor.ts";
import { TopicEvent } from "./topics/topic_event.ts";
import { Tracked } from "./tracked.ts";

/** What a subscription needs from its connection. */
export interface SubscriptionHost {
  /** Turns payloads into JSON. */
  readonly codec: Codec;
  /** Whether events are checked against the output schema. */
  readonly validateOutput: boolean;
  /**
   * Where events go: the subscription sends on it, and asks it whether the
   * client has fallen behind, itself rather than through the connection.
   */
  readonly outlet: Outlet;
  /** Reports an error and returns it as an `RpcError`. */
  report(route: Route, thrown: unknown): RpcError;
  /** Called once the subscription has ended, however it ended. */
  ended(subscription: LiveSubscription): void;
}

/**
 * One subscription of one connection. When its handler returned a topic's
 * subscriber itself, live events go straight from the topic to the socket
 * ({@linkcode DirectSink}); everything else is pulled from the handler's
 * iterator.
 */
export class LiveSubscription implements DirectSink {
  /** The id of the request that opened it. */
  readonly id: string | number;
  readonly #route: Route;
  readonly #host: SubscriptionHost;
  readonly #outlet: Outlet;
  readonly #controller = new AbortController();
  /**
   * Whether the signal has fired. Read for every event sent straight from a
   * topic, where going through the signal's getters cost more.
   */
  #stopped = false;
  #iterator: AsyncIterator<unknown> | undefined;

  /**
   * @param id The subscription's id.
   * @param route The endpoint.
   * @param host The connection.
   */
  constructor(id: string | number, route: Route, host: SubscriptionHost) {
    this.id = id;
    this.#route = route;
    this.#host = host;
    this.#outlet = host.outlet;
  }

  /** Fires when the subscription is stopped: unsubscribe, disconnect or shutdown. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Starts pulling events from the handler's iterable. */
  start(iterable: AsyncIterable<unknown>): void {
    if (this.signal.aborted) {
      this.#host.ended(this);
      return;
    }
    this.#iterator = iterable[Symbol.asyncIterator]();
    if (this.#iterator instanceof Cursor) this.#iterator.deliverTo(this);
    void this.#pump(this.#iterator);
  }

  /** @internal Sends a topic's live event now, unless the client is behind or it must be checked later. */
  deliver(event: TopicEvent<unknown>): boolean {
    if (this.#stopped || this.#outlet.congested) return false;
    let text: string | undefined;
    try {
      text = this.#topicFrame(event);
    } catch {
      return false; // the pump reads it and reports the failure
    }
    if (text === undefined) return false;
    this.#outlet.send(text);
    return true;
  }

  /** A topic event's frame for this subscription, checked and encoded once for every subscriber. */
  #topicFrame(event: TopicEvent<unknown>): string | undefined {
    const host = this.#host;
    return event.frame(
      this.id,
      host.codec,
      host.validateOutput ? this.#route.endpoint.output : undefined,
    );
  }

  /**
   * Stops the subscription without telling the client: its signal fires and
   * the generator is ended so that its `finally` runs.
   */
  stop(reason: string): void {
    if (this.#stopped) return;
    this.#abort(reason);
    // Ends a generator parked at `yield`; one busy in an `await` ends when it
    // next yields, or sooner if it listens to its signal.
    void this.#iterator?.return?.()?.catch?.(() => {});
    if (this.#iterator === undefined) this.#host.ended(this);
  }

  /** Fires the signal, once. */
  #abort(reason: string): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#controller.abort(new RpcError(ErrorCode.Cancelled, reason));
  }

  async #pump(iterator: AsyncIterator<unknown>): Promise<void> {
    const { signal } = this;
    const host = this.#host;
    const outlet = this.#outlet;
    const subscription = this.id;
    try {
      while (true) {
        // Backpressure: while the client is behind, the next event is not
        // even made, so a fast generator can't fill the server's memory.
        if (outlet.congested) {
          await outlet.whenDrained(signal);
          if (signal.aborted) return;
        }
        const step = await iterator.next();
        if (signal.aborted) return;
        if (step.done) {
          outlet.send(notificationText(host.codec, Method.Complete, { subscription }));
          return;
        }
        let value = step.value;
        let eventId: string | undefined;
        if (value instanceof TopicEvent) {
          const text = this.#topicFrame(value);
          if (text !== undefined) {
            outlet.send(text);
            continue;
          }
        }
        if (value instanceof Gap) {
          outlet.send(notificationText(host.codec, Method.Gap, {
            subscription,
            id: value.position,
            reason: value.reason,
          }));
          continue;
        }
        if (value instanceof Checkpoint) {
          outlet.send(
            notificationText(host.codec, Method.Position, { subscription, id: value.position }),
          );
          continue;
        }
        if (value instanceof Tracked) {
          eventId = value.id;
          value = value.value;
        }
        let data = host.validateOutput
          ? validate(this.#route.endpoint.output, value, ErrorCode.InternalError)
          : value;
        // Most schemas are synchronous: don't spend a microtask on them.
        if (data instanceof Promise) {
          data = await data;
          if (signal.aborted) return;
        }
        outlet.send(eventText(host.codec, subscription, eventId, data));
      }
    } catch (thrown) {
      if (signal.aborted) return;
      const error = host.report(this.#route, thrown);
      // A generator that threw is finished, but not one whose output failed
      // validation: end it so its `finally` runs.
      void iterator.return?.()?.catch?.(() => {});
      outlet.send(subscriptionErrorText(host.codec, subscription, error));
    } finally {
      this.#abort("The subscription ended");
      host.ended(this);
    }
  }
}
