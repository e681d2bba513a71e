/**
 * The history is trimmed below a client's position while its link is down:
 * when it resumes, it is told (a gap with the reason `trimmed` and the
 * newest position), then live events carry on. Never a silent hole.
 *
 * @module
 */

import assert from "node:assert/strict";
import { needsRedis, RedisServer } from "../_redis.ts";
import { FaultProxy } from "../resilience/_proxy.ts";
import { sleep, waitFor } from "../_wait.ts";
import { feedClient, Follower, range, settle, warmUp } from "./_feed.ts";
import { Instance } from "./_instances.ts";

const KEY = "trimmed";
const STREAM = `wsrpc:{feed:${KEY}}:s`;

Deno.test(needsRedis({
  name: "a client whose history was trimmed while it was away hears a gap, then live events",
  async fn() {
    await using redis = await RedisServer.start({ appendOnly: false });
    await using instance = await Instance.start({ redis: redis.url });
    await using proxy = await FaultProxy.start(`127.0.0.1:${instance.port}`);
    const client = feedClient(proxy.url("/"));
    const publisher = feedClient(instance.url);
    const subscribers = async () => (await publisher.stats()).subscribers;
    try {
      const follower = new Follower(client, KEY);
      await warmUp(publisher, KEY, [follower]);
      for (const seq of range(10)) await publisher.feed.publish({ key: KEY, seq });
      await settle([follower], 10);

      // Cut the link, and hold the client's reconnection at the proxy.
      await proxy.freeze();
      await proxy.cut();
      await waitForAsync(async () => (await subscribers()) === 0, "the server to drop it");

      // Events it misses, then gone from the history.
      const missed: string[] = [];
      for (const seq of range(10, 20)) missed.push(await publisher.feed.publish({ key: KEY, seq }));
      assert.ok(Number(await redis.command("XTRIM", STREAM, "MAXLEN", "0")) >= 20);
      assert.equal(await redis.command("XLEN", STREAM), 0);

      await proxy.thaw();
      await waitFor(() => follower.gaps.length > 0, "the gap", 10_000);
      for (const seq of range(20, 30)) await publisher.feed.publish({ key: KEY, seq });
      await settle([follower], 20);

      assert.equal(follower.error, undefined);
      assert.deepEqual(follower.gaps, [{ reason: "trimmed", position: missed.at(-1) }]);
      const indexOf = (seq: number) =>
        follower.heard.findIndex((entry) => "seq" in entry && entry.seq === seq);
      const gapAt = follower.heard.findIndex((entry) => "gap" in entry);
      assert.ok(indexOf(9) < gapAt && gapAt < indexOf(20), "the gap comes between 9 and 20");
      assert.deepEqual(follower.seqs, [...range(10), ...range(20, 30)]);
      assert.equal(await subscribers(), 1, "subscribed again");
      assert.ok((await proxy.stats()).accepted >= 2, "the client reconnected through the proxy");
    } finally {
      client.close();
      publisher.close();
    }
    await instance.stop();
  },
}));

/** Polls an asynchronous condition every 20 ms, for up to 5 s. */
async function waitForAsync(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}
