import assert from "node:assert/strict";
import { DEFAULT_LIMITS, type Limits, resolveLimits } from "./limits.ts";

Deno.test("the defaults are on without any option", () => {
  assert.deepEqual({ ...DEFAULT_LIMITS }, {
    maxMessageSize: 1_048_576,
    maxDepth: 64,
    maxBatchLength: 100,
    maxCallsInFlight: 100,
    maxSubscriptions: 100,
    messagesPerSecond: 200,
    burst: 1000,
    maxConnections: 10_000,
    maxConnectionsPerIp: 100,
    handshakeTimeout: 10_000,
    sendBufferHighWater: 1_048_576,
    sendBufferMax: 16_777_216,
    slowConsumerTimeout: 30_000,
  });
  assert.deepEqual(resolveLimits(), DEFAULT_LIMITS);
  assert.ok(Object.isFrozen(DEFAULT_LIMITS));
});

Deno.test("each limit set replaces its default; zero and Infinity are limits too", () => {
  const limits = resolveLimits({ maxBatchLength: 0, messagesPerSecond: Infinity });
  assert.equal(limits.maxBatchLength, 0);
  assert.equal(limits.messagesPerSecond, Infinity);
  assert.equal(limits.maxDepth, DEFAULT_LIMITS.maxDepth);
});

Deno.test("a limit that is not a number of zero or more is refused, by name", () => {
  for (const value of [-1, Number.NaN, "10"]) {
    assert.throws(() => resolveLimits({ burst: value } as unknown as Partial<Limits>), {
      name: "TypeError",
      message: 'The limit "burst" must be a number of zero or more',
    });
  }
});

Deno.test("options that are not limits are left out", () => {
  const limits = resolveLimits({ maxDepth: 8, colour: "blue" } as Partial<Limits>);
  assert.equal(limits.maxDepth, 8);
  assert.equal("colour" in limits, false);
});
