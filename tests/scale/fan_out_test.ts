/**
 * Several server processes on one Redis: an event published through one
 * instance reaches the subscribers of every other instance exactly once, in
 * order; and only instances with subscribers listen to the key in Redis.
 *
 * @module
 */

import assert from "node:assert/strict";
import { needsRedis, RedisServer } from "../_redis.ts";
import { sleep } from "../_wait.ts";
import {
  assertExactly,
  type FeedClient,
  feedClient,
  Follower,
  publishLanes,
  range,
  settle,
  warmUp,
} from "./_feed.ts";
import { Instances } from "./_instances.ts";

const EVENTS = 200;
const KEY = "fan-out";
const CHANNEL = `wsrpc:{feed:${KEY}}`;

for (const count of [2, 3]) {
  Deno.test(needsRedis({
    name: `a publish on one of ${count} instances reaches the others' subscribers once, in order`,
    async fn() {
      await using redis = await RedisServer.start({ appendOnly: false });
      await using instances = await Instances.start(count, { redis: redis.url });
      const [publishing, ...others] = instances.list;
      const clients: FeedClient[] = [];
      try {
        // Two clients on every instance but the publishing one.
        const followers = others.flatMap((instance) =>
          [0, 1].map(() => {
            const client = feedClient(instance.url);
            clients.push(client);
            return new Follower(client, KEY);
          })
        );
        const publisher = feedClient(publishing!.url);
        clients.push(publisher);
        await warmUp(publisher, KEY, followers);

        // Four publishers at once, through A: Redis orders them.
        const published = await publishLanes(publisher, KEY, range(EVENTS), { lanes: 4, pause: 0 });
        await settle(followers, EVENTS);

        const order = published.order();
        followers.forEach((follower, i) => assertExactly(follower, order, `subscriber ${i}`));

        // Each instance with subscribers listens once; the publishing one not at all.
        assert.deepEqual(await redis.command("PUBSUB", "NUMSUB", CHANNEL), [CHANNEL, count - 1]);
        for (const follower of followers) follower.unsubscribe();
        let numsub = -1;
        const deadline = Date.now() + 5_000;
        while (numsub !== 0 && Date.now() < deadline) {
          numsub = ((await redis.command("PUBSUB", "NUMSUB", CHANNEL)) as [string, number])[1];
          if (numsub !== 0) await sleep(20);
        }
        assert.equal(numsub, 0, "an instance kept listening with no subscriber left");
      } finally {
        for (const client of clients) client.close();
      }
      await instances.stop();
    },
  }));
}
