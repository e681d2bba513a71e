/**
 * A topic's event as subscribers receive it: decoded once per process, and
 * checked and encoded once for all the subscribers that share a schema.
 *
 * @module
 */

import type { Codec } from "../../shared/codec.ts";
import { ErrorCode } from "../../shared/errors.ts";
import type { AnySchema } from "../../shared/standard_schema.ts";
import { validate } from "../../shared/validate.ts";
import { Tracked } from "../tracked.ts";

/**
 * One event of a topic, with its position as its id: yield it from a
 * subscription handler (topics' `subscribe` does) and the client can resume
 * after it. Every subscriber in a process gets the same object, so its
 * `rpc.data` frame is checked and encoded once, not once per subscriber.
 *
 * @example
 * ```ts
 * import { createTopics, TopicEvent } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * const topics = createTopics();
 * const news = topics.topic<string>("news");
 * const events = news.subscribe("world", { replay: 1 });
 * await news.publish("world", "hello");
 * for await (const event of events) {
 *   if (!(event instanceof TopicEvent)) continue; // the starting checkpoint
 *   assert.equal(event.value, "hello");
 *   assert.match(event.id, /:1$/);
 *   break;
 * }
 * await topics.close();
 * ```
 */
export class TopicEvent<T> extends Tracked<T> {
  #codec: Codec | undefined;
  #schema: AnySchema | undefined;
  #params: string | undefined;
  #meta: string | undefined;
  /** The last frame made, and for which subscription id (with the cached codec and schema). */
  #lastSubscription: string | number | undefined;
  #lastFrame: string | undefined;

  /** Prepares the `params` of this event's `rpc.data` frame, after the subscription id. */
  #prepare(
    codec: Codec,
    schema: AnySchema | undefined,
  ): { params: string; meta: string } | undefined {
    if (this.#params !== undefined && this.#codec === codec && this.#schema === schema) {
      return { params: this.#params, meta: this.#meta! };
    }
    let data: unknown = this.value;
    if (schema !== undefined) {
      const checked = validate(schema, data, ErrorCode.InternalError);
      if (checked instanceof Promise) {
        checked.catch(() => {}); // checked again the slow way by the caller
        return undefined;
      }
      data = checked;
    }
    const { json, meta } = codec.encode({ id: this.id, data });
    const params = JSON.stringify(json).slice(1); // `"id":…,"data":…}`, spliced after the subscription
    const metaText = meta === undefined ? "" : `,"meta":${JSON.stringify(meta)}`;
    if (this.#params === undefined) {
      this.#codec = codec;
      this.#schema = schema;
      this.#params = params;
      this.#meta = metaText;
    }
    return { params, meta: metaText };
  }

  /**
   * The `rpc.data` frame of this event for one subscription.
   *
   * @param subscription The subscription's id.
   * @param codec The server's codec.
   * @param schema The output schema to check the event against, if any.
   * @returns The frame's text, or `undefined` when the schema is asynchronous.
   * @throws {RpcError} `InternalError` when the event fails the schema.
   */
  frame(
    subscription: string | number,
    codec: Codec,
    schema: AnySchema | undefined,
  ): string | undefined {
    const prepared = this.#prepare(codec, schema);
    if (prepared === undefined) return undefined;
    // Clients number their requests alike, so most subscribers of a key have
    // the same subscription id: their frame is made once, not once each.
    if (
      subscription === this.#lastSubscription && this.#codec === codec && this.#schema === schema
    ) {
      return this.#lastFrame;
    }
    const { params, meta } = prepared;
    const frame = `{"jsonrpc":"2.0","method":"rpc.data","params":{"subscription":${
      JSON.stringify(subscription)
    },${params}${meta}}`;
    if (this.#codec === codec && this.#schema === schema) {
      this.#lastSubscription = subscription;
      this.#lastFrame = frame;
    }
    return frame;
  }
}
