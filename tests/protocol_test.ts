/**
 * Protocol conformance: raw JSON frames over a real socket, as any JSON-RPC
 * 2.0 client would send them. The first steps replay every example of
 * section 7 of the JSON-RPC 2.0 specification.
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { ErrorCode, procedure, router, RpcError, subscription } from "../mod.ts";
import { createHandler } from "../server/mod.ts";
import { RawSocket, serve } from "./_server.ts";

const api = router({
  subtract: procedure({
    input: z.union([
      z.tuple([z.number(), z.number()]),
      z.object({ minuend: z.number(), subtrahend: z.number() }),
    ]),
    output: z.number(),
  }),
  sum: procedure({ input: z.array(z.number()), output: z.number() }),
  update: procedure({ input: z.array(z.number()), output: z.null() }),
  notify_hello: procedure({ input: z.number(), output: z.null() }),
  get_data: procedure({ output: z.tuple([z.string(), z.number()]) }),
  echo: procedure({ input: z.string(), output: z.string() }),
  refuse: procedure({ output: z.null() }),
  crash: procedure({ output: z.null() }),
  clock: router({
    ticks: subscription({ input: z.object({ count: z.number().int() }), output: z.number() }),
    forever: subscription({ output: z.number() }),
  }),
});

function startServer() {
  const calls: string[] = [];
  const rpc = createHandler(api, {
    onError: () => {},
    handlers: {
      subtract: ({ input }) =>
        Array.isArray(input) ? input[0] - input[1] : input.minuend - input.subtrahend,
      sum: ({ input }) => input.reduce((total, n) => total + n, 0),
      update: ({ input }) => {
        calls.push(`update ${input.join(",")}`);
        return null;
      },
      notify_hello: ({ input }) => {
        calls.push(`notify_hello ${input}`);
        return null;
      },
      get_data: () => ["hello", 5] as [string, number],
      echo: ({ input }) => input,
      refuse: () => {
        throw new RpcError(ErrorCode.Forbidden, "Not for you", { data: { need: "admin" } });
      },
      crash: () => {
        throw new Error("secret database password in this message");
      },
      clock: {
        ticks: async function* ({ input }) {
          for (let i = 1; i <= input.count; i++) yield i;
        },
        forever: async function* ({ signal }) {
          let i = 0;
          while (!signal.aborted) {
            yield i++;
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        },
      },
    },
  });
  return { server: serve(rpc), calls };
}

Deno.test("JSON-RPC 2.0 section 7 examples, frame by frame", async (t) => {
  const { server, calls } = startServer();
  const socket = await RawSocket.open(server.url);

  await t.step("a call with positional parameters", async () => {
    assert.deepEqual(
      await socket.request({ jsonrpc: "2.0", method: "subtract", params: [42, 23], id: 1 }),
      { jsonrpc: "2.0", result: 19, id: 1 },
    );
    assert.deepEqual(
      await socket.request({ jsonrpc: "2.0", method: "subtract", params: [23, 42], id: 2 }),
      { jsonrpc: "2.0", result: -19, id: 2 },
    );
  });

  await t.step("a call with named parameters", async () => {
    assert.deepEqual(
      await socket.request({
        jsonrpc: "2.0",
        method: "subtract",
        params: { subtrahend: 23, minuend: 42 },
        id: 3,
      }),
      { jsonrpc: "2.0", result: 19, id: 3 },
    );
    assert.deepEqual(
      await socket.request({
        jsonrpc: "2.0",
        method: "subtract",
        params: { minuend: 42, subtrahend: 23 },
        id: 4,
      }),
      { jsonrpc: "2.0", result: 19, id: 4 },
    );
  });

  await t.step("notifications get no reply, but run", async () => {
    socket.send({ jsonrpc: "2.0", method: "update", params: [1, 2, 3, 4, 5] });
    socket.send({ jsonrpc: "2.0", method: "foobar" });
    await socket.expectSilence();
    assert.deepEqual(calls, ["update 1,2,3,4,5"]);
  });

  await t.step("a call to a method that does not exist", async () => {
    const reply = await socket.request({ jsonrpc: "2.0", method: "foobar", id: "1" });
    assert.deepEqual(reply, {
      jsonrpc: "2.0",
      id: "1",
      error: { code: -32601, message: "Method not found: foobar" },
    });
  });

  await t.step("a call with invalid JSON", async () => {
    const reply = await socket.request(
      '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]',
    );
    assert.deepEqual(reply, {
      jsonrpc: "2.0",
      id: null,
      error: { code: -32700, message: "Parse error: the frame is not valid JSON" },
    });
  });

  await t.step("a call with an invalid request object", async () => {
    const reply = await socket.request({ jsonrpc: "2.0", method: 1, params: "bar" });
    assert.deepEqual(reply, {
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: 'The "method" member must be a string' },
    });
  });

  await t.step("a batch with invalid JSON", async () => {
    const reply = await socket.request(
      '[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},{"jsonrpc": "2.0", "method"]',
    );
    assert.equal((reply as { error: { code: number } }).error.code, -32700);
  });

  await t.step("an empty batch", async () => {
    assert.deepEqual(await socket.request([]), {
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: "A batch must not be empty" },
    });
  });

  await t.step("an invalid batch that is not empty", async () => {
    assert.deepEqual(await socket.request([1]), [
      {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32600, message: "A request must be a JSON object" },
      },
    ]);
  });

  await t.step("an invalid batch", async () => {
    const reply = await socket.request([1, 2, 3]) as unknown[];
    assert.equal(reply.length, 3);
    for (const item of reply) {
      assert.deepEqual(item, {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32600, message: "A request must be a JSON object" },
      });
    }
  });

  await t.step("a batch of calls, notifications and mistakes", async () => {
    const reply = await socket.request([
      { jsonrpc: "2.0", method: "sum", params: [1, 2, 4], id: "1" },
      { jsonrpc: "2.0", method: "notify_hello", params: [7] },
      { jsonrpc: "2.0", method: "subtract", params: [42, 23], id: "2" },
      { foo: "boo" },
      { jsonrpc: "2.0", method: "foo.get", params: { name: "myself" }, id: "5" },
      { jsonrpc: "2.0", method: "get_data", id: "9" },
    ]);
    assert.deepEqual(reply, [
      { jsonrpc: "2.0", result: 7, id: "1" },
      { jsonrpc: "2.0", result: 19, id: "2" },
      {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32600, message: 'The "jsonrpc" member must be "2.0"' },
      },
      { jsonrpc: "2.0", id: "5", error: { code: -32601, message: "Method not found: foo.get" } },
      { jsonrpc: "2.0", result: ["hello", 5], id: "9" },
    ]);
    assert.ok(calls.includes("notify_hello 7"));
  });

  await t.step("a batch of notifications only gets no reply", async () => {
    socket.send([
      { jsonrpc: "2.0", method: "notify_sum", params: [1, 2, 4] },
      { jsonrpc: "2.0", method: "notify_hello", params: [7] },
    ]);
    await socket.expectSilence();
  });

  await socket.close();
  await server.close();
});

Deno.test("requests are checked before they are dispatched", async (t) => {
  const { server } = startServer();
  const socket = await RawSocket.open(server.url);

  await t.step("params that fail the schema get -32602 with the zod issues", async () => {
    const reply = await socket.request({
      jsonrpc: "2.0",
      method: "sum",
      params: [1, "two"],
      id: 7,
    });
    const { error } = reply as {
      error: { code: number; message: string; data: { issues: unknown[] } };
    };
    assert.equal(error.code, ErrorCode.InvalidParams);
    assert.equal(error.message, "Invalid params");
    const [issue] = error.data.issues as Array<{ path: unknown[]; code: string; message: string }>;
    assert.deepEqual(issue?.path, [1]);
    assert.equal(issue?.code, "invalid_type");
    assert.match(issue?.message ?? "", /expected number/);
  });

  await t.step("a scalar input travels as a one-element array", async () => {
    assert.deepEqual(
      await socket.request({ jsonrpc: "2.0", method: "echo", params: ["hi"], id: 8 }),
      { jsonrpc: "2.0", id: 8, result: "hi" },
    );
  });

  await t.step("params that are not structured are an invalid request", async () => {
    const reply = await socket.request({ jsonrpc: "2.0", method: "echo", params: "hi", id: 9 });
    assert.deepEqual(reply, {
      jsonrpc: "2.0",
      id: 9,
      error: { code: -32600, message: 'The "params" member must be an object or an array' },
    });
  });

  await t.step("a procedure without input refuses params", async () => {
    const reply = await socket.request({ jsonrpc: "2.0", method: "get_data", params: [1], id: 10 });
    assert.equal((reply as { error: { code: number } }).error.code, ErrorCode.InvalidParams);
  });

  await t.step("ids keep their type, and a null id is answered with null", async () => {
    assert.deepEqual(
      await socket.request({ jsonrpc: "2.0", method: "echo", params: ["a"], id: "abc" }),
      { jsonrpc: "2.0", id: "abc", result: "a" },
    );
    assert.deepEqual(
      await socket.request({ jsonrpc: "2.0", method: "echo", params: ["b"], id: null }),
      { jsonrpc: "2.0", id: null, result: "b" },
    );
  });

  await t.step("an id of the wrong type is an invalid request", async () => {
    const reply = await socket.request({
      jsonrpc: "2.0",
      method: "echo",
      params: ["c"],
      id: { x: 1 },
    });
    assert.deepEqual(reply, {
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: 'The "id" member must be a string, a number or null' },
    });
  });

  await t.step("a wrong version is an invalid request that keeps the id", async () => {
    const reply = await socket.request({ jsonrpc: "1.0", method: "echo", params: ["d"], id: 11 });
    assert.deepEqual(reply, {
      jsonrpc: "2.0",
      id: 11,
      error: { code: -32600, message: 'The "jsonrpc" member must be "2.0"' },
    });
  });

  await t.step("an RpcError keeps its code, message and data", async () => {
    assert.deepEqual(await socket.request({ jsonrpc: "2.0", method: "refuse", id: 12 }), {
      jsonrpc: "2.0",
      id: 12,
      error: { code: ErrorCode.Forbidden, message: "Not for you", data: { need: "admin" } },
    });
  });

  await t.step("any other error is -32603 and says nothing of itself", async () => {
    assert.deepEqual(await socket.request({ jsonrpc: "2.0", method: "crash", id: 13 }), {
      jsonrpc: "2.0",
      id: 13,
      error: { code: ErrorCode.InternalError, message: "Internal error" },
    });
  });

  await t.step("malformed superjson meta is invalid params, not a crash", async () => {
    const reply = await socket.request({
      jsonrpc: "2.0",
      method: "echo",
      params: ["x"],
      meta: { values: { "0": ["nonsense-type"] } },
      id: 14,
    });
    assert.equal((reply as { error: { code: number } }).error.code, ErrorCode.InvalidParams);
    assert.deepEqual(
      await socket.request({ jsonrpc: "2.0", method: "echo", params: ["still up"], id: 15 }),
      { jsonrpc: "2.0", id: 15, result: "still up" },
    );
  });

  await socket.close();
  await server.close();
});

Deno.test("subscriptions on the wire", async (t) => {
  const { server } = startServer();
  const socket = await RawSocket.open(server.url);

  await t.step("a subscribe is acknowledged, then events and completion follow", async () => {
    socket.send({ jsonrpc: "2.0", method: "clock.ticks", params: { count: 2 }, id: 1 });
    assert.deepEqual(await socket.next(), { jsonrpc: "2.0", id: 1, result: { subscription: 1 } });
    assert.deepEqual(await socket.next(), {
      jsonrpc: "2.0",
      method: "rpc.data",
      params: { subscription: 1, data: 1 },
    });
    assert.deepEqual(await socket.next(), {
      jsonrpc: "2.0",
      method: "rpc.data",
      params: { subscription: 1, data: 2 },
    });
    assert.deepEqual(await socket.next(), {
      jsonrpc: "2.0",
      method: "rpc.complete",
      params: { subscription: 1 },
    });
  });

  await t.step("rpc.unsubscribe ends a subscription and says whether it was live", async () => {
    socket.send({ jsonrpc: "2.0", method: "clock.forever", id: "s" });
    assert.deepEqual(await socket.next(), {
      jsonrpc: "2.0",
      id: "s",
      result: { subscription: "s" },
    });
    const first = await socket.next() as { method: string };
    assert.equal(first.method, "rpc.data");
    socket.send({
      jsonrpc: "2.0",
      method: "rpc.unsubscribe",
      params: { subscription: "s" },
      id: 2,
    });
    let reply = await socket.next() as { id?: unknown; method?: string };
    while (reply.method === "rpc.data") reply = await socket.next() as typeof reply;
    assert.deepEqual(reply, { jsonrpc: "2.0", id: 2, result: true });
    await socket.expectSilence(50);
    assert.deepEqual(
      await socket.request({
        jsonrpc: "2.0",
        method: "rpc.unsubscribe",
        params: { subscription: "s" },
        id: 3,
      }),
      { jsonrpc: "2.0", id: 3, result: false },
    );
  });

  await t.step("a subscription id already in use is refused", async () => {
    socket.send({ jsonrpc: "2.0", method: "clock.forever", id: 5 });
    assert.deepEqual(await socket.next(), { jsonrpc: "2.0", id: 5, result: { subscription: 5 } });
    socket.send({ jsonrpc: "2.0", method: "clock.forever", id: 5 });
    let reply = await socket.next() as { method?: string };
    while (reply.method === "rpc.data") reply = await socket.next() as typeof reply;
    assert.deepEqual(reply, {
      jsonrpc: "2.0",
      id: 5,
      error: { code: -32600, message: "Request id 5 is already in use" },
    });
    socket.send({ jsonrpc: "2.0", method: "rpc.unsubscribe", params: [5] });
  });

  await t.step("a subscription with a null id is refused", async () => {
    const reply = await socket.request({ jsonrpc: "2.0", method: "clock.forever", id: null });
    // Events of the subscription above may still be in flight.
    let frame = reply as { method?: string };
    while (frame.method === "rpc.data") frame = await socket.next() as typeof frame;
    assert.deepEqual(frame, {
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: "A subscription needs a string or number id" },
    });
  });

  await t.step("in a batch, the acknowledgement comes before the events", async () => {
    await socket.drain();
    socket.send([
      { jsonrpc: "2.0", method: "clock.ticks", params: { count: 1 }, id: 20 },
      { jsonrpc: "2.0", method: "echo", params: ["x"], id: 21 },
    ]);
    assert.deepEqual(await socket.next(), [
      { jsonrpc: "2.0", id: 20, result: { subscription: 20 } },
      { jsonrpc: "2.0", id: 21, result: "x" },
    ]);
    assert.deepEqual(await socket.next(), {
      jsonrpc: "2.0",
      method: "rpc.data",
      params: { subscription: 20, data: 1 },
    });
    assert.deepEqual(await socket.next(), {
      jsonrpc: "2.0",
      method: "rpc.complete",
      params: { subscription: 20 },
    });
  });

  await socket.close();
  await server.close();
});

Deno.test("the connection itself", async (t) => {
  const { server } = startServer();

  await t.step("a binary frame closes the socket with 1003 and a reason", async () => {
    const socket = await RawSocket.open(server.url);
    socket.socket.send(new Uint8Array([1, 2, 3]));
    const closed = await socket.closed;
    assert.equal(closed.code, 1003);
    assert.equal(closed.reason, "wsrpc accepts text frames only");
  });

  await t.step("other connections keep being served", async () => {
    const socket = await RawSocket.open(server.url);
    assert.deepEqual(
      await socket.request({ jsonrpc: "2.0", method: "echo", params: ["ok"], id: 1 }),
      { jsonrpc: "2.0", id: 1, result: "ok" },
    );
    await socket.close();
  });

  await t.step("a plain HTTP request gets 426 with a clear body", async () => {
    const response = await fetch(server.url.replace("ws:", "http:"));
    assert.equal(response.status, 426);
    assert.equal(response.headers.get("upgrade"), "websocket");
    assert.match(await response.text(), /JSON-RPC 2\.0 over WebSocket/);
  });

  await server.close();
});
