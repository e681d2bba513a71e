/**
 * The typed client against a real server over a real socket: results, errors,
 * validation on both sides, middleware, connection context, and closing.
 *
 * @module
 */

import * as z from "zod";
import assert from "node:assert/strict";
import { ErrorCode, procedure, router, RpcError, subscription } from "../mod.ts";
import { createHandler, type ErrorInfo, type Middleware, use } from "../server/mod.ts";
import { createClient } from "../client/mod.ts";
import { RawSocket, serve } from "./_server.ts";

/** Awaits a rejection and returns it as an `RpcError`, failing if it is anything else. */
async function rejection(promise: PromiseLike<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RpcError, `expected an RpcError, got ${error}`);
    return error;
  }
  assert.fail("expected the call to fail");
}

/** Collects what `onError` hears. */
function errorLog<TCtx = unknown>(): {
  errors: Array<{ error: RpcError; info: ErrorInfo<TCtx> }>;
  onError: (error: RpcError, info: ErrorInfo<TCtx>) => void;
} {
  const errors: Array<{ error: RpcError; info: ErrorInfo<TCtx> }> = [];
  return { errors, onError: (error, info) => errors.push({ error, info }) };
}

const api = router({
  hello: procedure({ input: z.string(), output: z.string() }),
  now: procedure({ output: z.number() }),
  greet: procedure({ input: z.string().optional(), output: z.string() }),
  chat: router({
    send: procedure({
      input: z.object({
        room: z.string(),
        text: z.string().min(1).max(20),
        mentions: z.array(z.string()).optional(),
      }),
      output: z.object({ id: z.number(), room: z.string() }),
    }),
    count: subscription({ input: z.object({ to: z.number().int().max(10) }), output: z.number() }),
  }),
});

/** Handlers for `api` that count their calls. */
function countingHandlers() {
  const calls = { hello: 0, send: 0, count: 0 };
  const handlers = {
    hello: ({ input }: { input: string }) => {
      calls.hello++;
      return `hello ${input}`;
    },
    now: () => 1_700_000_000_000,
    greet: ({ input }: { input: string | undefined }) => `hi ${input ?? "stranger"}`,
    chat: {
      send: ({ input }: { input: { room: string; text: string } }) => {
        calls.send++;
        return { id: input.text.length, room: input.room };
      },
      async *count({ input }: { input: { to: number } }) {
        calls.count++;
        for (let i = 1; i <= input.to; i++) yield i;
      },
    },
  };
  return { calls, handlers };
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const events: T[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

Deno.test("typed calls return what the handlers return", async (t) => {
  await using server = serve(createHandler(api, { handlers: countingHandlers().handlers }));
  const client = createClient(api, { url: server.url });
  try {
    await t.step("a procedure with input", async () => {
      assert.equal(await client.hello("world"), "hello world");
    });
    await t.step("a procedure without input", async () => {
      assert.equal(await client.now(), 1_700_000_000_000);
    });
    await t.step("a procedure whose input may be left out", async () => {
      assert.equal(await client.greet(), "hi stranger");
      assert.equal(await client.greet("Ada"), "hi Ada");
    });
    await t.step("a procedure in a nested router", async () => {
      assert.deepEqual(await client.chat.send({ room: "general", text: "hey" }), {
        id: 3,
        room: "general",
      });
    });
    await t.step("a subscription in a nested router", async () => {
      assert.deepEqual(await collect(client.chat.count({ to: 3 })), [1, 2, 3]);
    });
    await t.step("many calls in flight at once each get their own result", async () => {
      const names = Array.from({ length: 20 }, (_, i) => `n${i}`);
      const replies = await Promise.all(names.map((name) => client.hello(name)));
      assert.deepEqual(replies, names.map((name) => `hello ${name}`));
    });
  } finally {
    client.close();
  }
});

Deno.test("a handler's RpcError reaches the client with its code, message and data", async (t) => {
  const log = errorLog();
  const refusal = new RpcError(ErrorCode.Forbidden, "Admins only", {
    data: { role: "user", needs: ["admin"] },
  });
  const custom = new RpcError(4001, "Room is full", { data: { room: "general", limit: 2 } });
  await using server = serve(createHandler(api, {
    handlers: {
      ...countingHandlers().handlers,
      hello: () => {
        throw refusal;
      },
      chat: {
        ...countingHandlers().handlers.chat,
        send: () => Promise.reject(custom),
      },
    },
    onError: log.onError,
  }));
  const client = createClient(api, { url: server.url });
  try {
    await t.step("a code from the table", async () => {
      const error = await rejection(client.hello("x"));
      assert.equal(error.code, ErrorCode.Forbidden);
      assert.equal(error.codeName, "Forbidden");
      assert.equal(error.message, "Admins only");
      assert.deepEqual(error.data, { role: "user", needs: ["admin"] });
    });
    await t.step("an application code, from a rejected promise", async () => {
      const error = await rejection(client.chat.send({ room: "general", text: "hi" }));
      assert.equal(error.code, 4001);
      assert.equal(error.codeName, undefined);
      assert.equal(error.message, "Room is full");
      assert.deepEqual(error.data, { room: "general", limit: 2 });
    });
    await t.step("onError hears both, as thrown, with the path", () => {
      assert.equal(log.errors.length, 2);
      assert.equal(log.errors[0]?.error, refusal);
      assert.equal(log.errors[0]?.info.path, "hello");
      assert.equal(log.errors[1]?.error, custom);
      assert.equal(log.errors[1]?.info.path, "chat.send");
    });
  } finally {
    client.close();
  }
});

Deno.test("a plain Error from a handler reaches the client as a bare Internal error", async (t) => {
  const log = errorLog<{ user: string }>();
  const secret = new Error("db password is hunter2");
  await using server = serve(createHandler(api, {
    context: () => ({ user: "ada" }),
    handlers: {
      ...countingHandlers().handlers,
      hello: () => {
        throw secret;
      },
    },
    onError: log.onError,
  }));
  const client = createClient(api, { url: server.url });
  try {
    await t.step("the client sees -32603 Internal error and nothing else", async () => {
      const error = await rejection(client.hello("x"));
      assert.equal(error.code, ErrorCode.InternalError);
      assert.equal(error.message, "Internal error");
      assert.equal(error.data, undefined);
      assert.equal(error.cause, undefined);
    });
    await t.step("the frame on the wire carries no message, stack or cause", async () => {
      await using raw = await RawSocket.open(server.url);
      const frame = await raw.request({ jsonrpc: "2.0", id: 7, method: "hello", params: ["x"] });
      assert.deepEqual(frame, {
        jsonrpc: "2.0",
        id: 7,
        error: { code: ErrorCode.InternalError, message: "Internal error" },
      });
      assert.doesNotMatch(JSON.stringify(frame), /hunter2|Error:|at /);
    });
    await t.step("onError receives it wrapped, with the original as cause", () => {
      assert.equal(log.errors.length, 2);
      for (const { error, info } of log.errors) {
        assert.ok(error instanceof RpcError);
        assert.equal(error.code, ErrorCode.InternalError);
        assert.equal(error.cause, secret);
        assert.equal(info.path, "hello");
        assert.deepEqual(info.ctx, { user: "ada" });
      }
    });
  } finally {
    client.close();
  }
});

Deno.test("invalid input arrives as -32602 with zod's issues at error.data.issues", async (t) => {
  const { calls, handlers } = countingHandlers();
  await using server = serve(createHandler(api, { handlers }));
  const client = createClient(api, { url: server.url });
  try {
    await t.step("each issue has a path and a message", async () => {
      const error = await rejection(
        client.chat.send({ room: 42, text: "" } as unknown as { room: string; text: string }),
      );
      assert.equal(error.code, ErrorCode.InvalidParams);
      assert.equal(error.message, "Invalid params");
      const { issues } = error.data as { issues: Array<Record<string, unknown>> };
      assert.deepEqual(issues.map((issue) => issue.path), [["room"], ["text"]]);
      for (const issue of issues) {
        assert.equal(typeof issue.message, "string");
        assert.ok((issue.message as string).length > 0);
        assert.equal(typeof issue.code, "string", "zod's own fields travel along");
        assert.equal("input" in issue, false, "the rejected value is not echoed back");
      }
    });
    await t.step("a nested path keeps array indexes as numbers", async () => {
      const error = await rejection(
        client.chat.send(
          { room: "general", text: "hi", mentions: ["ada", 7, "bob", null] } as never,
        ),
      );
      const { issues } = error.data as { issues: Array<{ path: unknown[]; message: string }> };
      assert.deepEqual(issues.map((issue) => issue.path), [["mentions", 1], ["mentions", 3]]);
    });
    await t.step("a scalar input of the wrong type", async () => {
      const error = await rejection(client.hello(5 as unknown as string));
      assert.equal(error.code, ErrorCode.InvalidParams);
      const { issues } = error.data as { issues: Array<{ path: unknown[]; message: string }> };
      assert.deepEqual(issues.map((issue) => issue.path), [[]]);
    });
    await t.step("no handler ran", () => {
      assert.deepEqual(calls, { hello: 0, send: 0, count: 0 });
    });
  } finally {
    client.close();
  }
});

Deno.test("validateInput: true rejects a bad call before anything is sent", async (t) => {
  const { calls, handlers } = countingHandlers();
  let connections = 0;
  await using server = serve(createHandler(api, {
    context: () => {
      connections++;
    },
    handlers,
  }));
  const client = createClient(api, { url: server.url, validateInput: true });
  try {
    await t.step("a bad call fails with the same error the server would give", async () => {
      const error = await rejection(
        client.chat.send({ room: "general", text: "" }),
      );
      assert.equal(error.code, ErrorCode.InvalidParams);
      const { issues } = error.data as { issues: Array<{ path: unknown[]; message: string }> };
      assert.deepEqual(issues.map((issue) => issue.path), [["text"]]);
      assert.equal(typeof issues[0]?.message, "string");
    });
    await t.step("a bad subscription fails the same way", async () => {
      const error = await rejection(collect(client.chat.count({ to: 11 })));
      assert.equal(error.code, ErrorCode.InvalidParams);
    });
    await t.step("nothing reached the server: no connection, no handler", () => {
      assert.equal(connections, 0);
      assert.deepEqual(calls, { hello: 0, send: 0, count: 0 });
    });
    await t.step("a good call still goes through", async () => {
      assert.deepEqual(await client.chat.send({ room: "general", text: "hi" }), {
        id: 2,
        room: "general",
      });
      assert.deepEqual(await collect(client.chat.count({ to: 2 })), [1, 2]);
      assert.equal(connections, 1);
      assert.deepEqual(calls, { hello: 0, send: 1, count: 1 });
    });
  } finally {
    client.close();
  }
});

Deno.test("output validation turns a bad result into an Internal error and reports it", async (t) => {
  const bad = router({
    profile: procedure({ output: z.object({ name: z.string(), age: z.number() }) }),
    ages: subscription({ output: z.number() }),
  });
  const handlers = {
    profile: () => ({ name: "Ada", age: "36" }) as unknown as { name: string; age: number },
    async *ages() {
      yield 36;
      yield "thirty-seven" as unknown as number;
      yield 38;
    },
  };

  await t.step("on by default", async () => {
    const log = errorLog();
    await using server = serve(createHandler(bad, { handlers, onError: log.onError }));
    const client = createClient(bad, { url: server.url });
    try {
      const error = await rejection(client.profile());
      assert.equal(error.code, ErrorCode.InternalError);
      assert.equal(error.message, "Internal error");
      assert.equal(error.data, undefined, "the issues stay on the server");

      const events: number[] = [];
      const failure = await rejection(
        (async () => {
          for await (const age of client.ages()) events.push(age);
        })(),
      );
      assert.deepEqual(events, [36], "the bad event ends the subscription");
      assert.equal(failure.code, ErrorCode.InternalError);

      assert.equal(log.errors.length, 2);
      const [call, event] = log.errors;
      assert.equal(call?.info.path, "profile");
      assert.equal(call?.error.code, ErrorCode.InternalError);
      assert.equal(call?.error.message, "Invalid output");
      const issues = (call?.error.data as { issues: Array<{ path: unknown[] }> }).issues;
      assert.deepEqual(issues.map((issue) => issue.path), [["age"]]);
      assert.equal(event?.info.path, "ages");
      assert.equal(event?.error.message, "Invalid output");
    } finally {
      client.close();
    }
  });

  await t.step("validateOutput: false sends the result as it is", async () => {
    const log = errorLog();
    await using server = serve(
      createHandler(bad, { handlers, validateOutput: false, onError: log.onError }),
    );
    const client = createClient(bad, { url: server.url });
    try {
      assert.deepEqual(await client.profile(), { name: "Ada", age: "36" });
      assert.deepEqual(await collect(client.ages()), [36, "thirty-seven", 38]);
      assert.equal(log.errors.length, 0);
    } finally {
      client.close();
    }
  });
});

type Ctx = { user: string | undefined; role: string | undefined };

/** Makes the context from the `user` and `role` query parameters of the upgrade URL. */
function contextFromQuery(request: Request): Ctx {
  const query = new URL(request.url).searchParams;
  return { user: query.get("user") ?? undefined, role: query.get("role") ?? undefined };
}

Deno.test("per-procedure middleware composes with use, and can refuse a call", async (t) => {
  const trail: string[] = [];
  let handled = 0;
  const authed: Middleware<Ctx, { user: string; role: string | undefined }> = async (
    { ctx, next },
  ) => {
    if (ctx.user === undefined) throw new RpcError(ErrorCode.Unauthorized, "Sign in first");
    trail.push("authed before");
    const result = await next({ user: ctx.user, role: ctx.role });
    trail.push("authed after");
    return result;
  };
  const admin: Middleware<
    { user: string; role: string | undefined },
    { user: string; admin: true }
  > = async ({ ctx, next, path }) => {
    if (ctx.role !== "admin") {
      throw new RpcError(ErrorCode.Forbidden, "Admins only", { data: { path } });
    }
    trail.push("admin before");
    const result = await next({ user: ctx.user, admin: true });
    trail.push("admin after");
    return result;
  };
  const handler = use(
    authed,
    use(admin, ({ input, ctx }) => {
      handled++;
      trail.push(`handler ${ctx.user} ${ctx.admin}`);
      return `${input} by ${ctx.user}`;
    }),
  );
  await using server = serve(createHandler(api, {
    context: contextFromQuery,
    handlers: { ...countingHandlers().handlers, hello: handler },
  }));

  await t.step("both run, outermost first, and the result comes back through them", async () => {
    const client = createClient(api, { url: `${server.url}?user=ada&role=admin` });
    try {
      assert.equal(await client.hello("hi"), "hi by ada");
      assert.deepEqual(trail, [
        "authed before",
        "admin before",
        "handler ada true",
        "admin after",
        "authed after",
      ]);
    } finally {
      client.close();
    }
  });

  await t.step("the outer one refuses with Unauthorized", async () => {
    const client = createClient(api, { url: server.url });
    try {
      const error = await rejection(client.hello("hi"));
      assert.equal(error.code, ErrorCode.Unauthorized);
      assert.equal(error.message, "Sign in first");
    } finally {
      client.close();
    }
  });

  await t.step("the inner one refuses with Forbidden and data", async () => {
    const client = createClient(api, { url: `${server.url}?user=bob&role=guest` });
    try {
      const error = await rejection(client.hello("hi"));
      assert.equal(error.code, ErrorCode.Forbidden);
      assert.equal(error.message, "Admins only");
      assert.deepEqual(error.data, { path: "hello" });
    } finally {
      client.close();
    }
  });

  await t.step("a refused call never reaches the handler", () => {
    assert.equal(handled, 1);
  });
});

Deno.test("global middleware runs around every call, outside per-procedure middleware", async () => {
  const trail: string[] = [];
  const perProcedure: Middleware<Ctx> = async ({ ctx, next }) => {
    trail.push("use before");
    const result = await next(ctx);
    trail.push("use after");
    return result;
  };
  const { handlers } = countingHandlers();
  await using server = serve(createHandler(api, {
    context: contextFromQuery,
    middleware: [
      async ({ ctx, next, path, kind }) => {
        trail.push(`outer before ${path} ${kind} ${ctx.user}`);
        const result = await next(ctx);
        trail.push(`outer after ${path}`);
        return result;
      },
      async ({ ctx, next, path }) => {
        if (path === "greet" && ctx.role !== "admin") {
          throw new RpcError(ErrorCode.Forbidden, "Not today");
        }
        trail.push(`inner before ${path}`);
        const result = await next({ ...ctx, user: ctx.user?.toUpperCase() });
        trail.push(`inner after ${path}`);
        return result;
      },
    ],
    handlers: {
      ...handlers,
      hello: use(perProcedure, ({ input, ctx }) => {
        trail.push("handler");
        return `${input} ${ctx.user}`;
      }),
    },
  }));
  const client = createClient(api, { url: `${server.url}?user=ada` });
  try {
    assert.equal(await client.hello("hi"), "hi ADA", "a middleware can hand on a new ctx");
    assert.deepEqual(await collect(client.chat.count({ to: 1 })), [1]);
    const refused = await rejection(client.greet());
    assert.equal(refused.code, ErrorCode.Forbidden);
    assert.deepEqual(trail, [
      "outer before hello procedure ada",
      "inner before hello",
      "use before",
      "handler",
      "use after",
      "inner after hello",
      "outer after hello",
      "outer before chat.count subscription ada",
      "inner before chat.count",
      "inner after chat.count",
      "outer after chat.count",
      "outer before greet procedure ada",
    ]);
  } finally {
    client.close();
  }
});

Deno.test("context is made once per connection from the upgrade request", async () => {
  const made: string[] = [];
  await using server = serve(createHandler(api, {
    context: (request: Request) => {
      const ctx = contextFromQuery(request);
      made.push(ctx.user ?? "nobody");
      return ctx;
    },
    handlers: {
      ...countingHandlers().handlers,
      hello: ({ input, ctx }) => `${input} ${ctx.user}`,
      greet: async ({ ctx }) => await Promise.resolve(`role ${ctx.role}`),
    },
  }));
  const ada = createClient(api, { url: `${server.url}?user=ada&role=admin` });
  const bob = createClient(api, { url: `${server.url}?user=bob` });
  try {
    assert.equal(await ada.hello("hi"), "hi ada");
    assert.equal(await bob.hello("hi"), "hi bob");
    assert.equal(await ada.greet(), "role admin");
    assert.equal(await bob.greet(), "role undefined");
    assert.equal(await ada.hello("again"), "again ada");
    assert.deepEqual(made.toSorted(), ["ada", "bob"]);
  } finally {
    ada.close();
    bob.close();
  }
});

Deno.test("a context that throws refuses the upgrade with an HTTP status", async (t) => {
  const upgrade = (query = "") =>
    new Request(`http://127.0.0.1/rpc${query}`, {
      headers: { upgrade: "websocket", connection: "Upgrade" },
    });
  const log = errorLog();
  const rpc = createHandler(api, {
    context: (request: Request): Ctx => {
      const ctx = contextFromQuery(request);
      if (ctx.user === undefined) throw new RpcError(ErrorCode.Unauthorized, "Sign in first");
      if (ctx.user === "mallory") throw new RpcError(ErrorCode.Forbidden, "Banned");
      if (ctx.user === "crash") throw new Error("token store is down at 10.0.0.7");
      return ctx;
    },
    handlers: countingHandlers().handlers,
    onError: log.onError,
  });

  await t.step("Unauthorized is 401, with the error's message", async () => {
    const request = upgrade();
    const response = await rpc(request);
    assert.equal(response.status, 401);
    assert.equal(await response.text(), "401 Sign in first\n");
    const reported = log.errors.at(-1);
    assert.equal(reported?.error.code, ErrorCode.Unauthorized);
    assert.equal(reported?.info.request, request);
  });

  await t.step("Forbidden is 403", async () => {
    const response = await rpc(upgrade("?user=mallory"));
    assert.equal(response.status, 403);
    assert.equal(await response.text(), "403 Banned\n");
  });

  await t.step("any other error is 500, and says nothing more", async () => {
    const response = await rpc(upgrade("?user=crash"));
    assert.equal(response.status, 500);
    assert.equal(await response.text(), "500 Internal error\n");
    const reported = log.errors.at(-1);
    assert.equal(reported?.error.code, ErrorCode.InternalError);
    assert.match(String((reported?.error.cause as Error).message), /token store/);
  });

  await t.step(
    "a client that doesn't reconnect then fails its call with ConnectionLost",
    async () => {
      await using server = serve(rpc);
      const client = createClient(api, { url: server.url, reconnect: false });
      try {
        const error = await rejection(client.hello("hi"));
        assert.equal(error.code, ErrorCode.ConnectionLost);
        assert.equal(client.connection.state, "closed");
      } finally {
        client.close();
      }
    },
  );

  await t.step("a client that reconnects keeps trying until the call times out", async () => {
    await using server = serve(rpc);
    const client = createClient(api, {
      url: server.url,
      reconnect: { baseDelay: 10, maxDelay: 20 },
    });
    try {
      const error = await rejection(client.hello("hi", { timeout: 200 }));
      assert.equal(error.code, ErrorCode.Timeout);
      assert.match(error.message, /hello/);
      assert.equal(client.connection.state, "reconnecting");
    } finally {
      client.close();
    }
  });
});

Deno.test("a request that is not a WebSocket upgrade gets 426 and a clear body", async () => {
  await using server = serve(createHandler(api, { handlers: countingHandlers().handlers }));
  const response = await fetch(server.url.replace(/^ws:/, "http:"));
  assert.equal(response.status, 426);
  assert.equal(response.headers.get("upgrade"), "websocket");
  const body = await response.text();
  assert.match(body, /^426 Upgrade Required/);
  assert.match(body, /JSON-RPC 2\.0 over WebSocket/);
});

Deno.test("a client made from the contract's type alone calls procedures and subscriptions", async () => {
  await using server = serve(createHandler(api, { handlers: countingHandlers().handlers }));
  const client = createClient<typeof api>({ url: server.url });
  try {
    assert.equal(await client.hello("types"), "hello types");
    assert.equal(await client.now(), 1_700_000_000_000);
    assert.equal(await client.greet(), "hi stranger");
    assert.deepEqual(await client.chat.send({ room: "r", text: "abc" }), { id: 3, room: "r" });
    assert.deepEqual(await collect(client.chat.count({ to: 3 })), [1, 2, 3]);
    const events: number[] = [];
    await new Promise<void>((resolve, reject) => {
      client.chat.count({ to: 2 }).subscribe({
        onData: (event) => events.push(event),
        onError: reject,
        onComplete: resolve,
      });
    });
    assert.deepEqual(events, [1, 2]);
    const error = await rejection(client.hello(1 as unknown as string));
    assert.equal(error.code, ErrorCode.InvalidParams, "the server still validates");
  } finally {
    client.close();
  }
});

Deno.test("a call to a method the server doesn't have gets -32601", async () => {
  const bigger = router({
    ...api.routes,
    extra: procedure({ output: z.string() }),
    admin: router({
      wipe: procedure({ input: z.object({ really: z.boolean() }), output: z.null() }),
    }),
  });
  await using server = serve(createHandler(api, { handlers: countingHandlers().handlers }));
  const client = createClient<typeof bigger>({ url: server.url });
  try {
    const error = await rejection(client.extra());
    assert.equal(error.code, ErrorCode.MethodNotFound);
    assert.equal(error.message, "Method not found: extra");
    const nested = await rejection(client.admin.wipe({ really: true }));
    assert.equal(nested.code, ErrorCode.MethodNotFound);
    assert.equal(nested.message, "Method not found: admin.wipe");
    assert.equal(await client.hello("still fine"), "hello still fine");
  } finally {
    client.close();
  }
});

Deno.test("client.close() rejects pending calls with ConnectionLost", async (t) => {
  const started = Promise.withResolvers<void>();
  const aborted = Promise.withResolvers<unknown>();
  const slow = router({
    wait: procedure({ output: z.string() }),
    ticks: subscription({ output: z.number() }),
  });
  await using server = serve(createHandler(slow, {
    handlers: {
      wait: ({ signal }) =>
        new Promise<string>((_, reject) => {
          started.resolve();
          signal.addEventListener("abort", () => {
            aborted.resolve(signal.reason);
            reject(signal.reason);
          });
        }),
      async *ticks({ signal }) {
        yield 1;
        // Never ends by itself; only the connection closing ends it.
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
      },
    },
    onError: () => {},
  }));
  const client = createClient(slow, { url: server.url });
  const pending = client.wait();
  const ticks: number[] = [];
  const firstTick = Promise.withResolvers<void>();
  const reading = (async () => {
    for await (const tick of client.ticks()) {
      ticks.push(tick);
      firstTick.resolve();
    }
    return "ended";
  })();
  await Promise.all([started.promise, firstTick.promise]);
  client.close();

  await t.step("the pending call rejects with ConnectionLost", async () => {
    const error = await rejection(pending);
    assert.equal(error.code, ErrorCode.ConnectionLost);
    assert.equal(error.codeName, "ConnectionLost");
  });
  await t.step("an open subscription ends quietly", async () => {
    assert.equal(await reading, "ended");
    assert.deepEqual(ticks, [1]);
  });
  await t.step("the server sees the connection go and aborts the handler", async () => {
    const reason = await aborted.promise;
    assert.ok(reason instanceof RpcError);
    assert.equal(reason.code, ErrorCode.Cancelled);
  });
  await t.step("a call made after close() rejects with ConnectionLost too", async () => {
    const error = await rejection(client.wait());
    assert.equal(error.code, ErrorCode.ConnectionLost);
  });
});

Deno.test("a top-level route named close is refused by createClient", () => {
  const clashing = router({ close: procedure({ output: z.null() }) });
  assert.throws(() => createClient(clashing, { url: "ws://127.0.0.1:1/rpc" }), {
    name: "TypeError",
    message: '"close" is reserved on the client; move that route into a router',
  });
  const nested = router({ room: router({ close: procedure({ output: z.null() }) }) });
  const client = createClient(nested, { url: "ws://127.0.0.1:1/rpc" });
  assert.equal(typeof client.room.close, "function");
  client.close();
});
