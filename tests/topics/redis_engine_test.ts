/**
 * The topic engine contract, run on the Redis engine against a real
 * redis-server (skipped, and said to be, without one).
 *
 * @module
 */

import type { TopicEngine } from "../../server/mod.ts";
import { redisEngine } from "../../server/redis/mod.ts";
import { needsRedis, RedisServer } from "../_redis.ts";
import { engineContractSuite } from "./_engine_suite.ts";

/** Resolves once the engine answers a read: it is connected (again). */
async function ready(engine: TopicEngine): Promise<TopicEngine> {
  const deadline = Date.now() + 5_000;
  while (true) {
    try {
      await engine.read("ready:probe", undefined, 0);
      return engine;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

engineContractSuite("redis", {
  async make() {
    const redis = await RedisServer.start({ appendOnly: false });
    const options = { url: redis.url, log: () => {} };
    const engine = await ready(redisEngine(options));
    return {
      engine,
      async lose() {
        await redis.restart(); // without an append-only file: it comes back empty
        return await ready(engine);
      },
      makePeer: () => ready(redisEngine(options)),
      close: () => redis[Symbol.asyncDispose](),
    };
  },
  peers: true,
  wrap: needsRedis,
});
