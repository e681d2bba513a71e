/**
 * The instance a client is on dies (SIGKILL) mid-stream: the client moves to
 * the next instance of its list and resumes there, with every event once and
 * no gap, while a publisher carries on through the other instance.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { ConnectionState } from "../../client/mod.ts";
import { needsRedis, RedisServer } from "../_redis.ts";
import { sleep } from "../_wait.ts";
import {
  assertExactly,
  feedClient,
  Follower,
  publishLanes,
  range,
  settle,
  warmUp,
} from "./_feed.ts";
import { Instance } from "./_instances.ts";
import { FaultProxy } from "../resilience/_proxy.ts";

const EVENTS = 200;
const KILL_AFTER = 30;
const KEY = "failover";

Deno.test(needsRedis({
  name: "a client whose instance is SIGKILLed fails over to the next and misses nothing",
  async fn() {
    await using redis = await RedisServer.start({ appendOnly: false });
    // B reaches Redis over a slow link (5 ms each way), so that events go on
    // arriving live while B reads the history for the client that moved to it:
    // the replay and the live events overlap, and must not be heard twice.
    await using slowLink = await FaultProxy.start(`127.0.0.1:${redis.port}`);
    await slowLink.delay(5);
    await using a = await Instance.start({ redis: redis.url });
    await using b = await Instance.start({ redis: `redis://127.0.0.1:${slowLink.port}` });
    const client = feedClient([a.url, b.url]);
    const publisher = feedClient(b.url);
    const states: ConnectionState[] = [];
    client.connection.onStateChange((state) => states.push(state));
    try {
      const follower = new Follower(client, KEY);
      await warmUp(publisher, KEY, [follower]);
      assert.equal((await publisher.stats()).subscribers, 0, "the subscriber is on A, not B");

      // Four publishers at once through B, each every 10 ms; A dies in the middle.
      let heardAtKill = -1;
      const killing = (async () => {
        const deadline = Date.now() + 10_000;
        while (follower.seqs.length < KILL_AFTER && Date.now() < deadline) await sleep(5);
        heardAtKill = follower.seqs.length;
        await a.kill();
      })();
      const published = await publishLanes(publisher, KEY, range(EVENTS), { lanes: 4, pause: 10 });
      await killing;
      await settle([follower], EVENTS);

      assert.ok(heardAtKill < EVENTS - 20, "A was killed mid-stream");
      assertExactly(follower, published.order(), "the subscriber");
      assert.equal((await publisher.stats()).subscribers, 1, "the subscriber is on B now");
      assert.deepEqual(states.slice(-2), ["reconnecting", "open"]);
      assert.ok(a.exited);
    } finally {
      client.close();
      publisher.close();
    }
    await b.stop();
  },
}));
