/**
 * The wire, on every runtime: the JSON-RPC 2.0 examples, checked requests,
 * subscriptions and the connection itself, in raw frames (the scenarios of
 * tests/protocol_test.ts, against the conformance app in its own process).
 *
 * @module
 */

import assert from "node:assert/strict";
import { ErrorCode } from "../../mod.ts";
import { RawSocket } from "../_server.ts";
import { AppServer, conformance } from "./_runtimes.ts";

conformance("JSON-RPC 2.0 section 7 examples, frame by frame", async (runtime) => {
  await using server = await AppServer.start(runtime);
  await using socket = await RawSocket.open(server.url);
  assert.deepEqual(
    await socket.request({ jsonrpc: "2.0", method: "subtract", params: [42, 23], id: 1 }),
    { jsonrpc: "2.0", result: 19, id: 1 },
  );
  assert.deepEqual(
    await socket.request({
      jsonrpc: "2.0",
      method: "subtract",
      params: { subtrahend: 23, minuend: 42 },
      id: 3,
    }),
    { jsonrpc: "2.0", result: 19, id: 3 },
  );
  socket.send({ jsonrpc: "2.0", method: "update", params: [1, 2, 3, 4, 5] });
  socket.send({ jsonrpc: "2.0", method: "foobar" });
  await socket.expectSilence();
  assert.deepEqual(await socket.request({ jsonrpc: "2.0", method: "foobar", id: "1" }), {
    jsonrpc: "2.0",
    id: "1",
    error: { code: -32601, message: "Method not found: foobar" },
  });
  assert.deepEqual(
    await socket.request('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]'),
    {
      jsonrpc: "2.0",
      id: null,
      error: { code: -32700, message: "Parse error: the frame is not valid JSON" },
    },
  );
  assert.deepEqual(await socket.request({ jsonrpc: "2.0", method: 1, params: "bar" }), {
    jsonrpc: "2.0",
    id: null,
    error: { code: -32600, message: 'The "method" member must be a string' },
  });
  assert.deepEqual(await socket.request([]), {
    jsonrpc: "2.0",
    id: null,
    error: { code: -32600, message: "A batch must not be empty" },
  });
  assert.deepEqual(
    await socket.request([
      { jsonrpc: "2.0", method: "sum", params: [1, 2, 4], id: "1" },
      { jsonrpc: "2.0", method: "notify_hello", params: [7] },
      { jsonrpc: "2.0", method: "subtract", params: [42, 23], id: "2" },
      { foo: "boo" },
      { jsonrpc: "2.0", method: "foo.get", params: { name: "myself" }, id: "5" },
      { jsonrpc: "2.0", method: "get_data", id: "9" },
    ]),
    [
      { jsonrpc: "2.0", result: 7, id: "1" },
      { jsonrpc: "2.0", result: 19, id: "2" },
      {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32600, message: 'The "jsonrpc" member must be "2.0"' },
      },
      { jsonrpc: "2.0", id: "5", error: { code: -32601, message: "Method not found: foo.get" } },
      { jsonrpc: "2.0", result: ["hello", 5], id: "9" },
    ],
  );
  socket.send([
    { jsonrpc: "2.0", method: "notify_sum", params: [1, 2, 4] },
    { jsonrpc: "2.0", method: "notify_hello", params: [7] },
  ]);
  await socket.expectSilence();
  const stats = await socket.request({ jsonrpc: "2.0", method: "stats", id: "s" }) as {
    result: { calls: string[] };
  };
  assert.deepEqual(stats.result.calls, ["update 1,2,3,4,5", "notify_hello 7", "notify_hello 7"]);
});

conformance("requests are checked before they are dispatched", async (runtime) => {
  await using server = await AppServer.start(runtime);
  await using socket = await RawSocket.open(server.url);
  const invalid = await socket.request({
    jsonrpc: "2.0",
    method: "sum",
    params: [1, "two"],
    id: 7,
  }) as { error: { code: number; data: { issues: Array<{ path: unknown[] }> } } };
  assert.equal(invalid.error.code, ErrorCode.InvalidParams);
  assert.deepEqual(invalid.error.data.issues[0]?.path, [1]);
  assert.deepEqual(await socket.request({ jsonrpc: "2.0", method: "refuse", id: 12 }), {
    jsonrpc: "2.0",
    id: 12,
    error: { code: ErrorCode.Forbidden, message: "Not for you", data: { need: "admin" } },
  });
  assert.deepEqual(await socket.request({ jsonrpc: "2.0", method: "crash", id: 13 }), {
    jsonrpc: "2.0",
    id: 13,
    error: { code: ErrorCode.InternalError, message: "Internal error" },
  });
  assert.deepEqual(
    await socket.request({ jsonrpc: "2.0", method: "echo", params: ["é ✓ 😀"], id: null }),
    { jsonrpc: "2.0", id: null, result: "é ✓ 😀" },
  );
});

conformance("subscriptions on the wire", async (runtime) => {
  await using server = await AppServer.start(runtime);
  await using socket = await RawSocket.open(server.url);
  socket.send({ jsonrpc: "2.0", method: "clock.ticks", params: { count: 2 }, id: 1 });
  assert.deepEqual(await socket.next(), { jsonrpc: "2.0", id: 1, result: { subscription: 1 } });
  for (const data of [1, 2]) {
    assert.deepEqual(await socket.next(), {
      jsonrpc: "2.0",
      method: "rpc.data",
      params: { subscription: 1, data },
    });
  }
  assert.deepEqual(await socket.next(), {
    jsonrpc: "2.0",
    method: "rpc.complete",
    params: { subscription: 1 },
  });

  socket.send({ jsonrpc: "2.0", method: "clock.forever", id: "s" });
  assert.deepEqual(await socket.next(), { jsonrpc: "2.0", id: "s", result: { subscription: "s" } });
  assert.equal((await socket.next() as { method: string }).method, "rpc.data");
  socket.send({ jsonrpc: "2.0", method: "rpc.unsubscribe", params: { subscription: "s" }, id: 2 });
  let reply = await socket.next() as { method?: string };
  while (reply.method === "rpc.data") reply = await socket.next() as typeof reply;
  assert.deepEqual(reply, { jsonrpc: "2.0", id: 2, result: true });
  await socket.expectSilence(50);

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
});

conformance("the connection itself", async (runtime, t) => {
  await using server = await AppServer.start(runtime);

  await t.step("a binary frame closes the socket with 1003 and a reason", async () => {
    const socket = await RawSocket.open(server.url);
    socket.socket.send(new Uint8Array([1, 2, 3]));
    const closed = await socket.closed;
    assert.equal(closed.code, 1003);
    assert.equal(closed.reason, "wsrpc accepts text frames only");
  });

  await t.step("other connections keep being served", async () => {
    await using socket = await RawSocket.open(server.url);
    assert.deepEqual(
      await socket.request({ jsonrpc: "2.0", method: "echo", params: ["ok"], id: 1 }),
      { jsonrpc: "2.0", id: 1, result: "ok" },
    );
  });

  await t.step("rpc.ping is answered", async () => {
    await using socket = await RawSocket.open(server.url);
    assert.deepEqual(await socket.request({ jsonrpc: "2.0", method: "rpc.ping", id: 1 }), {
      jsonrpc: "2.0",
      id: 1,
      result: "pong",
    });
  });

  await t.step("a plain HTTP request gets 426 with a clear body", async () => {
    const response = await fetch(server.url.replace("ws:", "http:"));
    if (server.runtime === "node") {
      // On Node a plain request never reaches `handleUpgrade`: the app answers it.
      assert.equal(response.status, 404);
      await response.body?.cancel();
      return;
    }
    assert.equal(response.status, 426);
    assert.equal(response.headers.get("upgrade"), "websocket");
    assert.match(await response.text(), /JSON-RPC 2\.0 over WebSocket/);
  });
});
