/**
 * The chat example's handlers: the server side of the contract in
 * `shared/api.ts`. Each room is a key of one topic, so a message published
 * on any instance reaches the room's subscribers on every instance.
 *
 * @module
 */

import { ErrorCode, RpcError } from "@wsrpc/core";
import {
  createHandler,
  type Middleware,
  parsePosition,
  type RpcHandler,
  type Topic,
  TopicEvent,
  type Topics,
  use,
} from "@wsrpc/core/server";
import { api, type Message, RoomEvent, type Tick } from "./shared/api.ts";

/** How many events a room keeps: what a reconnecting page can catch up on. */
const ROOM_HISTORY = 200;

/** How many recent events a page that joins a room starts with. */
const ROOM_REPLAY = 50;

/**
 * Declares the rooms' topic: one key per room, holding its messages and clear
 * markers.
 *
 * @param topics The topics of this process, on the memory engine or on Redis.
 * @returns The topic.
 */
export function roomsTopic(topics: Topics): Topic<RoomEvent> {
  return topics.topic("rooms", { schema: RoomEvent, maxLength: ROOM_HISTORY });
}

/**
 * Resolves once the topics' engine answers (Redis may take a moment after a
 * start): a new subscriber's first yield comes after it listened and read.
 *
 * @param rooms The rooms' topic.
 * @param timeout Milliseconds to wait.
 * @throws {Error} When the engine did not answer in time.
 */
export async function roomsReady(rooms: Topic<RoomEvent>, timeout: number): Promise<void> {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), timeout);
  try {
    // The room every page joins: the probe leaves nothing new behind.
    for await (const _ of rooms.subscribe("general", { signal: stop.signal })) return;
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`The rooms' topic engine did not answer within ${timeout} ms`);
}

/** The options of {@linkcode createChatRpc}. */
export interface ChatRpcOptions {
  /** The rooms' topic, from {@linkcode roomsTopic}. */
  rooms: Topic<RoomEvent>;
  /** Milliseconds between two ticks of the `ticks` subscription. */
  tickInterval: number;
  /** The secret of the admin cookie; whoever sends it may clear rooms. */
  adminToken: string;
}

/** The name of the cookie that makes a connection an admin's. */
export const ADMIN_COOKIE = "chat_admin";

/** Who is on the other end of a connection. */
export interface ChatCtx {
  /** Admins may clear rooms; members may chat. */
  role: "admin" | "member";
}

/** Lets only admins through: per-procedure authorization, with `use`. */
const admins: Middleware<ChatCtx> = ({ ctx, next }) => {
  if (ctx.role !== "admin") throw new RpcError(ErrorCode.Forbidden, "Admins only");
  return next(ctx);
};

/**
 * Serves the chat contract.
 *
 * @param options The rooms' topic, the tick interval and the admin token.
 * @returns The WebSocket handler, to mount at `/rpc`.
 */
export function createChatRpc({ rooms, tickInterval, adminToken }: ChatRpcOptions): RpcHandler {
  return createHandler(api)({
    // The role comes from a cookie, sent with the WebSocket handshake. The
    // default origin check keeps other sites' pages from using it.
    context: (request): ChatCtx => ({ role: isAdmin(request, adminToken) ? "admin" : "member" }),
    handlers: {
      hello: ({ input }) => `Hello from the server! You said "${input}".`,
      ticks: async function* ({ signal }): AsyncGenerator<Tick> {
        for (let n = 1; !signal.aborted; n++) {
          yield { n, at: new Date() };
          await sleep(tickInterval, signal);
        }
      },
      chat: {
        send: async ({ input }) => {
          const message: Message = { kind: "message", ...input, at: new Date() };
          await rooms.publish(input.room, message);
          return message;
        },
        // A new page gets the room's recent events; a page that reconnects
        // (to this instance or another) gets exactly what it missed.
        // The subscriber itself: live events go straight from the room to each socket.
        messages: ({ input, lastEventId, signal }) =>
          rooms.subscribe(input.room, { lastEventId, signal, replay: ROOM_REPLAY }),
        clear: use(admins, ({ input }) => clearRoom(rooms, input.room)),
      },
    },
  });
}

/**
 * Publishes a clear marker to a room, then counts the messages it hides: those
 * between the previous marker and this one, as far as the history goes.
 */
async function clearRoom(rooms: Topic<RoomEvent>, room: string): Promise<number> {
  const marker = parsePosition(
    await rooms.publish(room, { kind: "cleared", room, at: new Date() }),
  );
  if (marker === undefined) return 0;
  let hidden = 0;
  // The replay reaches the marker (or, if more events came since, starts past
  // it); the timer only guards against the history having been lost meanwhile.
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), 5_000);
  try {
    for await (
      const event of rooms.subscribe(room, { replay: ROOM_HISTORY, signal: stop.signal })
    ) {
      if (!(event instanceof TopicEvent)) break; // an empty history: nothing to count
      const position = parsePosition(event.id);
      if (position?.epoch !== marker.epoch || position.offset >= marker.offset) break;
      hidden = event.value.kind === "cleared" ? 0 : hidden + 1;
    }
  } finally {
    clearTimeout(timer);
  }
  return hidden;
}

/**
 * Whether a request carries the admin cookie: the WebSocket handshake (for
 * the role) and the page (which then says it is an admin's).
 *
 * @param request A request from the browser.
 * @param adminToken The admin secret.
 * @returns `true` when its admin cookie holds the secret.
 */
export function isAdmin(request: Request, adminToken: string): boolean {
  return sameSecret(cookie(request, ADMIN_COOKIE), adminToken);
}

/** A cookie of the request, if it has it. */
function cookie(request: Request, name: string): string | undefined {
  for (const pair of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...value] = pair.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

/** Compares a secret in time that does not depend on where the first difference is. */
function sameSecret(given: string | undefined, secret: string): boolean {
  if (given === undefined || given.length !== secret.length) return false;
  let difference = 0;
  for (let i = 0; i < secret.length; i++) difference |= given.charCodeAt(i) ^ secret.charCodeAt(i);
  return difference === 0;
}

/** Waits `ms` milliseconds, or less if `signal` aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}
