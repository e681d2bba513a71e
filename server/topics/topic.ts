/**
 * A topic: events published to a key (a room, a user id) reach every
 * subscriber of that key, on every server instance that shares the engine.
 *
 * @module
 */

import { type Codec, superjsonCodec } from "../../shared/codec.ts";
import { ErrorCode, RpcError } from "../../shared/errors.ts";
import type { Schema } from "../../shared/standard_schema.ts";
import { validate } from "../../shared/validate.ts";
import { Cursor, type TopicYield } from "./cursor.ts";
import type { HistoryLimits } from "./engine.ts";
import type { TopicHub } from "./hub.ts";
import { formatPosition } from "./position.ts";

/** How much history a topic keeps, and how far its subscribers may fall behind. */
export interface TopicOptions<T> {
  /** Checks each event before it is published (a wrong one throws `InternalError`). */
  schema?: Schema<T, unknown> | undefined;
  /** The most events kept per key (1,000 by default). */
  maxLength?: number | undefined;
  /** Milliseconds an event is kept for (no age limit by default). */
  maxAge?: number | undefined;
  /**
   * The most events a resuming subscriber is sent to catch up (`maxLength` by
   * default). One that missed more gets a gap with the reason `limit`.
   */
  maxReplay?: number | undefined;
  /**
   * The most live events held for one subscriber that is not reading them
   * (1,000 by default). Past it they are let go and it reads them from the
   * history when it catches up, or gets a gap if the history no longer has them.
   */
  maxLag?: number | undefined;
  /** Encodes events for the engine (superjson by default, so Dates and Maps survive). */
  codec?: Codec | undefined;
}

/** Where a subscriber starts. */
export interface TopicSubscribeOptions {
  /**
   * The client's last position (the handler's `lastEventId`): the subscriber
   * gets exactly the events after it, then the live ones; or a gap first,
   * when they can't all be had.
   */
  lastEventId?: string | undefined;
  /** Ends the subscriber (pass the handler's `signal`). */
  signal?: AbortSignal | undefined;
  /**
   * How many recent events a subscriber without `lastEventId` starts with (0 by
   * default: only new events). A chat room's history on page load, say.
   */
  replay?: number | undefined;
}

const NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const MAX_KEY_LENGTH = 1_024;

/**
 * A topic of events of type `T`. Get one from {@linkcode Topics.topic}.
 *
 * @example A chat room on a topic
 * ```ts
 * import * as z from "zod";
 * import { router, subscription } from "@wsrpc/core";
 * import { createHandler, createTopics } from "@wsrpc/core/server";
 *
 * const Message = z.object({ text: z.string(), at: z.date() });
 * const api = router({ messages: subscription({ input: z.string(), output: Message }) });
 * const topics = createTopics();
 * const messages = topics.topic("messages", { schema: Message });
 * createHandler(api, {
 *   handlers: {
 *     // The subscriber itself: live events go straight from the topic to each socket.
 *     messages: ({ input: room, lastEventId, signal }) =>
 *       messages.subscribe(room, { lastEventId, signal, replay: 20 }),
 *   },
 * });
 * await messages.publish("general", { text: "hi", at: new Date() });
 * await topics.close();
 * ```
 */
export class Topic<T> {
  /** The topic's name, the first part of each stream's name. */
  readonly name: string;
  readonly #hub: TopicHub;
  readonly #schema: Schema<T, unknown> | undefined;
  readonly #codec: Codec;
  readonly #limits: HistoryLimits;
  readonly #maxReplay: number;
  readonly #maxLag: number;
  readonly #decode = (payload: string): unknown => {
    const [json, meta] = JSON.parse(payload) as [unknown, Record<string, unknown>?];
    return meta === undefined ? json : this.#codec.decode(json, meta);
  };

  /**
   * Declares a topic on a hub; use {@linkcode Topics.topic} instead.
   *
   * @internal
   * @param hub The process's topic hub.
   * @param name The topic's name: letters, digits, `_`, `.` and `-`.
   * @param options Limits and the schema.
   */
  constructor(hub: TopicHub, name: string, options: TopicOptions<T> = {}) {
    if (!NAME.test(name)) {
      throw new TypeError(`A topic name is 1 to 100 letters, digits, "_", "." or "-": ${name}`);
    }
    this.name = name;
    this.#hub = hub;
    this.#schema = options.schema;
    this.#codec = options.codec ?? superjsonCodec;
    const maxLength = positive(options.maxLength ?? 1_000, "maxLength");
    this.#limits = { maxLength, maxAge: positive(options.maxAge ?? Infinity, "maxAge") };
    this.#maxReplay = positive(options.maxReplay ?? maxLength, "maxReplay");
    this.#maxLag = positive(options.maxLag ?? 1_000, "maxLag");
  }

  /**
   * Publishes an event to every subscriber of a key, on every instance.
   *
   * @param key The key: a room, a user id.
   * @param event The event.
   * @returns The event's position.
   * @throws {RpcError} `Unavailable` when the engine could not store it (Redis
   *   unreachable, say): it was not published, or may not have been.
   */
  async publish(key: string, event: T): Promise<string> {
    let value: unknown = event;
    if (this.#schema !== undefined) {
      value = await validate(this.#schema, value, ErrorCode.InternalError);
    }
    const { json, meta } = this.#codec.encode(value);
    const payload = JSON.stringify(meta === undefined ? [json] : [json, meta]);
    const position = await this.#hub.engine.publish(this.#stream(key), payload, this.#limits);
    return formatPosition(position);
  }

  /**
   * Subscribes to a key. Return it from a subscription handler, and live
   * events go straight from the topic to the socket:
   * `({ input, lastEventId, signal }) => topic.subscribe(input, { lastEventId, signal })`;
   * or `yield*` it from an `async function*` that adds events of its own. It yields the
   * events (each with its position as id), a {@linkcode Gap} when events were
   * missed, and a {@linkcode Checkpoint} to tell a new subscriber where it
   * stands.
   *
   * @param key The key.
   * @param options Where to start, and the signal that ends it.
   * @returns The subscriber, an async iterable.
   * @throws {RpcError} `InvalidParams`, when iterated, for a `lastEventId` that is not a position.
   */
  subscribe(
    key: string,
    options: TopicSubscribeOptions = {},
  ): AsyncIterableIterator<TopicYield<T>> {
    return new Cursor<T>({
      hub: this.#hub,
      stream: this.#stream(key),
      decode: this.#decode,
      limits: this.#limits,
      maxReplay: this.#maxReplay,
      maxLag: this.#maxLag,
      lastEventId: options.lastEventId,
      replay: Math.max(0, Math.min(options.replay ?? 0, this.#maxReplay)),
      signal: options.signal,
    });
  }

  #stream(key: string): string {
    if (typeof key !== "string" || key.length > MAX_KEY_LENGTH) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `A topic key is a string of at most ${MAX_KEY_LENGTH} characters`,
      );
    }
    return `${this.name}:${key}`;
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0)) throw new RangeError(`${name} must be above 0, not ${value}`);
  return value;
}
