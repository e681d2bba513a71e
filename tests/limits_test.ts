/**
 * Every limit, one by one: each is on by default, each can be set, and going
 * over each gets the documented answer.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { ErrorCode, procedure, router, subscription } from "../mod.ts";
import { CloseCode } from "../protocol.ts";
import { createHandler, type Limits } from "../server/mod.ts";
import { RawSocket, serve } from "./_server.ts";
import { sleep, waitFor } from "./_wait.ts";

const api = router({
  echo: procedure({ input: z.unknown(), output: z.unknown() }),
  wait: procedure({ input: z.number(), output: z.number() }),
  forever: subscription({ output: z.number() }),
});

/** A server whose `wait` calls stay in flight until released. */
function startServer(limits: Partial<Limits> = {}, extra: { clientIp?: string } = {}) {
  const waiting: Array<() => void> = [];
  const rpc = createHandler(api, {
    limits,
    clientIp: extra.clientIp === undefined
      ? undefined
      : (request) => request.headers.get("x-test-ip") ?? extra.clientIp,
    handlers: {
      echo: ({ input }) => input,
      wait: ({ input }) => new Promise<number>((resolve) => waiting.push(() => resolve(input))),
      forever: async function* ({ signal }) {
        yield 0;
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
      },
    },
  });
  const release = () => {
    for (const resolve of waiting.splice(0)) resolve();
  };
  return { server: serve(rpc), rpc, release, waiting };
}

const call = (id: number | string, method: string, params?: unknown) => ({
  jsonrpc: "2.0",
  id,
  method,
  ...(params === undefined ? {} : { params }),
});

type ErrorReply = { id: unknown; error: { code: number; message: string; data?: unknown } };

// The defaults, one by one, are checked beside the code: server/limits_test.ts.
Deno.test("a server with a limit that is not a number of zero or more is not made", () => {
  assert.throws(
    () => createHandler(api, { limits: { burst: -1 }, handlers: {} as never }),
    { name: "TypeError", message: 'The limit "burst" must be a number of zero or more' },
  );
});

Deno.test("a message over maxMessageSize closes the connection with 1009", async (t) => {
  const { server } = startServer({ maxMessageSize: 1000 });

  await t.step("a frame of exactly the limit is served", async () => {
    await using socket = await RawSocket.open(server.url);
    const frame = JSON.stringify(call(1, "echo", ["x"]));
    const padded = frame.replace('"x"', `"${"x".repeat(1000 - frame.length + 1)}"`);
    assert.equal(new TextEncoder().encode(padded).length, 1000);
    const reply = await socket.request(padded) as { result: string };
    assert.equal(reply.result.length, 1000 - frame.length + 1);
  });

  await t.step("one byte more, counted in UTF-8, closes with 1009 and a reason", async () => {
    const socket = await RawSocket.open(server.url);
    // 334 "é" are 668 bytes but only 334 UTF-16 units.
    socket.send(JSON.stringify(call(1, "echo", ["é".repeat(500)])));
    const closed = await socket.closed;
    assert.equal(closed.code, CloseCode.MessageTooBig);
    assert.equal(closed.reason, "A message may be at most 1000 bytes");
  });

  await server.close();
});

Deno.test("the default message limit refuses a 10 MB frame", async () => {
  const { server, rpc } = startServer();
  const socket = await RawSocket.open(server.url);
  socket.send(JSON.stringify(call(1, "echo", ["a".repeat(10 * 1024 * 1024)])));
  assert.equal((await socket.closed).code, CloseCode.MessageTooBig);
  await waitFor(() => rpc.connections === 0, "the connection to go");
  await using other = await RawSocket.open(server.url);
  assert.deepEqual(await other.request(call(2, "echo", ["ok"])), {
    jsonrpc: "2.0",
    id: 2,
    result: "ok",
  });
  await server.close();
});

Deno.test("a frame nested deeper than maxDepth gets -32600 before it is parsed", async () => {
  const { server } = startServer({ maxDepth: 8 });
  await using socket = await RawSocket.open(server.url);
  const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
  // The frame object is level 1 and `params` level 2: six more levels fit.
  const fits = `{"jsonrpc":"2.0","id":1,"method":"echo","params":[${nested(6)}]}`;
  assert.deepEqual(await socket.request(fits), {
    jsonrpc: "2.0",
    id: 1,
    result: JSON.parse(nested(6)),
  });
  const tooDeep = `{"jsonrpc":"2.0","id":2,"method":"echo","params":[${nested(7)}]}`;
  assert.deepEqual(await socket.request(tooDeep), {
    jsonrpc: "2.0",
    id: null,
    error: { code: ErrorCode.InvalidRequest, message: "The frame nests deeper than 8 levels" },
  });
  // Brackets inside strings don't count.
  const inString = JSON.stringify(call(3, "echo", [nested(50)]));
  assert.deepEqual(await socket.request(inString), {
    jsonrpc: "2.0",
    id: 3,
    result: nested(50),
  });
  await server.close();
});

Deno.test("a batch longer than maxBatchLength is refused, each request by its id", async () => {
  const { server } = startServer({ maxBatchLength: 3 });
  await using socket = await RawSocket.open(server.url);
  const three = [call(1, "echo", ["a"]), call(2, "echo", ["b"]), call(3, "echo", ["c"])];
  assert.equal((await socket.request(three) as unknown[]).length, 3);
  const message = "A batch may hold at most 3 requests";
  assert.deepEqual(
    await socket.request([...three, { jsonrpc: "2.0", method: "echo", params: ["note"] }]),
    [1, 2, 3].map((id) => ({
      jsonrpc: "2.0",
      id,
      error: { code: ErrorCode.InvalidRequest, message },
    })),
  );
  await server.close();
});

Deno.test("calls over maxCallsInFlight get -32029 until one finishes", async () => {
  const { server, release, waiting } = startServer({ maxCallsInFlight: 2 });
  await using socket = await RawSocket.open(server.url);
  socket.send(call(1, "wait", [1]));
  socket.send(call(2, "wait", [2]));
  // A notification counts too, and is dropped silently when over.
  socket.send({ jsonrpc: "2.0", method: "wait", params: [0] });
  const refused = await socket.request(call(3, "wait", [3])) as ErrorReply;
  assert.deepEqual(refused, {
    jsonrpc: "2.0",
    id: 3,
    error: { code: ErrorCode.TooManyRequests, message: "Too many calls in flight: at most 2" },
  });
  assert.equal(waiting.length, 2);
  release();
  const done = [await socket.next(), await socket.next()];
  assert.deepEqual(done.map((reply) => (reply as { id: number }).id).toSorted(), [1, 2]);
  socket.send(call(4, "wait", [4]));
  await waitFor(() => waiting.length === 1, "the call to start");
  release();
  assert.deepEqual(await socket.next(), { jsonrpc: "2.0", id: 4, result: 4 });
  await server.close();
});

Deno.test("subscriptions over maxSubscriptions get -32029", async () => {
  const { server } = startServer({ maxSubscriptions: 2 });
  await using socket = await RawSocket.open(server.url);
  for (const id of ["a", "b"]) {
    assert.deepEqual(await socket.request(call(id, "forever")), {
      jsonrpc: "2.0",
      id,
      result: { subscription: id },
    });
    assert.equal((await socket.next() as { method: string }).method, "rpc.data");
  }
  assert.deepEqual(await socket.request(call("c", "forever")), {
    jsonrpc: "2.0",
    id: "c",
    error: { code: ErrorCode.TooManyRequests, message: "Too many subscriptions: at most 2" },
  });
  assert.deepEqual(
    await socket.request(call(9, "rpc.unsubscribe", { subscription: "a" })),
    { jsonrpc: "2.0", id: 9, result: true },
  );
  assert.deepEqual(await socket.request(call("c", "forever")), {
    jsonrpc: "2.0",
    id: "c",
    result: { subscription: "c" },
  });
  await server.close();
});

Deno.test("the rate limit refuses with -32029 and retryAfter, then closes with 4429", async (t) => {
  const { server } = startServer({ messagesPerSecond: 10, burst: 5 });
  const socket = await RawSocket.open(server.url);

  await t.step("a burst of 5 goes through at once", async () => {
    for (let id = 1; id <= 5; id++) {
      assert.deepEqual(await socket.request(call(id, "echo", [id])), {
        jsonrpc: "2.0",
        id,
        result: id,
      });
    }
  });

  await t.step("the next request is refused, saying when to try again", async () => {
    const reply = await socket.request(call(6, "echo", [6])) as ErrorReply;
    assert.equal(reply.id, 6);
    assert.equal(reply.error.code, ErrorCode.TooManyRequests);
    assert.equal(reply.error.message, "Too many requests");
    const { retryAfter } = reply.error.data as { retryAfter: number };
    assert.ok(retryAfter > 0 && retryAfter <= 100, `retryAfter ${retryAfter}`);
  });

  await t.step("after waiting, requests go through again", async () => {
    await sleep(150);
    assert.deepEqual(await socket.request(call(7, "echo", [7])), {
      jsonrpc: "2.0",
      id: 7,
      result: 7,
    });
  });

  await t.step("each request of a batch counts", async () => {
    await sleep(300); // three tokens
    const replies = await socket.request(
      [1, 2, 3, 4].map((n) => call(`b${n}`, "echo", [n])),
    ) as Array<{ id: string; result?: number; error?: { code: number } }>;
    assert.deepEqual(replies.slice(0, 3).map((reply) => reply.result), [1, 2, 3]);
    assert.equal(replies[3]?.error?.code, ErrorCode.TooManyRequests);
  });

  await t.step("a client that keeps going is closed with 4429", async () => {
    for (let i = 0; i < 20; i++) socket.send({ jsonrpc: "2.0", method: "echo", params: [i] });
    const closed = await socket.closed;
    assert.equal(closed.code, CloseCode.TooManyRequests);
    assert.equal(closed.reason, "Too many requests");
  });

  await server.close();
});

Deno.test("with the default limits, a client flooding at 10,000 messages/s is closed with 4429", async () => {
  const { server } = startServer();
  const socket = await RawSocket.open(server.url);
  // 10,000/s for at most 3 s; about 200/s of them still get through, which
  // must not make the server forget the flood.
  let sent = 0;
  const closed = socket.closed.then((event) => event.code);
  const flooding = (async () => {
    const start = performance.now();
    while (performance.now() - start < 3_000 && socket.socket.readyState === WebSocket.OPEN) {
      for (let i = 0; i < 100; i++) socket.send(call(++sent, "echo", [sent]));
      await sleep(10);
    }
  })();
  const code = await Promise.race([closed, sleep(5_000).then(() => "still open")]);
  await flooding;
  assert.equal(code, CloseCode.TooManyRequests, `after ${sent} messages`);
  assert.ok(sent < 20_000, `closed only after ${sent} messages`);
  await socket.close();
  await server.close();
});

Deno.test("a client that overshoots the rate now and then stays connected", async () => {
  const { server } = startServer({ messagesPerSecond: 100, burst: 50 });
  const socket = await RawSocket.open(server.url);
  // Four bursts of 80 (30 over the bucket each time), half a second apart.
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < 80; i++) socket.send({ jsonrpc: "2.0", method: "echo", params: [i] });
    await sleep(500);
  }
  assert.equal(socket.socket.readyState, WebSocket.OPEN);
  await socket.close();
  await server.close();
});

Deno.test("connections over maxConnections get 503, and over maxConnectionsPerIp get 429", async (t) => {
  const upgrade = (ip: string) =>
    new Request("http://127.0.0.1/rpc", {
      headers: { upgrade: "websocket", connection: "Upgrade", "x-test-ip": ip },
    });

  await t.step("per address, counted from the connection's remote address", async () => {
    const { server, rpc } = startServer({ maxConnectionsPerIp: 2 });
    const first = await RawSocket.open(server.url);
    const second = await RawSocket.open(server.url);
    await assert.rejects(RawSocket.open(server.url), /Could not connect/);
    const info: Deno.ServeHandlerInfo = {
      remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 50_000 },
      completed: Promise.resolve(),
    };
    const refused = await rpc(upgrade("ignored"), info);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("retry-after"), "5");
    assert.equal(await refused.text(), "429 Too many connections from your address\n");
    await first.close();
    await waitFor(() => rpc.connections === 1, "the slot to be given back");
    const third = await RawSocket.open(server.url);
    await Promise.all([second.close(), third.close()]);
    await server.close();
  });

  await t.step("clientIp tells addresses apart behind a proxy", async () => {
    const { server, rpc } = startServer({ maxConnectionsPerIp: 1 }, { clientIp: "192.0.2.1" });
    const first = await RawSocket.open(server.url);
    assert.equal((await rpc(upgrade("192.0.2.1"))).status, 429);
    // Another address is still welcome (the refusal above is before any upgrade).
    const other = await rpc(upgrade("192.0.2.2"));
    assert.equal(other.status, 400, "past the limits; this Request can't really be upgraded");
    await first.close();
    await server.close();
  });

  await t.step("per server", async () => {
    const { server, rpc } = startServer({ maxConnections: 1 });
    const first = await RawSocket.open(server.url);
    const refused = await rpc(upgrade("192.0.2.3"));
    assert.equal(refused.status, 503);
    assert.equal(await refused.text(), "503 The server has too many connections\n");
    await first.close();
    await server.close();
  });
});
