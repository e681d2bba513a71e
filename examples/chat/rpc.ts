/**
 * The chat example's handlers: the server side of the contract in
 * `shared/api.ts`.
 *
 * @module
 */

import { createHandler, type RpcHandler } from "@wsrpc/core/server";
import { api, type Message, type Tick } from "./shared/api.ts";
import type { ChatHub } from "./hub.ts";

/** The options of {@linkcode createChatRpc}. */
export interface ChatRpcOptions {
  /** Where messages are stored and fanned out. */
  hub: ChatHub;
  /** Milliseconds between two ticks of the `ticks` subscription. */
  tickInterval: number;
}

/**
 * Serves the chat contract.
 *
 * @param options The hub and the tick interval.
 * @returns The WebSocket handler, to mount at `/rpc`.
 */
export function createChatRpc({ hub, tickInterval }: ChatRpcOptions): RpcHandler {
  return createHandler(api, {
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
      },
    },
  });
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
