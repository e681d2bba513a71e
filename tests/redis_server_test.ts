/**
 * The test helper `RedisServer` against a real `redis-server`: it answers,
 * counts commands, keeps acknowledged writes over a restart and a kill, and
 * cleans up after itself.
 *
 * @module
 */

import assert from "node:assert/strict";
import { needsRedis, RedisServer } from "./_redis.ts";

Deno.test(needsRedis({
  name: "a test's Redis stores and returns a value, on its own port and URL",
  async fn() {
    await using redis = await RedisServer.start();
    assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
    assert.equal(await redis.command("SET", "greeting", "hello"), "OK");
    assert.equal(await redis.command("GET", "greeting"), "hello");
    assert.equal(await redis.command("GET", "nothing"), null);
    assert.equal(await redis.command("DEL", "greeting", "nothing"), 1);
  },
}));

Deno.test(needsRedis({
  name: "a test sees how often each Redis command ran, from the last reset on",
  async fn() {
    await using redis = await RedisServer.start();
    await redis.command("XADD", "events", "*", "n", "1");
    await redis.command("XADD", "events", "*", "n", "2");
    await redis.command("XRANGE", "events", "-", "+");
    const counts = await redis.commandCounts();
    assert.equal(counts.get("xadd"), 2);
    assert.equal(counts.get("xrange"), 1);

    await redis.resetStats();
    assert.equal(await redis.command("XLEN", "events"), 2);
    assert.equal(await redis.command("XTRIM", "events", "MAXLEN", "1"), 1);
    // Exactly what ran since the reset: the helper's clients send nothing of their own.
    assert.deepEqual(
      await redis.commandCounts(),
      new Map([["config|resetstat", 1], ["xlen", 1], ["xtrim", 1]]),
    );
  },
}));

Deno.test(needsRedis({
  name: "an acknowledged write survives a restart and a kill, on the same port",
  async fn() {
    await using redis = await RedisServer.start();
    const port = redis.port;
    await redis.command("XADD", "events", "*", "n", "1");
    await redis.restart({ downFor: 50 });
    assert.equal(redis.port, port);
    assert.equal(await redis.command("XLEN", "events"), 1);

    await redis.command("XADD", "events", "*", "n", "2");
    await redis.kill();
    await assert.rejects(redis.command("XLEN", "events"));
    await redis.restart();
    assert.equal(await redis.command("XLEN", "events"), 2);
  },
}));

Deno.test(needsRedis({
  name: "without the append-only file, a restart starts Redis empty",
  async fn() {
    await using redis = await RedisServer.start({ appendOnly: false });
    await redis.command("SET", "greeting", "hello");
    await redis.restart();
    assert.equal(await redis.command("GET", "greeting"), null);
  },
}));

Deno.test(needsRedis({
  name: "a stopped Redis no longer answers, and disposing of it afterwards is fine",
  async fn() {
    const redis = await RedisServer.start();
    await redis.command("SET", "greeting", "hello");
    await redis.stop();
    await assert.rejects(redis.command("PING"));
    await redis[Symbol.asyncDispose]();
  },
}));
