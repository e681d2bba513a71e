/**
 * The limits, on every runtime: each answers as on Deno (the scenarios of
 * tests/limits_test.ts, against the conformance app in its own process).
 *
 * @module
 */

import assert from "node:assert/strict";
import { ErrorCode } from "../../mod.ts";
import { CloseCode } from "../../protocol.ts";
import { RawSocket } from "../_server.ts";
import { Opcode, TcpWebSocket } from "../_tcp.ts";
import { sleep } from "../_wait.ts";
import { AppServer, conformance } from "./_runtimes.ts";

const call = (id: number | string, method: string, params?: unknown) => ({
  jsonrpc: "2.0",
  id,
  method,
  ...(params === undefined ? {} : { params }),
});

conformance("a message over maxMessageSize closes with 1009 and a reason", async (runtime) => {
  await using server = await AppServer.start(runtime, { limits: { maxMessageSize: 1000 } });
  {
    await using socket = await RawSocket.open(server.url);
    const frame = JSON.stringify(call(1, "echo", ["x"]));
    const padded = frame.replace('"x"', `"${"x".repeat(1000 - frame.length + 1)}"`);
    const reply = await socket.request(padded) as { result: string };
    assert.equal(reply.result.length, 1000 - frame.length + 1);
  }
  const socket = await RawSocket.open(server.url);
  socket.send(JSON.stringify(call(1, "echo", ["é".repeat(500)])));
  const closed = await socket.closed;
  assert.equal(closed.code, CloseCode.MessageTooBig);
  assert.equal(closed.reason, "A message may be at most 1000 bytes");
});

conformance("the default message limit refuses a 10 MB frame", async (runtime) => {
  await using server = await AppServer.start(runtime);
  const socket = await RawSocket.open(server.url);
  socket.send(JSON.stringify(call(1, "echo", ["a".repeat(10 * 1024 * 1024)])));
  assert.equal((await socket.closed).code, CloseCode.MessageTooBig);
  await using other = await RawSocket.open(server.url);
  assert.deepEqual(await other.request(call(2, "echo", ["ok"])), {
    jsonrpc: "2.0",
    id: 2,
    result: "ok",
  });
});

conformance(
  "depth, batch length, calls in flight and subscriptions are bounded",
  async (runtime) => {
    await using server = await AppServer.start(runtime, {
      limits: { maxDepth: 8, maxBatchLength: 3, maxCallsInFlight: 2, maxSubscriptions: 2 },
    });
    await using socket = await RawSocket.open(server.url);
    const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
    assert.deepEqual(
      await socket.request(`{"jsonrpc":"2.0","id":2,"method":"echo","params":[${nested(7)}]}`),
      {
        jsonrpc: "2.0",
        id: null,
        error: { code: ErrorCode.InvalidRequest, message: "The frame nests deeper than 8 levels" },
      },
    );
    const three = [call(1, "echo", ["a"]), call(2, "echo", ["b"]), call(3, "echo", ["c"])];
    assert.deepEqual(
      await socket.request([...three, call(4, "echo", ["d"])]),
      [1, 2, 3, 4].map((id) => ({
        jsonrpc: "2.0",
        id,
        error: { code: ErrorCode.InvalidRequest, message: "A batch may hold at most 3 requests" },
      })),
    );

    socket.send(call(1, "wait", [1]));
    socket.send(call(2, "wait", [2]));
    assert.deepEqual(await socket.request(call(3, "wait", [3])), {
      jsonrpc: "2.0",
      id: 3,
      error: { code: ErrorCode.TooManyRequests, message: "Too many calls in flight: at most 2" },
    });
    {
      // Limits are per connection: another one releases the waiting calls.
      await using other = await RawSocket.open(server.url);
      assert.deepEqual(await other.request(call(1, "release")), {
        jsonrpc: "2.0",
        id: 1,
        result: 2,
      });
    }
    const done = [await socket.next(), await socket.next()] as Array<{ id: number }>;
    assert.deepEqual(done.map((reply) => reply.id).toSorted(), [1, 2]);

    for (const id of ["a", "b"]) {
      socket.send(call(id, "clock.forever"));
      assert.deepEqual(await nextReply(socket), {
        jsonrpc: "2.0",
        id,
        result: { subscription: id },
      });
    }
    socket.send(call("c", "clock.forever"));
    assert.deepEqual(await nextReply(socket), {
      jsonrpc: "2.0",
      id: "c",
      error: { code: ErrorCode.TooManyRequests, message: "Too many subscriptions: at most 2" },
    });
  },
);

conformance("the rate limit refuses with -32029, then closes with 4429", async (runtime) => {
  await using server = await AppServer.start(runtime, {
    limits: { messagesPerSecond: 10, burst: 5 },
  });
  const socket = await RawSocket.open(server.url);
  for (let id = 1; id <= 5; id++) {
    assert.deepEqual(await socket.request(call(id, "echo", [id])), {
      jsonrpc: "2.0",
      id,
      result: id,
    });
  }
  const refused = await socket.request(call(6, "echo", [6])) as {
    error: { code: number; data: { retryAfter: number } };
  };
  assert.equal(refused.error.code, ErrorCode.TooManyRequests);
  assert.ok(refused.error.data.retryAfter > 0);
  for (let i = 0; i < 20; i++) socket.send({ jsonrpc: "2.0", method: "echo", params: [i] });
  const closed = await socket.closed;
  assert.equal(closed.code, CloseCode.TooManyRequests);
  assert.equal(closed.reason, "Too many requests");
});

conformance(
  "connections over maxConnectionsPerIp get 429, over maxConnections 503",
  async (runtime) => {
    {
      await using server = await AppServer.start(runtime, { limits: { maxConnectionsPerIp: 2 } });
      const first = await RawSocket.open(server.url);
      const second = await RawSocket.open(server.url);
      await assert.rejects(TcpWebSocket.open(server.url), /HTTP\/1\.1 429/);
      await first.close();
      while ((await statsOf(server.url)).connections !== 1) await sleep(20);
      const third = await RawSocket.open(server.url);
      await Promise.all([second.close(), third.close()]);
    }
    await using server = await AppServer.start(runtime, { limits: { maxConnections: 1 } });
    await using _first = await RawSocket.open(server.url);
    await assert.rejects(TcpWebSocket.open(server.url), /HTTP\/1\.1 503/);
  },
);

/** The next frame that is not a subscription's event. */
async function nextReply(socket: RawSocket): Promise<unknown> {
  while (true) {
    const frame = await socket.next() as { method?: string };
    if (frame.method !== "rpc.data") return frame;
  }
}

/** The app's stats, over a connection of its own (which then counts). */
async function statsOf(url: string): Promise<{ connections: number }> {
  try {
    await using socket = await RawSocket.open(url);
    const { result } = await socket.request(call(1, "stats")) as {
      result: { connections: number };
    };
    return { connections: result.connections - 1 };
  } catch {
    await sleep(20);
    return { connections: -1 };
  }
}

conformance(
  "a client that stops reading pauses its subscription, then is closed with 4008",
  async (runtime) => {
    await using server = await AppServer.start(runtime, {
      limits: { sendBufferHighWater: 64 * 1024, slowConsumerTimeout: 800 },
    });
    const client = await TcpWebSocket.open(server.url);
    try {
      await client.send(Opcode.Text, JSON.stringify(call(1, "firehose")));
      await sleep(500);
      const paused = await produced(server.url);
      await sleep(300);
      assert.ok(paused > 0, "the subscription started");
      assert.equal(await produced(server.url), paused, "no event was made while paused");
      // The kernel's buffers and the high water: thousands of events, not millions.
      assert.ok(paused < 50_000, `the generator made ${paused} events`);
      // Still not reading, past slowConsumerTimeout: the server gives up. (Reading
      // sooner would let the client catch up, and the subscription go on.)
      await sleep(1_000);
      // The close frame waits behind everything the client did not read.
      assert.equal(await client.readClose(), CloseCode.SlowConsumer);
    } finally {
      client.close();
    }
  },
);

/** How many firehose events the app has made. */
async function produced(url: string): Promise<number> {
  await using socket = await RawSocket.open(url);
  return (await socket.request(call(1, "stats")) as { result: { produced: number } }).result
    .produced;
}
