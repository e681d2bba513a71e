/**
 * The wsrpc client: a typed proxy of a contract over one WebSocket, for Deno
 * and browsers.
 *
 * @example Call a server
 * ```ts ignore
 * import { createClient } from "@wsrpc/core/client";
 * import type { api } from "./api.ts";
 *
 * const client = createClient<typeof api>({ url: "ws://localhost:8000/rpc" });
 * const reply: string = await client.hello("world");
 * ```
 *
 * @module
 */

export { type ClientOptions, createClient } from "./client.ts";
export type { ClientSubscription, Observer, Unsubscribable } from "./subscription.ts";
export type { WebSocketConstructor } from "./transport.ts";
export type {
  Client,
  ClientControls,
  ProcedureCall,
  RouterClient,
  SubscriptionCall,
} from "./types.ts";
export { ErrorCode, RpcError } from "../shared/errors.ts";
