/**
 * Redis goes away mid-stream and comes back with its append-only file:
 * publishers get a clear `Unavailable` while it is away (each publish waits
 * for it `connectWait` at most), every acknowledged event reaches the
 * subscriber once and in order, events flow again afterwards, and no
 * instance crashes or hangs.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../../client/mod.ts";
import { needsRedis, RedisServer } from "../_redis.ts";
import { sleep } from "../_wait.ts";
import { assertSequence, type FeedClient, feedClient, Follower, range, warmUp } from "./_feed.ts";
import { Instances } from "./_instances.ts";

const KEY = "restart";
const BEFORE = 30;
const AFTER = 30;
const DOWN_FOR = 1_000;
const CONNECT_WAIT = 200;
const BURSTS = 8;

/** What became of one publish. */
type Outcome =
  & { seq: number; took: number }
  & ({ acked: true } | { acked: false; error: unknown });

/**
 * Publishes `seq` 0, 1, 2… every 10 ms until `enough` says so (or for 20 s
 * at most), recording what became of each.
 */
async function publishUntil(
  publisher: FeedClient,
  outcomes: Outcome[],
  enough: () => boolean,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (let seq = 0; !enough() && Date.now() < deadline; seq++) {
    const start = Date.now();
    try {
      await publisher.feed.publish({ key: KEY, seq });
      outcomes.push({ seq, took: Date.now() - start, acked: true });
    } catch (error) {
      outcomes.push({ seq, took: Date.now() - start, acked: false, error });
    }
    await sleep(10);
  }
}

/** Publishes to another key back to back until a publish fails; returns its error. */
async function publishUntilFailure(publisher: FeedClient): Promise<unknown> {
  const deadline = Date.now() + 20_000;
  for (let seq = 0; Date.now() < deadline; seq++) {
    try {
      await publisher.feed.publish({ key: `${KEY}-burst`, seq });
    } catch (error) {
      return error;
    }
  }
  return undefined;
}

for (const how of ["stopped", "killed"] as const) {
  Deno.test(needsRedis({
    name: `Redis ${how} and started again mid-stream: nothing acknowledged is lost`,
    async fn() {
      await using redis = await RedisServer.start({ appendOnly: true });
      await using instances = await Instances.start(2, {
        redis: redis.url,
        pingInterval: 500,
        pingTimeout: 500,
        connectWait: CONNECT_WAIT,
      });
      const subscriber = feedClient(instances.at(0).url);
      const publisher = feedClient(instances.at(1).url);
      const burster = feedClient(instances.at(1).url);
      try {
        const follower = new Follower(subscriber, KEY);
        await warmUp(publisher, KEY, [follower]);

        const outcomes: Outcome[] = [];
        let restarted = -1; // outcomes before the restart ended
        const publishing = publishUntil(publisher, outcomes, () =>
          restarted >= 0 &&
          outcomes.slice(restarted).filter((outcome) => outcome.acked).length >= AFTER);
        while (outcomes.filter((outcome) => outcome.acked).length < BEFORE) await sleep(10);
        // Publishes in flight when Redis goes: to another key, back to back, each
        // loop until its first failure.
        const bursts = range(BURSTS).map(() => publishUntilFailure(burster));
        await sleep(20);
        if (how === "killed") await redis.kill();
        await redis.restart({ downFor: DOWN_FOR });
        restarted = outcomes.length;
        await publishing;
        const burstErrors = await Promise.all(bursts);
        const ackedAfter = outcomes.slice(restarted).filter((outcome) => outcome.acked).length;
        assert.ok(ackedAfter >= AFTER, `only ${ackedAfter} publishes succeeded after the restart`);

        // While Redis was away, publishes failed after waiting a bounded time, saying why.
        const failed = outcomes.flatMap((outcome) => outcome.acked ? [] : [outcome]);
        assert.ok(
          failed.length >= 2,
          `only ${failed.length} publishes failed while Redis was down`,
        );
        const errors = [...failed.map((outcome) => outcome.error), ...burstErrors];
        for (const error of errors) {
          assert.ok(error instanceof RpcError, `not an RpcError: ${error}`);
          assert.equal(error.code, ErrorCode.Unavailable, error.message);
        }
        const slowest = Math.max(...failed.map((outcome) => outcome.took));
        assert.ok(slowest < CONNECT_WAIT + 500, `a failed publish took ${slowest} ms`);

        // Every acknowledged event arrives, once, in order. So may one whose fate was
        // unknown ("may not have been published"), but never one that was refused.
        const acked = new Set(outcomes.flatMap((outcome) => outcome.acked ? [outcome.seq] : []));
        const unknown = new Set(
          failed.flatMap(({ seq, error }) =>
            error instanceof RpcError && /may not have been/.test(error.message) ? [seq] : []
          ),
        );
        const deadline = Date.now() + 10_000;
        while ([...acked].some((seq) => !follower.seqs.includes(seq)) && Date.now() < deadline) {
          await sleep(20);
        }
        await sleep(200);
        const heard = follower.seqs;
        assertSequence(heard, [...new Set(heard)].sort((x, y) => x - y), "the subscriber");
        for (const seq of acked) assert.ok(heard.includes(seq), `acknowledged event ${seq} lost`);
        for (const seq of heard) {
          assert.ok(acked.has(seq) || unknown.has(seq), `refused event ${seq} arrived`);
        }
        assert.deepEqual(follower.gaps, [], "the append-only file kept the stream: no gap");
        assert.equal(follower.error, undefined);

        // Both instances still answer, and stop cleanly when asked.
        assert.ok(instances.list.every((instance) => !instance.exited), "an instance crashed");
        assert.equal((await subscriber.stats()).subscribers, 1);
        assert.equal((await publisher.stats()).subscribers, 0);

        // Each error names Redis, also for a publish that was in flight when it went.
        const unclear = new Set(
          errors.flatMap((error) =>
            error instanceof Error && !/Redis/.test(error.message) ? [error.message] : []
          ),
        );
        assert.deepEqual([...unclear], [], "publish errors that do not name Redis");
      } finally {
        subscriber.close();
        publisher.close();
        burster.close();
      }
      await instances.stop();
    },
  }));
}
