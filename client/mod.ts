/**
 * The wsrpc client: a typed proxy of a contract over one WebSocket, for Deno
 * and browsers. It reconnects by itself, resumes subscriptions, and times out
 * and cancels calls.
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

export { createClient } from "./client.ts";
export type { CallOptions, ClientOptions, SubscribeOptions, SubscriptionGap } from "./options.ts";
export type { ReconnectOptions } from "./backoff.ts";
export type { ClientSubscription, Observer, Unsubscribable } from "./subscription.ts";
export type {
  ClientWebSocket,
  ConnectionState,
  EventHandler,
  HeartbeatOptions,
  WebSocketConstructor,
} from "./transport.ts";
export type { ServerUrl } from "./server_url.ts";
export type {
  Client,
  ClientConnection,
  ClientControls,
  ProcedureCall,
  RouterClient,
  SubscriptionCall,
} from "./types.ts";
export { CloseCode } from "../shared/close_codes.ts";
export { ErrorCode, RpcError } from "../shared/errors.ts";
