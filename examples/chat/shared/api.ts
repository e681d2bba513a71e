/**
 * The chat example's contract: imported by the server, which implements it,
 * and by the browser app, which calls it.
 *
 * @module
 */

import * as z from "zod";
import { procedure, router, subscription } from "@wsrpc/core";

/** One chat message, as stored by the server and pushed to every subscriber. */
export const Message = z.object({
  /** The room it was sent to. */
  room: z.string().min(1).max(64),
  /** What was said; surrounding spaces are trimmed. */
  text: z.string().trim().min(1).max(500),
  /** Who said it, if they gave a name. */
  author: z.string().trim().min(1).max(40).optional(),
  /** When the server received it. A `Date`, carried by superjson. */
  at: z.date(),
});

/** One chat message, as a client receives it. */
export type Message = z.infer<typeof Message>;

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
      input: Message.omit({ at: true }),
      output: Message,
      description: "Posts a message to a room and returns it as stored.",
    }),
    messages: subscription({
      input: z.object({ room: z.string().min(1).max(64) }),
      output: Message,
      description: "Replays a room's recent messages, then pushes each new one.",
    }),
    clear: procedure({
      input: z.object({ room: z.string().min(1).max(64) }),
      output: z.number().int(),
      description: "Admins only: forgets a room's recent messages; returns how many.",
    }),
  }),
});

/** The type of the chat example's API, for a client made from the type alone. */
export type ChatApi = typeof api;
