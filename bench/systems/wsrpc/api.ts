/**
 * The contract both wsrpc systems serve and call, made from one payload
 * schema: `{ a, s }` for wsrpc-json, `{ a, s, d: Date }` for wsrpc-rich (so
 * every call and event carries superjson meta).
 *
 * The fan-out subscription is a topic key (bench/systems/wsrpc/fanout.ts). A fresh
 * subscriber gets one marker event, {@linkcode READY_A} in `a`: the server
 * publishes it to the key at startup, and a fresh subscriber replays the
 * key's newest event (`replay: 1`) once it has joined the topic. When the
 * client sees it, every later publish reaches this subscriber. The driver awaits it and does
 * not count it (wsrpc's `{"subscription": id}` reply comes earlier, but the
 * client API is an async iterable and does not expose it). A subscriber that
 * resumes (`lastEventId`) gets no marker, only the events after its position.
 *
 * @module
 */

import * as z from "zod";
import {
  type AnySchema,
  type Procedure,
  procedure,
  type Router,
  router,
  type Subscription,
  subscription,
} from "@wsrpc/core";
import type { Payload } from "../../workloads/system_driver.ts";

/** wsrpc-json's payload: `{ a: i, s: "hello" }`. */
export const PlainPayload = z.object({ a: z.number(), s: z.string() });

/** wsrpc-rich's payload: `{ a: i, s: "hello", d: new Date(i) }`. */
export const RichPayload = PlainPayload.extend({ d: z.date() });

/** One rich payload. */
export type RichPayload = z.infer<typeof RichPayload>;

const EventsInput = z.object({ n: z.number().int().nonnegative() });
const PublishInput = z.object({ count: z.number().int().nonnegative() });

/** The `a` of the fan-out's first event, which says the subscriber has joined. */
export const READY_A = -1;

/** The benchmark's contract for a payload schema. */
export type BenchApi<P extends AnySchema> = Router<{
  /** Returns its input. */
  echo: Procedure<P, P>;
  /** Pushes payloads 0 … n-1, then completes. */
  events: Subscription<typeof EventsInput, P>;
  /** The fan-out topic: a {@linkcode READY_A} marker, then every publish. */
  fanout: Subscription<undefined, P>;
  /**
   * Publishes payloads 0 … count-1 to every fan-out subscriber; returns the
   * newest event's position.
   */
  publish: Procedure<typeof PublishInput, z.ZodString>;
}>;

function benchApi<P extends AnySchema>(payload: P): BenchApi<P> {
  return router({
    echo: procedure({ input: payload, output: payload }),
    events: subscription({ input: EventsInput, output: payload }),
    fanout: subscription({ output: payload }),
    publish: procedure({ input: PublishInput, output: z.string() }),
  });
}

/** wsrpc-json's contract. */
export const jsonApi: BenchApi<typeof PlainPayload> = benchApi(PlainPayload);

/** wsrpc-rich's contract. */
export const richApi: BenchApi<typeof RichPayload> = benchApi(RichPayload);

/** The i-th rich payload. */
export function richPayload(i: number): RichPayload {
  return { a: i, s: "hello", d: new Date(i) };
}

/** Whether an event is the fan-out's marker. */
export function isReady(event: Payload): boolean {
  return event.a === READY_A;
}
