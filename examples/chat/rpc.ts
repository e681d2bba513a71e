/**
 * The chat example's handlers: the server side of the contract in
 * `shared/api.ts`.
 *
 * @module
 */

import { ErrorCode, RpcError } from "@wsrpc/core";
import { createHandler, type Middleware, type RpcHandler, use } from "@wsrpc/core/server";
import { api, type Message, type Tick } from "./shared/api.ts";
import type { ChatHub } from "./hub.ts";

/** The options of {@linkcode createChatRpc}. */
export interface ChatRpcOptions {
  /** Where messages are stored and fanned out. */
  hub: ChatHub;
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
 * @param options The hub, the tick interval and the admin token.
 * @returns The WebSocket handler, to mount at `/rpc`.
 */
export function createChatRpc({ hub, tickInterval, adminToken }: ChatRpcOptions): RpcHandler {
  return createHandler(api)({
    // The role comes from a cookie, sent with the WebSocket handshake. The
    // default origin check keeps other sites' pages from using it.
    context: (request): ChatCtx => ({
      role: sameSecret(cookie(request, ADMIN_COOKIE), adminToken) ? "admin" : "member",
    }),
    handlers: {
      hello: ({ input }) => `Hello from the server! You said "${input}".`,
      ticks: async function* ({ signal }): AsyncGenerator<Tick> {
        for (let n = 1; !signal.aborted; n++) {
          yield { n, at: new Date() };
          await sleep(tickInterval, signal);
        }
      },
      chat: {
        send: ({ input }) => {
          const message: Message = { ...input, at: new Date() };
          hub.publish(message);
          return message;
        },
        messages: ({ input, signal }) => hub.listen(input.room, signal),
        clear: use(admins, ({ input }) => hub.clear(input.room)),
      },
    },
  });
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
