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
import { dataFrameText } from "../frames.ts";
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
  /** The frame after the subscription id, for the first codec and schema asked for. */
  #tail: string | undefined;
  /** The last frame made from `#tail`, and for which subscription id. */
  #lastSubscription: string | number | undefined;
  #lastFrame: string | undefined;

  /**
   * The frame after the subscription id: `"id":…,"data":…}` and the meta,
   * checked and encoded once for the codec and schema it was first asked for.
   */
  #prepare(codec: Codec, schema: AnySchema | undefined): string | undefined {
    if (this.#tail !== undefined && this.#codec === codec && this.#schema === schema) {
      return this.#tail;
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
    // `"id":…,"data":…}`, spliced after the subscription, then the meta.
    const tail = JSON.stringify(json).slice(1) +
      (meta === undefined ? "" : `,"meta":${JSON.stringify(meta)}`);
    if (this.#tail === undefined) {
      this.#codec = codec;
      this.#schema = schema;
      this.#tail = tail;
    }
    return tail;
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
    // Clients number their requests alike, so most subscribers of a key have
    // the same subscription id: their frame is made once, not once each.
    // This check is all the work of a fan-out's every delivery but the
    // first, so it is kept apart from the rest, which runs once per event:
    // small, it is compiled into the delivery along with the socket's send.
    if (
      subscription === this.#lastSubscription && codec === this.#codec &&
      schema === this.#schema && this.#lastFrame !== undefined
    ) {
      return this.#lastFrame;
    }
    return this.#make(subscription, codec, schema);
  }

  /** The frame for a subscription id, codec or schema other than the last one's. */
  #make(
    subscription: string | number,
    codec: Codec,
    schema: AnySchema | undefined,
  ): string | undefined {
    const tail = this.#prepare(codec, schema);
    if (tail === undefined) return undefined;
    const cached = tail === this.#tail;
    const frame = dataFrameText(subscription, tail);
    if (cached) {
      this.#lastSubscription = subscription;
      this.#lastFrame = frame;
    }
    return frame;
  }
}
