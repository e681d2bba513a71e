/**
 * Topics on Redis: run several wsrpc server instances on one Redis, and every
 * subscriber of a topic key gets every event published on any instance, in
 * order, and resumes on whichever instance it reconnects to.
 *
 * @example Two instances, one Redis
 * ```ts ignore
 * import { createTopics } from "@wsrpc/core/server";
 * import { redisEngine } from "@wsrpc/core/redis";
 *
 * const topics = createTopics({ engine: redisEngine({ url: "redis://127.0.0.1:6379" }) });
 * export const messages = topics.topic<{ text: string }>("messages");
 * ```
 *
 * @module
 */

export { redisEngine, type RedisEngineOptions } from "./redis_engine.ts";
