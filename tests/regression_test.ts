/**
 * Regression tests named after the attacks that took down servers like this
 * one. In each, one client sends what did the damage elsewhere; the server
 * answers as PROTOCOL.md says and goes on serving everyone else.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { ErrorCode, procedure, router, RpcError, subscription } from "../mod.ts";
import { CloseCode } from "../protocol.ts";
import { createHandler } from "../server/mod.ts";
import { RawSocket, serve } from "./_server.ts";
import { waitFor } from "./_wait.ts";

const api = router({
  whoami: procedure({ output: z.string() }),
  fail: procedure({ input: z.string(), output: z.null() }),
  feed: subscription({ output: z.number() }),
});

function startServer() {
  const live = { feeds: 0 };
  const rpc = createHandler(api)({
    connectionParams: z.object({ token: z.string() }),
    context: (_request, { params }) => {
      if (params.token !== "secret") throw new RpcError(ErrorCode.Unauthorized, "Bad token");
      return { user: "ada" };
    },
    onError: () => {},
    handlers: {
      whoami: ({ ctx }) => ctx.user,
      fail: ({ input }) => {
        // Things that are not errors, thrown; and a rejected promise.
        if (input === "null") throw null;
        if (input === "undefined") throw undefined;
        if (input === "string") throw "a string";
        if (input === "hostile") {
          throw {
            get message(): string {
              throw new Error("a getter that throws");
            },
          };
        }
        return Promise.reject(new Error("rejected"));
      },
      feed: async function* ({ signal }) {
        live.feeds++;
        try {
          let n = 0;
          while (!signal.aborted) {
            yield n++;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        } finally {
          live.feeds--;
        }
      },
    },
  });
  return { server: serve(rpc), rpc, live };
}

/** A signed-in raw socket. */
async function signIn(url: string): Promise<RawSocket> {
  const socket = await RawSocket.open(url);
  socket.send({ jsonrpc: "2.0", method: "rpc.connect", params: { token: "secret" } });
  return socket;
}

/** Asserts that a fresh client is still served. */
async function assertStillServing(url: string): Promise<void> {
  await using socket = await signIn(url);
  assert.deepEqual(await socket.request({ jsonrpc: "2.0", id: "alive", method: "whoami" }), {
    jsonrpc: "2.0",
    id: "alive",
    result: "ada",
  });
}

Deno.test("bad connection params close that socket with 4400 and crash nothing (tRPC CVE-2025-43855)", async () => {
  const { server, rpc } = startServer();
  const firstFrames = [
    '{"jsonrpc":"2.0","method":"rpc.connect","params":null}',
    '{"jsonrpc":"2.0","method":"rpc.connect","params":"token"}',
    '{"jsonrpc":"2.0","method":"rpc.connect","params":{"token":{"toString":1}}}',
    '{"jsonrpc":"2.0","method":"rpc.connect","params":{"__proto__":{"token":"secret"}}}',
    '{"jsonrpc":"2.0","method":"rpc.connect","params":{"token":"secret"},"meta":{"values":{"token":["bigint"]}}}',
    '{"jsonrpc":"2.0","method":"rpc.connect","params":{"token":"secret"},"meta":"x"}',
    '{"jsonrpc":"2.0","method":"rpc.connect","params":{"tok',
    '{"jsonrpc":"2.0","method":"rpc.connect"}',
    "[]",
    "",
  ];
  for (const frame of firstFrames) {
    const socket = await RawSocket.open(server.url);
    socket.send(frame);
    const { code } = await socket.closed;
    assert.equal(code, CloseCode.BadConnectionParams, frame);
  }
  await waitFor(() => rpc.connections === 0, "the refused sockets to go");
  await assertStillServing(server.url);
  await server.close();
});

Deno.test('{"id":null} is answered, never a crash (tRPC issue 1575)', async () => {
  const { server } = startServer();
  await using socket = await signIn(server.url);
  const frames: Array<[string, unknown]> = [
    ['{"jsonrpc":"2.0","id":null,"method":"whoami"}', { jsonrpc: "2.0", id: null, result: "ada" }],
    ['{"id":null}', ErrorCode.InvalidRequest],
    ['{"jsonrpc":"2.0","id":null}', ErrorCode.InvalidRequest],
    ['{"jsonrpc":"2.0","id":null,"method":null}', ErrorCode.InvalidRequest],
    ['{"jsonrpc":"2.0","id":null,"method":"feed"}', ErrorCode.InvalidRequest],
    ['{"jsonrpc":"2.0","id":null,"method":"rpc.unsubscribe","params":[null]}', false],
    ['{"jsonrpc":"2.0","id":null,"method":"rpc.cancel","params":{"id":null}}', false],
    ['{"jsonrpc":"2.0","id":null,"method":"nope"}', ErrorCode.MethodNotFound],
    ['[{"id":null},{"jsonrpc":"2.0","id":null,"method":"whoami"}]', "batch"],
  ];
  for (const [frame, expected] of frames) {
    const reply = await socket.request(frame);
    if (expected === "batch") {
      assert.deepEqual(reply, [
        {
          jsonrpc: "2.0",
          id: null,
          error: { code: ErrorCode.InvalidRequest, message: 'The "jsonrpc" member must be "2.0"' },
        },
        { jsonrpc: "2.0", id: null, result: "ada" },
      ]);
    } else if (typeof expected === "number") {
      assert.equal((reply as { id: unknown }).id, null, frame);
      assert.equal((reply as { error: { code: number } }).error.code, expected, frame);
    } else if (typeof expected === "boolean") {
      assert.deepEqual(reply, { jsonrpc: "2.0", id: null, result: expected }, frame);
    } else assert.deepEqual(reply, expected, frame);
  }
  await assertStillServing(server.url);
  await server.close();
});

Deno.test("a malformed frame or a strange throw is never an unhandled rejection (oRPC issue 1615, socket.io CVE-2024-38355)", async () => {
  const { server } = startServer();
  await using socket = await signIn(server.url);
  const malformed = [
    '{"jsonrpc":"2.0","id":1,"method":"whoami"',
    '{"jsonrpc":"2.0","id":1,"method":"whoami"}}',
    "[{",
    "[1,{}]",
    '{"jsonrpc":"2.0","id":1,"method":"whoami","params":"x"}',
    '{"jsonrpc":"2.0","id":1,"method":"whoami","meta":[]}',
    '{"jsonrpc":"2.0","id":1,"method":"whoami","lastEventId":5}',
    '{"jsonrpc":"2.0","id":1,"method":"rpc.unsubscribe","params":{"subscription":{"a":1}}}',
  ];
  for (const frame of malformed) {
    const reply = await socket.request(frame);
    assert.ok(reply !== undefined, frame);
  }
  for (const thrown of ["null", "undefined", "string", "hostile", "rejected"]) {
    const reply = await socket.request({
      jsonrpc: "2.0",
      id: thrown,
      method: "fail",
      params: [thrown],
    });
    assert.deepEqual(reply, {
      jsonrpc: "2.0",
      id: thrown,
      error: { code: ErrorCode.InternalError, message: "Internal error" },
    });
  }
  // Notifications that fail have nowhere to report to; they must not reject either.
  socket.send({ jsonrpc: "2.0", method: "fail", params: ["rejected"] });
  socket.send({ jsonrpc: "2.0", method: "fail", params: [42] });
  await socket.expectSilence(50);
  await assertStillServing(server.url);
  await server.close();
});

Deno.test("a duplicate subscription id is refused and the first one keeps running", async () => {
  const { server, live } = startServer();
  await using socket = await signIn(server.url);
  assert.deepEqual(await socket.request({ jsonrpc: "2.0", id: "s", method: "feed" }), {
    jsonrpc: "2.0",
    id: "s",
    result: { subscription: "s" },
  });
  socket.send({ jsonrpc: "2.0", id: "s", method: "feed" });
  socket.send({ jsonrpc: "2.0", id: "s", method: "whoami" });
  const refusals: unknown[] = [];
  let events = 0;
  while (refusals.length < 2) {
    const frame = await socket.next() as { method?: string };
    if (frame.method === "rpc.data") events++;
    else refusals.push(frame);
  }
  const inUse = {
    jsonrpc: "2.0",
    id: "s",
    error: { code: ErrorCode.InvalidRequest, message: "Request id s is already in use" },
  };
  assert.deepEqual(refusals, [inUse, inUse]);
  assert.equal(live.feeds, 1);
  socket.send({ jsonrpc: "2.0", method: "rpc.unsubscribe", params: ["s"] });
  await waitFor(() => live.feeds === 0, "the subscription to end");
  await server.close();
});

Deno.test("unbounded subscriptions per connection are refused past maxSubscriptions", async () => {
  const { server, rpc, live } = startServer();
  const socket = await signIn(server.url);
  const batch = (from: number) =>
    Array.from({ length: 100 }, (_, i) => ({ jsonrpc: "2.0", id: from + i, method: "feed" }));
  const replies: Array<{ id: number; result?: unknown; error?: { code: number } }> = [];
  for (let from = 0; from < 1000; from += 100) {
    socket.send(batch(from));
    while (true) {
      const frame = await socket.next();
      if (Array.isArray(frame)) {
        replies.push(...frame);
        break;
      }
    }
  }
  const accepted = replies.filter((reply) => reply.result !== undefined).length;
  const refused = replies.filter((reply) => reply.error?.code === ErrorCode.TooManyRequests);
  assert.equal(accepted, 100, "the default limit");
  assert.equal(refused.length, 900);
  await waitFor(() => live.feeds === 100, "the accepted ones to run");
  await socket.close();
  await waitFor(() => live.feeds === 0 && rpc.connections === 0, "all of them to end");
  await server.close();
});
