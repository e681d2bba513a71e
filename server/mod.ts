/**
 * The wsrpc server: serve a router contract over WebSocket from `Deno.serve`.
 *
 * @example Serve a contract beside the rest of an app
 * ```ts ignore
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler } from "@wsrpc/core/server";
 *
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const rpc = createHandler(api, { handlers: { hello: ({ input }) => `hello ${input}` } });
 * Deno.serve((request) =>
 *   new URL(request.url).pathname === "/rpc" ? rpc(request) : new Response("Hi")
 * );
 * ```
 *
 * @module
 */

export { createHandler } from "./handler.ts";
export type {
  ContextExtra,
  ErrorInfo,
  RpcHandler,
  ServerOptions,
  ShutdownOptions,
} from "./options.ts";
export type { ConnectionInfo, RemoteAddr } from "./socket.ts";
export { DEFAULT_LIMITS, type Limits } from "./limits.ts";
export type { OriginPolicy } from "./origin.ts";
export { Tracked, tracked } from "./tracked.ts";
export { Checkpoint, Gap, type GapReason } from "./stream_marks.ts";
export { createTopics, type Topics, type TopicsOptions } from "./topics/topics.ts";
export { Topic, type TopicOptions, type TopicSubscribeOptions } from "./topics/topic.ts";
export type { TopicYield } from "./topics/cursor.ts";
export { TopicEvent } from "./topics/topic_event.ts";
export { memoryEngine } from "./topics/memory_engine.ts";
export type {
  EngineReceiver,
  HistoryLimits,
  HistoryPage,
  StoredEvent,
  TopicEngine,
} from "./topics/engine.ts";
export { formatPosition, parsePosition, type Position } from "./topics/position.ts";
export { use } from "./middleware.ts";
export type {
  HandlerFor,
  HandlerOptions,
  Handlers,
  Middleware,
  MiddlewareOptions,
  ProcedureHandler,
  SubscriptionHandler,
} from "./types.ts";
