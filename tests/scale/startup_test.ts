/**
 * A server that has just made its topics, on a Redis that is up, can publish
 * at once: its engine's first connection may not be made yet, but Redis is
 * not unreachable, and refusing the event as if it were would be wrong.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createTopics } from "../../server/mod.ts";
import { redisEngine } from "../../server/redis/mod.ts";
import { needsRedis, RedisServer } from "../_redis.ts";

Deno.test(needsRedis({
  name: "a publish right after the topics are made is not refused as if Redis were down",
  async fn() {
    await using redis = await RedisServer.start({ appendOnly: false });
    const topics = createTopics({ engine: redisEngine({ url: redis.url }) });
    try {
      const feed = topics.topic<{ seq: number }>("feed");
      assert.match(await feed.publish("early", { seq: 0 }), /^[0-9a-z]+:1$/);
    } finally {
      await topics.close();
    }
  },
}));
