/**
 * Rich values on the wire: superjson round trips through a real server and
 * client, what plain JSON and rich values look like in raw frames, and a raw
 * client that knows nothing of superjson. The codec's own functions are
 * tested beside it, in shared/codec_test.ts.
 *
 * @module
 */

import * as z from "zod";
import assert from "node:assert/strict";
import { ErrorCode, procedure, router, RpcError, subscription } from "../mod.ts";
import { createHandler } from "../server/mod.ts";
import { createClient } from "../client/mod.ts";
import { RawSocket, serve } from "./_server.ts";

const Rich = z.object({
  at: z.date(),
  tags: z.set(z.string()),
  scores: z.map(z.string(), z.bigint()),
  total: z.bigint(),
  missing: z.undefined(),
  history: z.array(z.union([z.date(), z.bigint(), z.undefined(), z.string()])),
  nested: z.object({ when: z.array(z.date()), lookup: z.map(z.number(), z.set(z.bigint())) }),
});
type Rich = z.infer<typeof Rich>;

function richValue(): Rich {
  return {
    at: new Date("2026-11-27T10:00:00.123Z"),
    tags: new Set(["b", "a", "c"]),
    scores: new Map([["ada", 2n ** 64n], ["bob", -1n]]),
    total: 9_007_199_254_740_993n, // 2^53 + 1: a number would lose the last digit
    missing: undefined,
    history: [new Date(0), 1n, undefined, "text"],
    nested: {
      when: [new Date("2000-01-01T00:00:00Z")],
      lookup: new Map([[1, new Set([1n, 2n])], [2, new Set<bigint>()]]),
    },
  };
}

const api = router({
  echo: procedure({ input: Rich, output: Rich }),
  nextDay: procedure({ input: z.date(), output: z.date() }),
  double: procedure({ input: z.bigint(), output: z.bigint() }),
  nothing: procedure({ output: z.undefined() }),
  holes: procedure({
    input: z.object({ value: z.undefined(), list: z.array(z.number().optional()) }),
    output: z.object({ keys: z.array(z.string()), slots: z.number() }),
  }),
  plain: procedure({
    input: z.object({ name: z.string(), n: z.number() }),
    output: z.object({ greeting: z.string(), items: z.array(z.unknown()), nested: z.unknown() }),
  }),
  sum: procedure({ input: z.array(z.number()), output: z.number() }),
  hello: procedure({ input: z.string(), output: z.string() }),
  isDate: procedure({ input: z.unknown(), output: z.boolean() }),
  stamp: procedure({ output: z.object({ label: z.string(), at: z.date() }) }),
  refuse: procedure({ input: z.boolean(), output: z.null() }),
  feed: subscription({ input: z.object({ since: z.date() }), output: Rich }),
  counts: subscription({ output: z.number() }),
});

const AT = new Date("2026-11-27T10:00:00.000Z");

function startServer() {
  return serve(createHandler(api, {
    handlers: {
      echo: ({ input }) => input,
      nextDay: ({ input }) => new Date(input.getTime() + 86_400_000),
      double: ({ input }) => input * 2n,
      nothing: () => undefined,
      holes: ({ input }) => ({ keys: Object.keys(input), slots: input.list.length }),
      plain: ({ input }) => ({
        greeting: `hi ${input.name}`,
        items: [input.n, "two", null, true, { deep: [1.5, -2] }],
        nested: { empty: {}, none: [] },
      }),
      sum: ({ input }) => input.reduce((total, n) => total + n, 0),
      hello: ({ input }) => `hello ${input}`,
      isDate: ({ input }) => input instanceof Date,
      stamp: () => ({ label: "now", at: AT }),
      refuse: ({ input }) => {
        throw new RpcError(ErrorCode.Conflict, "Taken", {
          data: input
            ? { since: AT, owner: 7n, seen: new Set(["x"]) }
            : { owner: "ada", attempts: [1, 2] },
        });
      },
      async *feed({ input }) {
        yield { ...richValue(), at: input.since };
        yield richValue();
      },
      async *counts() {
        yield 1;
        yield 2;
      },
    },
  }));
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const events: T[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

Deno.test("rich values round-trip through a real server and client", async (t) => {
  await using server = startServer();
  const client = createClient(api, { url: server.url });
  try {
    await t.step("Date, Map, Set, BigInt and undefined, nested in objects and arrays", async () => {
      const sent = richValue();
      const back = await client.echo(sent);
      assert.deepEqual(back, richValue());
      assert.ok(back.at instanceof Date);
      assert.equal(back.at.toISOString(), "2026-11-27T10:00:00.123Z");
      assert.deepEqual([...back.tags], ["b", "a", "c"], "a Set keeps its order");
      assert.deepEqual([...back.scores.keys()], ["ada", "bob"], "a Map keeps its order");
      assert.equal(back.scores.get("ada"), 18_446_744_073_709_551_616n);
      assert.equal(back.total, 9_007_199_254_740_993n);
      assert.ok(Object.hasOwn(back, "missing"), "an undefined member keeps its key");
      assert.equal(back.missing, undefined);
      assert.deepEqual(back.history, [new Date(0), 1n, undefined, "text"]);
      assert.deepEqual([...(back.nested.lookup.get(1) ?? [])], [1n, 2n]);
    });
    await t.step("a bare Date as input and as result", async () => {
      const next = await client.nextDay(new Date("2026-02-28T12:00:00Z"));
      assert.ok(next instanceof Date);
      assert.equal(next.toISOString(), "2026-03-01T12:00:00.000Z");
    });
    await t.step("a bare BigInt as input and as result", async () => {
      assert.equal(await client.double(2n ** 70n), 2n ** 71n);
    });
    await t.step("undefined as a result", async () => {
      assert.equal(await client.nothing(), undefined);
    });
    await t.step("undefined as an input member and as array slots", async () => {
      assert.deepEqual(await client.holes({ value: undefined, list: [1, undefined, 3] }), {
        keys: ["value", "list"],
        slots: 3,
      });
    });
    await t.step("as subscription input and events", async () => {
      const events = await collect(client.feed({ since: new Date(0) }));
      assert.equal(events.length, 2);
      assert.deepEqual(events[0], { ...richValue(), at: new Date(0) });
      assert.deepEqual(events[1], richValue());
    });
    await t.step("in an RpcError's data", async () => {
      const error = await client.refuse(true).then(
        () => assert.fail("expected a refusal"),
        (error: unknown) => error,
      );
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, ErrorCode.Conflict);
      assert.deepEqual(error.data, { since: AT, owner: 7n, seen: new Set(["x"]) });
    });
  } finally {
    client.close();
  }
});

Deno.test("on the wire, plain JSON travels as it is and rich values add a meta member", async (t) => {
  await using server = startServer();
  await using raw = await RawSocket.open(server.url);

  await t.step("a plain result is exactly the value, with no meta", async () => {
    const frame = await raw.request({
      jsonrpc: "2.0",
      id: 1,
      method: "plain",
      params: { name: "ada", n: 3 },
    });
    assert.deepEqual(frame, {
      jsonrpc: "2.0",
      id: 1,
      result: {
        greeting: "hi ada",
        items: [3, "two", null, true, { deep: [1.5, -2] }],
        nested: { empty: {}, none: [] },
      },
    });
  });

  await t.step("plain events and plain error data carry no meta either", async () => {
    raw.send({ jsonrpc: "2.0", id: 2, method: "counts" });
    const frames = [await raw.next(), await raw.next(), await raw.next(), await raw.next()];
    assert.deepEqual(frames, [
      { jsonrpc: "2.0", id: 2, result: { subscription: 2 } },
      { jsonrpc: "2.0", method: "rpc.data", params: { subscription: 2, data: 1 } },
      { jsonrpc: "2.0", method: "rpc.data", params: { subscription: 2, data: 2 } },
      { jsonrpc: "2.0", method: "rpc.complete", params: { subscription: 2 } },
    ]);
    assert.deepEqual(
      await raw.request({ jsonrpc: "2.0", id: 3, method: "refuse", params: [false] }),
      {
        jsonrpc: "2.0",
        id: 3,
        error: {
          code: ErrorCode.Conflict,
          message: "Taken",
          data: { owner: "ada", attempts: [1, 2] },
        },
      },
    );
  });

  await t.step("a Date result is an ISO string in result, and meta says it is a Date", async () => {
    const frame = await raw.request({
      jsonrpc: "2.0",
      id: 4,
      method: "nextDay",
      params: ["2026-11-26T10:00:00.000Z"],
      meta: { values: { "0": ["Date"] } },
    }) as Record<string, unknown>;
    assert.equal(frame.result, "2026-11-27T10:00:00.000Z");
    assert.deepEqual((frame.meta as { values: unknown }).values, ["Date"]);
    assert.deepEqual(Object.keys(frame).sort(), ["id", "jsonrpc", "meta", "result"]);
  });

  await t.step("a nested Date's meta names its path", async () => {
    const frame = await raw.request({ jsonrpc: "2.0", id: 5, method: "stamp" }) as Record<
      string,
      unknown
    >;
    assert.deepEqual(frame.result, { label: "now", at: AT.toISOString() });
    assert.deepEqual((frame.meta as { values: unknown }).values, { at: ["Date"] });
  });

  await t.step("a BigInt in error data: a string in data, and meta beside it", async () => {
    const frame = await raw.request({
      jsonrpc: "2.0",
      id: 6,
      method: "refuse",
      params: [true],
    }) as Record<string, unknown>;
    assert.deepEqual(frame.error, {
      code: ErrorCode.Conflict,
      message: "Taken",
      data: { since: AT.toISOString(), owner: "7", seen: ["x"] },
    });
    assert.deepEqual((frame.meta as { values: unknown }).values, {
      since: ["Date"],
      owner: ["bigint"],
      seen: ["set"],
    });
  });
});

Deno.test("a raw client that knows nothing of superjson calls JSON-native procedures", async (t) => {
  await using server = startServer();
  await using raw = await RawSocket.open(server.url);
  const call = (id: number, method: string, params?: unknown) =>
    raw.request(
      params === undefined
        ? { jsonrpc: "2.0", id, method }
        : { jsonrpc: "2.0", id, method, params },
    );

  await t.step("object params are the input object", async () => {
    const frame = await call(1, "plain", { name: "bob", n: 0 }) as { result: { greeting: string } };
    assert.equal(frame.result.greeting, "hi bob");
  });

  await t.step("array params are the input array", async () => {
    assert.deepEqual(await call(2, "sum", [1, 2, 3, 4]), { jsonrpc: "2.0", id: 2, result: 10 });
  });

  await t.step('a scalar input travels wrapped, as ["value"]', async () => {
    assert.deepEqual(await call(3, "hello", ["world"]), {
      jsonrpc: "2.0",
      id: 3,
      result: "hello world",
    });
  });

  await t.step("so a one-element array input is wrapped again", async () => {
    assert.deepEqual(await call(4, "sum", [[5]]), { jsonrpc: "2.0", id: 4, result: 5 });
    const unwrapped = await call(5, "sum", [5]) as { error: { code: number } };
    assert.equal(unwrapped.error.code, ErrorCode.InvalidParams, "[5] is the number 5");
  });

  await t.step("an ISO string without meta stays a string", async () => {
    assert.deepEqual(await call(6, "isDate", [AT.toISOString()]), {
      jsonrpc: "2.0",
      id: 6,
      result: false,
    });
    const refused = await call(7, "nextDay", [AT.toISOString()]) as { error: { code: number } };
    assert.equal(refused.error.code, ErrorCode.InvalidParams);
  });

  await t.step("the typed client sends inputs the same way", async () => {
    const client = createClient(api, { url: server.url });
    try {
      // The same procedures, called through the client: the wrapping is undone on arrival.
      assert.equal(await client.hello("typed"), "hello typed");
      assert.equal(await client.sum([5]), 5);
      assert.equal(await client.sum([]), 0);
      assert.equal(await client.isDate(new Date(0)), true);
      assert.equal(await client.isDate(AT.toISOString()), false);
    } finally {
      client.close();
    }
  });
});
