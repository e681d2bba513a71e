/**
 * The chat example's contract: imported by the server, which implements it,
 * and by the browser app, which calls it.
 *
 * @module
 */

import * as z from "zod";
import { procedure, router, subscription } from "@wsrpc/core";

/** A room's name: also its topic key. */
const Room = z.string().min(1).max(64);

/** One chat message, as published to its room and pushed to every subscriber. */
export const Message = z.object({
  kind: z.literal("message"),
  /** The room it was sent to. */
  room: Room,
  /** What was said; surrounding spaces are trimmed. */
  text: z.string().trim().min(1).max(500),
  /** Who said it, if they gave a name. */
  author: z.string().trim().min(1).max(40).optional(),
  /** When the server received it. A `Date`, carried by superjson. */
  at: z.date(),
});

/** One chat message, as a client receives it. */
export type Message = z.infer<typeof Message>;

/**
 * An admin cleared the room. A topic keeps its history (nothing is deleted),
 * so this marker is published to the room like a message: a page drops what
 * it shows when it gets one, and a page that joins later shows only what came
 * after the newest one in the replayed history.
 */
export const Cleared = z.object({
  kind: z.literal("cleared"),
  /** The room that was cleared. */
  room: Room,
  /** When it was cleared. */
  at: z.date(),
});

/** A clear marker, as a client receives it. */
export type Cleared = z.infer<typeof Cleared>;

/** What a room's subscribers get: messages, and the marks of an admin's clears. */
export const RoomEvent = z.discriminatedUnion("kind", [Message, Cleared]);

/** What a room's subscribers get, as a client receives it. */
export type RoomEvent = z.infer<typeof RoomEvent>;

/** One beat of the server's clock, pushed by the `ticks` subscription. */
export const Tick = z.object({
  /** Counts from 1 for each subscriber. */
  n: z.number().int().positive(),
  /** The server's time. A `Date`, carried by superjson. */
  at: z.date(),
});

/** One beat of the server's clock, as a client receives it. */
export type Tick = z.infer<typeof Tick>;

/** The chat example's API. */
export const api = router({
  hello: procedure({
    input: z.string().max(100),
    output: z.string(),
    description: "Greets the caller with what they said.",
  }),
  ticks: subscription({
    output: Tick,
    description: "Pushes the server's time at once, then at a steady interval.",
  }),
  chat: router({
    send: procedure({
      input: Message.omit({ kind: true, at: true }),
      output: Message,
      description: "Publishes a message to a room, on every instance, and returns it.",
    }),
    messages: subscription({
      input: z.object({ room: Room }),
      output: RoomEvent,
      description: "Replays a room's recent events (the last 50), then pushes each new one. " +
        "Resumes exactly after a reconnect, on any instance; a gap means events were missed.",
    }),
    clear: procedure({
      input: z.object({ room: Room }),
      output: z.number().int().nonnegative(),
      description: "Admins only: publishes a `cleared` marker to the room, after which pages " +
        "show only newer messages; returns how many messages it hid.",
    }),
  }),
});

/** The type of the chat example's API, for a client made from the type alone. */
export type ChatApi = typeof api;
