/**
 * Type tests. `deno check` (and `deno test`, which checks first) is the runner:
 *
 * - `assertType<Equal<A, B>>()` compiles only when `A` and `B` are the same type.
 * - `// @ts-expect-error` before a line compiles only when that line has a
 *   type error, so each one proves that the compiler refuses that code.
 *
 * The functions named `_…` are never called: they exist to be type-checked.
 * The `Deno.test`s at the end check the run-time side of the same rules.
 *
 * @module
 */

import * as z from "zod";
import assert from "node:assert/strict";
import {
  type InferHandlerOutput,
  type InferInput,
  type InferOutput,
  type InferParsedInput,
  procedure,
  router,
  subscription,
} from "../mod.ts";
import {
  type ConnectionInfo,
  type ContextExtra,
  createHandler,
  type HandlerOptions,
  type Middleware,
  use,
} from "../server/mod.ts";
import { type Client, type ClientSubscription, createClient } from "../client/mod.ts";

/**
 * Exact type equality. Each side is wrapped in a generic function whose return
 * type is a conditional on its own unresolved `T`. TypeScript can't evaluate
 * such a conditional, so it relates the two functions only when the types after
 * `extends` are identical. Plain mutual assignability would be fooled: `any`
 * is assignable both ways to everything, and so are `{ a: string }` and
 * `{ readonly a: string }`.
 */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;

/** Compiles only when its type argument is `true`. Does nothing at run time. */
function assertType<_T extends true>(): void {}

// The helper must be able to fail, or every check below proves nothing.
assertType<Equal<Equal<string, string>, true>>();
// deno-lint-ignore no-explicit-any
assertType<Equal<Equal<string, any>, false>>();
assertType<Equal<Equal<string | undefined, string>, false>>();
assertType<Equal<Equal<{ a: string }, { readonly a: string }>, false>>();
// @ts-expect-error: a false comparison does not compile
assertType<Equal<number, string>>();

const api = router({
  hello: procedure({ input: z.string(), output: z.string() }),
  now: procedure({ output: z.date() }),
  greet: procedure({ input: z.string().optional(), output: z.string() }),
  // The handler sees the parsed input and returns the output schema's input;
  // the client sends the input schema's input and receives the parsed output.
  measure: procedure({
    input: z.string().transform((text) => text.length),
    output: z.number().transform((length) => `${length} characters`),
  }),
  chat: router({
    send: procedure({
      input: z.object({ room: z.string(), text: z.string() }),
      output: z.object({ id: z.number(), at: z.date() }),
    }),
    messages: subscription({
      input: z.object({ room: z.string() }),
      output: z.object({ text: z.string(), at: z.date() }),
    }),
    ticks: subscription({ output: z.number() }),
  }),
});
type Api = typeof api;

// ---------------------------------------------------------------------------
// The contract's inference helpers.

function _contractTypes(): void {
  type Routes = Api["routes"];
  assertType<Equal<InferInput<Routes["hello"]>, string>>();
  assertType<Equal<InferOutput<Routes["hello"]>, string>>();
  assertType<Equal<InferInput<Routes["now"]>, void>>();
  assertType<Equal<InferParsedInput<Routes["now"]>, undefined>>();
  assertType<Equal<InferInput<Routes["greet"]>, string | undefined>>();
  assertType<Equal<InferInput<Routes["measure"]>, string>>();
  assertType<Equal<InferParsedInput<Routes["measure"]>, number>>();
  assertType<Equal<InferHandlerOutput<Routes["measure"]>, number>>();
  assertType<Equal<InferOutput<Routes["measure"]>, string>>();
  type Messages = Routes["chat"]["routes"]["messages"];
  assertType<Equal<InferOutput<Messages>, { text: string; at: Date }>>();
}

// ---------------------------------------------------------------------------
// The server: handlers are checked against the contract.

type Ctx = { user: string | undefined };

/** Handlers that fit `api`, for tests that change one thing. */
const goodHandlers = {
  hello: ({ input }: { input: string }) => `hello ${input}`,
  now: () => new Date(),
  greet: ({ input }: { input: string | undefined }) => `hi ${input ?? "you"}`,
  measure: ({ input }: { input: number }) => input,
  chat: {
    send: () => ({ id: 1, at: new Date() }),
    async *messages() {
      yield { text: "hi", at: new Date() };
    },
    async *ticks() {
      yield 1;
    },
  },
};

function _handlerInputOutputAndCtxAreInferred(): void {
  createHandler(api, {
    // Annotate `request`: see the note in `_ctxWithoutContext`.
    context: (request: Request): Ctx => ({ user: request.headers.get("x-user") ?? undefined }),
    handlers: {
      hello: ({ input, ctx, signal, path, kind }) => {
        assertType<Equal<typeof input, string>>();
        assertType<Equal<typeof ctx, Ctx>>();
        assertType<Equal<typeof signal, AbortSignal>>();
        assertType<Equal<typeof path, string>>();
        assertType<Equal<typeof kind, "procedure" | "subscription">>();
        return input;
      },
      now: ({ input }) => {
        assertType<Equal<typeof input, undefined>>();
        return new Date();
      },
      greet: ({ input }) => {
        assertType<Equal<typeof input, string | undefined>>();
        return input ?? "";
      },
      measure: ({ input }) => {
        assertType<Equal<typeof input, number>>();
        return input;
      },
      chat: {
        send: async ({ input, ctx }) => {
          assertType<Equal<typeof input, { room: string; text: string }>>();
          assertType<Equal<typeof ctx, Ctx>>();
          return await Promise.resolve({ id: input.text.length, at: new Date() });
        },
        async *messages({ input, ctx, signal }) {
          assertType<Equal<typeof input, { room: string }>>();
          assertType<Equal<typeof ctx, Ctx>>();
          while (!signal.aborted) yield { text: input.room, at: new Date() };
        },
        async *ticks({ input }) {
          assertType<Equal<typeof input, undefined>>();
          yield 1;
        },
      },
    },
  });
}

function _asyncContextGivesTheResolvedCtx(): void {
  createHandler(api, {
    context: async (request: Request) => ({ token: await Promise.resolve(request.url) }),
    handlers: {
      ...goodHandlers,
      hello: ({ ctx }) => {
        assertType<Equal<typeof ctx, { token: string }>>();
        return ctx.token;
      },
    },
  });
}

function _ctxWithoutContext(): void {
  // No `context`: the ctx is `undefined`.
  createHandler(api, {
    handlers: {
      ...goodHandlers,
      hello: ({ ctx }) => {
        assertType<Equal<typeof ctx, undefined>>();
        return "";
      },
    },
  });
  // Note: in the one-call form, `context: (request) => …` with `request` not
  // annotated leaves every handler's ctx `undefined` (TypeScript can't infer
  // the context from a sibling property while the contract's type is still
  // being inferred in the same call). The two-call form below has no such gap.
}

function _theTwoCallFormInfersEverything(): void {
  const authed: Middleware<{ user: string | null }, { user: string }> = ({ ctx, next }) =>
    next({ user: ctx.user ?? "anonymous" });
  createHandler(api)({
    context: (request) => ({ user: request.headers.get("x-user") }),
    handlers: {
      ...goodHandlers,
      hello: ({ input, ctx }) => {
        assertType<Equal<typeof ctx, { user: string | null }>>();
        return input;
      },
      chat: {
        ...goodHandlers.chat,
        send: use(authed, ({ input, ctx }) => {
          assertType<Equal<typeof ctx, { user: string }>>();
          assertType<Equal<typeof input, { room: string; text: string }>>();
          return { id: 1, at: new Date() };
        }),
      },
    },
  });
  createHandler(api)({
    context: (request) => ({ user: request.headers.get("x-user") }),
    handlers: {
      ...goodHandlers,
      // @ts-expect-error: ctx has no `role`
      hello: ({ ctx }) => ctx.role,
    },
  });
}

function _contextSeesTheConnectionParams(): void {
  const Params = z.object({ token: z.string(), since: z.date().optional() });
  // The two-call form infers the params from the schema, and the ctx from `context`.
  createHandler(api)({
    connectionParams: Params,
    context: (request, { params, info }) => {
      assertType<Equal<typeof request, Request>>();
      assertType<Equal<typeof params, { token: string; since?: Date | undefined }>>();
      assertType<Equal<typeof info, ConnectionInfo | undefined>>();
      return { user: params.token };
    },
    handlers: {
      ...goodHandlers,
      hello: ({ ctx }) => {
        assertType<Equal<typeof ctx, { user: string }>>();
        return ctx.user;
      },
    },
  });
  // In the one-call form, annotate the parameters, as for `request` alone.
  createHandler(api, {
    connectionParams: Params,
    context: (_request: Request, { params }: ContextExtra<z.infer<typeof Params>>) => ({
      token: params.token,
    }),
    handlers: {
      ...goodHandlers,
      hello: ({ ctx }) => {
        assertType<Equal<typeof ctx, { token: string }>>();
        return ctx.token;
      },
    },
  });
  // Without `connectionParams`, the params are `undefined`.
  createHandler(api)({
    context: (_request, { params }) => {
      assertType<Equal<typeof params, undefined>>();
      return {};
    },
    handlers: goodHandlers,
  });
  createHandler(api)({
    connectionParams: Params,
    // @ts-expect-error: the params have no `password`
    context: (_request, { params }) => ({ password: params.password }),
    handlers: goodHandlers,
  });
}

function _originsAndLimitsAreTyped(): void {
  createHandler(api, {
    origins: ["https://app.example.com"],
    limits: { maxMessageSize: 64 * 1024, messagesPerSecond: Infinity },
    clientIp: (request) => request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim(),
    handlers: goodHandlers,
  });
  createHandler(api, {
    origins: (origin) => origin.endsWith(".example.com"),
    handlers: goodHandlers,
  });
  // @ts-expect-error: there is no such limit
  createHandler(api, { limits: { maxFrames: 1 }, handlers: goodHandlers });
  // @ts-expect-error: origins is a list, a function or "*"
  createHandler(api, { origins: "https://app.example.com", handlers: goodHandlers });
}

function _aHandlerReturningTheWrongTypeIsAnError(): void {
  createHandler(api, {
    handlers: {
      ...goodHandlers,
      // @ts-expect-error: hello returns a string, not a number
      hello: () => 42,
    },
  });
  createHandler(api, {
    handlers: {
      ...goodHandlers,
      chat: {
        ...goodHandlers.chat,
        // @ts-expect-error: send's result needs `at: Date`
        send: () => ({ id: 1, at: "yesterday" }),
      },
    },
  });
  createHandler(api, {
    handlers: {
      ...goodHandlers,
      chat: {
        ...goodHandlers.chat,
        // @ts-expect-error: ticks yields numbers, not strings
        async *ticks() {
          yield "one";
        },
      },
    },
  });
  createHandler(api, {
    handlers: {
      ...goodHandlers,
      chat: {
        ...goodHandlers.chat,
        // @ts-expect-error: a subscription's handler returns an async iterable
        ticks: () => 1,
      },
    },
  });
  createHandler(api, {
    handlers: {
      ...goodHandlers,
      // @ts-expect-error: measure returns the output schema's input (a number)
      measure: () => "3 characters",
    },
  });
}

function _aMissingHandlerIsAnError(): void {
  const { hello: _hello, ...withoutHello } = goodHandlers;
  // @ts-expect-error: hello has no handler
  createHandler(api, { handlers: withoutHello });
  const { ticks: _ticks, ...chatWithoutTicks } = goodHandlers.chat;
  // @ts-expect-error: chat.ticks has no handler
  createHandler(api, { handlers: { ...goodHandlers, chat: chatWithoutTicks } });
}

function _aHandlerForAnUnknownRouteIsAnError(): void {
  createHandler(api, {
    handlers: {
      ...goodHandlers,
      // @ts-expect-error: the contract has no "goodbye"
      goodbye: () => "bye",
    },
  });
}

// Note: in the one-call form this holds at the top level of `handlers`; for a
// `use(…)` inside a nested router, use the two-call form (tested above).
function _useHandsTheExtendedCtxToTheHandler(): void {
  const authed: Middleware<Ctx, { user: string }> = ({ ctx, next }) =>
    next({ user: ctx.user ?? "" });
  const admin: Middleware<{ user: string }, { user: string; admin: true }> = ({ ctx, next }) =>
    next({ ...ctx, admin: true });
  createHandler(api, {
    context: (request: Request): Ctx => ({ user: request.headers.get("x-user") ?? undefined }),
    handlers: {
      ...goodHandlers,
      hello: use(authed, ({ input, ctx }) => {
        assertType<Equal<typeof ctx, { user: string }>>();
        assertType<Equal<typeof input, string>>();
        return `${input} from ${ctx.user}`;
      }),
      measure: use(
        authed,
        use(admin, ({ input, ctx }) => {
          assertType<Equal<typeof ctx, { user: string; admin: true }>>();
          assertType<Equal<typeof input, number>>();
          return input;
        }),
      ),
    },
  });
  createHandler(api, {
    context: (request: Request): Ctx => ({ user: request.headers.get("x-user") ?? undefined }),
    handlers: {
      ...goodHandlers,
      // @ts-expect-error: the handler behind the middleware must still return a string
      hello: use(authed, () => 42),
    },
  });
  createHandler(api, {
    handlers: {
      ...goodHandlers,
      // @ts-expect-error: `admin` needs a `user`, and this server makes no context
      hello: use(admin, () => "hi"),
    },
  });
}

function _globalMiddlewareSeesTheServersCtx(): void {
  createHandler(api, {
    context: (request: Request): Ctx => ({ user: request.headers.get("x-user") ?? undefined }),
    middleware: [({ ctx, next }) => {
      assertType<Equal<typeof ctx, Ctx>>();
      return next(ctx);
    }],
    handlers: goodHandlers,
  });
}

// ---------------------------------------------------------------------------
// The client: calls are typed from the contract.

async function _procedureCallsAreTyped(client: Client<Api>): Promise<void> {
  const reply = await client.hello("x");
  assertType<Equal<typeof reply, string>>();
  assertType<Equal<ReturnType<typeof client.hello>, Promise<string>>>();
  // @ts-expect-error: hello needs its input
  await client.hello();
  // @ts-expect-error: hello takes a string
  await client.hello(1);

  const now = await client.now();
  assertType<Equal<typeof now, Date>>();
  // @ts-expect-error: now takes no input
  await client.now(1);

  const greeting: string = await client.greet();
  await client.greet("Ada");
  await client.greet(undefined);
  // @ts-expect-error: greet's input is a string when present
  await client.greet(1);

  // The client sends what the input schema accepts and gets what the output schema makes.
  const measured = await client.measure("abc");
  assertType<Equal<typeof measured, string>>();
  // @ts-expect-error: measure's input schema accepts a string, not the parsed number
  await client.measure(3);
  void greeting;
}

async function _nestedRoutersAreTyped(client: Client<Api>): Promise<void> {
  const sent = await client.chat.send({ room: "general", text: "hi" });
  assertType<Equal<typeof sent, { id: number; at: Date }>>();
  // @ts-expect-error: text is missing
  await client.chat.send({ room: "general" });
  // @ts-expect-error: room is a string
  await client.chat.send({ room: 1, text: "hi" });
  // @ts-expect-error: a router is not callable
  await client.chat();
}

async function _subscriptionsYieldTheOutputType(client: Client<Api>): Promise<void> {
  const messages = client.chat.messages({ room: "general" });
  assertType<Equal<typeof messages, ClientSubscription<{ text: string; at: Date }>>>();
  for await (const message of messages) {
    assertType<Equal<typeof message, { text: string; at: Date }>>();
  }
  for await (const tick of client.chat.ticks()) {
    assertType<Equal<typeof tick, number>>();
  }
  client.chat.ticks().subscribe({
    onData: (tick) => assertType<Equal<typeof tick, number>>(),
  });
  // @ts-expect-error: messages needs a room
  client.chat.messages();
  // @ts-expect-error: ticks takes no input
  client.chat.ticks(1);
  // @ts-expect-error: a subscription is a stream, not a promise
  await client.chat.ticks().then(() => {});
}

function _unknownRouteNamesAreErrors(client: Client<Api>): void {
  // @ts-expect-error: the contract has no "goodbye"
  client.goodbye();
  // @ts-expect-error: the chat router has no "leave"
  client.chat.leave();
  // @ts-expect-error: "hello" is not a router
  client.hello.world();
}

function _aClientFromTheTypeAloneIsTheSameType(): void {
  const fromValue = createClient(api, { url: "ws://127.0.0.1:1/rpc" });
  const fromType = createClient<Api>({ url: "ws://127.0.0.1:1/rpc" });
  assertType<Equal<typeof fromValue, typeof fromType>>();
  assertType<Equal<typeof fromType, Client<Api>>>();
  assertType<Equal<typeof fromType.close, () => void>>();
  // @ts-expect-error: the type argument must be a router
  createClient<{ hello: string }>({ url: "ws://127.0.0.1:1/rpc" });
}

// ---------------------------------------------------------------------------
// The run-time side of the same rules.

Deno.test("router refuses route names a client proxy or JSON-RPC can't carry", async (t) => {
  const endpoint = procedure({ output: z.string() });
  for (const name of ["then", "rpc", "constructor", "prototype", "__proto__"]) {
    await t.step(`reserved: ${name}`, () => {
      assert.throws(() => router({ [name]: endpoint }), {
        name: "TypeError",
        message: `"${name}" can't be used as a route name`,
      });
    });
  }
  for (const name of ["chat.send", "1st", "", "with-dash", "a b"]) {
    await t.step(`not an identifier: ${JSON.stringify(name)}`, () => {
      assert.throws(() => router({ [name]: endpoint }), TypeError);
    });
  }
  await t.step("an entry that is not an endpoint or router", () => {
    assert.throws(() => router({ hello: z.string() as never }), {
      name: "TypeError",
      message: 'The route "hello" is not a procedure, subscription or router',
    });
  });
  await t.step("ordinary names, nested, are accepted", () => {
    const ok = router({ _private: endpoint, then_: endpoint, chat: router({ Send2: endpoint }) });
    assert.equal(ok.kind, "router");
    assert.equal(ok.routes.chat.routes.Send2, endpoint);
  });
});

Deno.test("a missing handler is refused at run time too, naming its dotted path", () => {
  const { ticks: _ticks, ...chatWithoutTicks } = goodHandlers.chat;
  assert.throws(
    () => createHandler(api, { handlers: { ...goodHandlers, chat: chatWithoutTicks } as never }),
    { name: "TypeError", message: 'The subscription "chat.ticks" has no handler' },
  );
  assert.equal(typeof createHandler(api, { handlers: goodHandlers }), "function");
});

Deno.test("several missing handlers are all named at once", () => {
  const { ticks: _ticks, ...chatWithoutTicks } = goodHandlers.chat;
  const { hello: _hello, ...withoutHello } = goodHandlers;
  assert.throws(
    () => createHandler(api, { handlers: { ...withoutHello, chat: chatWithoutTicks } as never }),
    {
      name: "TypeError",
      message: '2 endpoints have no handler: the procedure "hello", the subscription "chat.ticks"',
    },
  );
});

Deno.test("use hands the middleware's ctx to the handler", async () => {
  const authed: Middleware<Ctx, { user: string }> = ({ ctx, next }) =>
    next({ user: ctx.user ?? "guest" });
  const handler = use(authed, ({ input, ctx }: HandlerOptions<string, { user: string }>) => {
    assertType<Equal<typeof ctx, { user: string }>>();
    return `${input} from ${ctx.user}`;
  });
  const options = {
    input: "hi",
    signal: new AbortController().signal,
    path: "hello",
    kind: "procedure" as const,
  };
  assert.equal(await handler({ ...options, ctx: { user: "ada" } }), "hi from ada");
  assert.equal(await handler({ ...options, ctx: { user: undefined } }), "hi from guest");
});
