/**
 * Authentication: at the handshake from a cookie or header, or, for browsers
 * (which can't set headers on a WebSocket), from the connection params of a
 * first `rpc.connect` frame. Raw frames, as a browser client would send them.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { ErrorCode, procedure, router, RpcError } from "../mod.ts";
import { CloseCode } from "../protocol.ts";
import { type ContextExtra, createHandler, type ErrorInfo, type Limits } from "../server/mod.ts";
import { createClient } from "../client/mod.ts";
import { RawSocket, serve } from "./_server.ts";
import { sleep, waitFor } from "./_wait.ts";

const api = router({
  whoami: procedure({ output: z.string() }),
  echo: procedure({ input: z.string(), output: z.string() }),
});

const Params = z.object({ token: z.string().min(1), since: z.date().optional() });
type Params = z.infer<typeof Params>;

const TOKENS: Record<string, string> = { "t-ada": "ada", "t-bob": "bob" };

/** A server that reads a token from the `rpc.connect` frame. */
function startServer(
  options: { contextDelay?: number; limits?: Partial<Limits> } = {},
) {
  const made: Array<{ params: Params; ip: string | undefined }> = [];
  const errors: Array<{ error: RpcError; info: ErrorInfo<{ user: string }> }> = [];
  const rpc = createHandler(api)({
    connectionParams: Params,
    limits: options.limits,
    context: async (_request, { params, info }) => {
      made.push({
        params,
        ip: info?.remoteAddr.transport === "tcp" ? info.remoteAddr.hostname : undefined,
      });
      if (options.contextDelay) await sleep(options.contextDelay);
      if (params.token === "t-crash") throw new Error("token store is down");
      if (params.token === "t-mallory") throw new RpcError(ErrorCode.Forbidden, "Banned");
      const user = TOKENS[params.token];
      if (user === undefined) throw new RpcError(ErrorCode.Unauthorized, "Unknown token");
      return { user };
    },
    onError: (error, info) => errors.push({ error, info }),
    handlers: {
      whoami: ({ ctx }) => ctx.user,
      echo: ({ input, ctx }) => `${ctx.user}: ${input}`,
    },
  });
  return { server: serve(rpc), rpc, made, errors };
}

const connect = (params: unknown, meta?: unknown) => ({
  jsonrpc: "2.0",
  method: "rpc.connect",
  params,
  ...(meta === undefined ? {} : { meta }),
});

Deno.test("a browser signs in with rpc.connect as its first frame", async (t) => {
  const { server, made } = startServer();

  await t.step("the params become the context; calls see the user", async () => {
    await using socket = await RawSocket.open(server.url);
    socket.send(connect({ token: "t-ada" }));
    assert.deepEqual(await socket.request({ jsonrpc: "2.0", id: 1, method: "whoami" }), {
      jsonrpc: "2.0",
      id: 1,
      result: "ada",
    });
    assert.deepEqual(made.at(-1), { params: { token: "t-ada" }, ip: "127.0.0.1" });
  });

  await t.step("params are decoded with the codec, so a Date arrives as a Date", async () => {
    await using socket = await RawSocket.open(server.url);
    socket.send(
      connect({ token: "t-bob", since: "2026-01-01T00:00:00.000Z" }, {
        values: { since: ["Date"] },
        v: 1,
      }),
    );
    assert.deepEqual(await socket.request({ jsonrpc: "2.0", id: 1, method: "whoami" }), {
      jsonrpc: "2.0",
      id: 1,
      result: "bob",
    });
    assert.ok(made.at(-1)?.params.since instanceof Date);
  });

  await t.step("a second rpc.connect later on is ignored", async () => {
    await using socket = await RawSocket.open(server.url);
    socket.send(connect({ token: "t-ada" }));
    socket.send(connect({ token: "t-bob" }));
    assert.deepEqual(await socket.request({ jsonrpc: "2.0", id: 1, method: "whoami" }), {
      jsonrpc: "2.0",
      id: 1,
      result: "ada",
    });
  });

  await t.step(
    "a second rpc.connect sent as a request is answered that it changed nothing",
    async () => {
      await using socket = await RawSocket.open(server.url);
      socket.send(connect({ token: "t-ada" }));
      const again = { ...connect({ token: "t-bob" }), id: 2 };
      assert.deepEqual(await socket.request(again), {
        jsonrpc: "2.0",
        id: 2,
        error: {
          code: ErrorCode.InvalidRequest,
          message: "rpc.connect is only read as the first frame; this one changed nothing",
        },
      });
      assert.deepEqual(await socket.request({ jsonrpc: "2.0", id: 3, method: "whoami" }), {
        jsonrpc: "2.0",
        id: 3,
        result: "ada",
      });
    },
  );

  await server.close();
});

Deno.test("frames sent before the context is ready wait, and run in order", async () => {
  const { server } = startServer({ contextDelay: 100 });
  await using socket = await RawSocket.open(server.url);
  socket.send(connect({ token: "t-ada" }));
  socket.send({ jsonrpc: "2.0", id: 1, method: "echo", params: ["one"] });
  socket.send([
    { jsonrpc: "2.0", id: 2, method: "echo", params: ["two"] },
    { jsonrpc: "2.0", id: 3, method: "whoami" },
  ]);
  assert.deepEqual(await socket.next(), { jsonrpc: "2.0", id: 1, result: "ada: one" });
  assert.deepEqual(await socket.next(), [
    { jsonrpc: "2.0", id: 2, result: "ada: two" },
    { jsonrpc: "2.0", id: 3, result: "ada" },
  ]);
  await server.close();
});

Deno.test("the wsrpc client's connectionParams sign it in, and its first calls wait for the context", async (t) => {
  const { server } = startServer({ contextDelay: 50 });

  await t.step("calls made at once are answered as the signed-in user", async () => {
    const client = createClient(api, {
      url: server.url,
      connectionParams: async () => await Promise.resolve({ token: "t-bob" }),
    });
    try {
      const replies = await Promise.all([client.whoami(), client.echo("a"), client.echo("b")]);
      assert.deepEqual(replies, ["bob", "bob: a", "bob: b"]);
    } finally {
      client.close();
    }
  });

  await t.step("a refused token fails the calls with Unauthorized, for good", async () => {
    const client = createClient(api, { url: server.url, connectionParams: { token: "t-nobody" } });
    try {
      await assert.rejects(client.whoami(), (error: unknown) => {
        assert.ok(error instanceof RpcError);
        assert.equal(error.code, ErrorCode.Unauthorized);
        assert.equal(error.message, "Unknown token");
        return true;
      });
    } finally {
      client.close();
    }
  });

  await server.close();
});

Deno.test("a refused handshake closes the socket with a documented code", async (t) => {
  const { server, rpc, errors } = startServer();
  const closeOf = async (...frames: unknown[]) => {
    const socket = await RawSocket.open(server.url);
    for (const frame of frames) socket.send(frame);
    const { code, reason } = await socket.closed;
    return { code, reason };
  };

  await t.step("a first frame that is not rpc.connect: 4400", async () => {
    assert.deepEqual(await closeOf({ jsonrpc: "2.0", id: 1, method: "whoami" }), {
      code: CloseCode.BadConnectionParams,
      reason: 'The first frame must be the notification "rpc.connect"',
    });
    assert.equal((await closeOf("not json")).code, CloseCode.BadConnectionParams);
    const asRequest = { ...connect({ token: "t-ada" }), id: 1 };
    assert.equal((await closeOf(asRequest)).code, CloseCode.BadConnectionParams);
  });

  await t.step("params that fail the schema: 4400, naming the problem", async () => {
    const { code, reason } = await closeOf(connect({ token: "" }));
    assert.equal(code, CloseCode.BadConnectionParams);
    assert.match(reason, /^Invalid connection params: token: /);
    assert.equal((await closeOf(connect(undefined))).code, CloseCode.BadConnectionParams);
    assert.equal((await closeOf(connect([1, 2]))).code, CloseCode.BadConnectionParams);
  });

  await t.step("hostile meta in the params: 4400", async () => {
    const meta = { values: { "__proto__.polluted": ["undefined"] } };
    assert.deepEqual(await closeOf(connect({ token: "t-ada" }, meta)), {
      code: CloseCode.BadConnectionParams,
      reason: "Invalid connection params: bad meta",
    });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  await t.step("context refuses as Unauthorized: 4401 with its message", async () => {
    assert.deepEqual(await closeOf(connect({ token: "t-nobody" })), {
      code: CloseCode.Unauthorized,
      reason: "Unknown token",
    });
  });

  await t.step("context refuses as Forbidden: 4403", async () => {
    assert.deepEqual(await closeOf(connect({ token: "t-mallory" })), {
      code: CloseCode.Forbidden,
      reason: "Banned",
    });
  });

  await t.step("context fails unexpectedly: 1011, saying nothing more", async () => {
    assert.deepEqual(await closeOf(connect({ token: "t-crash" })), {
      code: CloseCode.InternalError,
      reason: "Internal error",
    });
    const reported = errors.at(-1);
    assert.equal(reported?.error.code, ErrorCode.InternalError);
    assert.ok(reported?.info.request instanceof Request);
  });

  await t.step("the calls queued behind a refused rpc.connect never run", async () => {
    const { code } = await closeOf(connect({ token: "t-nobody" }), {
      jsonrpc: "2.0",
      id: 1,
      method: "whoami",
    });
    assert.equal(code, CloseCode.Unauthorized);
  });

  await waitFor(() => rpc.connections === 0, "every refused socket to be let go");
  await server.close();
});

Deno.test("a client that never sends rpc.connect is closed with 4408", async () => {
  const { server, rpc } = startServer({ limits: { handshakeTimeout: 100 } });
  const socket = await RawSocket.open(server.url);
  const { code, reason } = await socket.closed;
  assert.equal(code, CloseCode.HandshakeTimeout);
  assert.equal(reason, "No rpc.connect came within 100 ms");
  await waitFor(() => rpc.connections === 0, "the socket to be let go");
  await server.close();
});

Deno.test("a context slower than handshakeTimeout closes with 4408", async () => {
  const { server } = startServer({ contextDelay: 300, limits: { handshakeTimeout: 100 } });
  const socket = await RawSocket.open(server.url);
  socket.send(connect({ token: "t-ada" }));
  const { code, reason } = await socket.closed;
  assert.equal(code, CloseCode.HandshakeTimeout);
  assert.equal(reason, "The connection was not accepted within 100 ms");
  await sleep(250); // let the slow context finish; its result is dropped
  await server.close();
});

Deno.test("too much sent while the context is being made closes with 4429", async () => {
  const { server } = startServer({ contextDelay: 200, limits: { maxMessageSize: 1000 } });
  const socket = await RawSocket.open(server.url);
  socket.send(connect({ token: "t-ada" }));
  for (let id = 0; id < 20; id++) {
    socket.send({ jsonrpc: "2.0", id, method: "echo", params: ["x".repeat(100)] });
  }
  const { code } = await socket.closed;
  assert.equal(code, CloseCode.TooManyRequests);
  await sleep(250);
  await server.close();
});

Deno.test("without connectionParams, context runs at the handshake with the request and info", async (t) => {
  let extra: ContextExtra<undefined> | undefined;
  const rpc = createHandler(api, {
    context: (request: Request, given: ContextExtra<undefined>) => {
      extra = given;
      const cookie = request.headers.get("cookie") ?? "";
      const user = /(?:^|; )session=([^;]+)/.exec(cookie)?.[1];
      if (user === undefined) throw new RpcError(ErrorCode.Unauthorized, "Sign in first");
      return { user };
    },
    onError: () => {},
    handlers: {
      whoami: ({ ctx }) => ctx.user,
      echo: ({ input }) => input,
    },
  });
  await using server = serve(rpc);

  await t.step("a session cookie becomes the context; params are undefined", async () => {
    const socket = new WebSocket(server.url, { headers: { cookie: "theme=dark; session=ada" } });
    await new Promise((resolve) => socket.onopen = resolve);
    const reply = new Promise<MessageEvent>((resolve) => socket.onmessage = resolve);
    socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "whoami" }));
    assert.deepEqual(JSON.parse((await reply).data), { jsonrpc: "2.0", id: 1, result: "ada" });
    assert.equal(extra?.params, undefined);
    assert.equal(extra?.info?.remoteAddr.transport, "tcp");
    const closed = new Promise((resolve) => socket.onclose = resolve);
    socket.close();
    await closed;
  });

  await t.step("no cookie: 401 before the upgrade", async () => {
    const response = await rpc(
      new Request("http://127.0.0.1/rpc", { headers: { upgrade: "websocket" } }),
    );
    assert.equal(response.status, 401);
    assert.equal(await response.text(), "401 Sign in first\n");
  });

  await t.step("an rpc.connect from a client that always sends one is ignored", async () => {
    const socket = new WebSocket(server.url, { headers: { cookie: "session=bob" } });
    await new Promise((resolve) => socket.onopen = resolve);
    const reply = new Promise<MessageEvent>((resolve) => socket.onmessage = resolve);
    socket.send(JSON.stringify(connect({ token: "t-ada" })));
    socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "whoami" }));
    assert.deepEqual(JSON.parse((await reply).data), { jsonrpc: "2.0", id: 1, result: "bob" });
    const closed = new Promise((resolve) => socket.onclose = resolve);
    socket.close();
    await closed;
  });
});

Deno.test("a context that takes longer than handshakeTimeout before the upgrade gets 503", async () => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const rpc = createHandler(api, {
    limits: { handshakeTimeout: 50 },
    context: () =>
      new Promise<{ user: string }>((resolve) =>
        timer = setTimeout(() => resolve({ user: "late" }), 200)
      ),
    onError: () => {},
    handlers: { whoami: ({ ctx }) => ctx.user, echo: ({ input }) => input },
  });
  const response = await rpc(
    new Request("http://127.0.0.1/rpc", { headers: { upgrade: "websocket" } }),
  );
  assert.equal(response.status, 503);
  assert.equal(response.headers.get("retry-after"), "5");
  assert.equal(await response.text(), "503 The context was not made within 50 ms\n");
  clearTimeout(timer);
});
