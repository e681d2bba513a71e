/**
 * Rich values on the wire: superjson round trips through a real server and
 * client, what plain JSON and rich values look like in raw frames, a raw
 * client that knows nothing of superjson, and the codec's own functions.
 *
 * @module
 */

import * as z from "zod";
import assert from "node:assert/strict";
import { ErrorCode, isPlainJson, procedure, router, RpcError, subscription } from "../mod.ts";
import { superjsonCodec } from "../mod.ts";
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

Deno.test("isPlainJson tells plain JSON from values that need superjson", async (t) => {
  await t.step("plain: null, booleans, strings, finite numbers, arrays and plain objects", () => {
    for (
      const value of [
        null,
        true,
        false,
        "",
        "text",
        0,
        1.5,
        -7,
        Number.MAX_SAFE_INTEGER,
        [],
        {},
        [1, "two", null, [false]],
        { a: { b: [{ c: "d" }] } },
        Object.assign(Object.create(null), { bare: 1 }),
      ]
    ) {
      assert.equal(isPlainJson(value), true, `${Deno.inspect(value)} is plain`);
    }
  });
  await t.step("not plain: what JSON would drop, change or refuse", () => {
    class Point {
      x = 1;
    }
    const sparse: unknown[] = [1];
    sparse[2] = 3;
    for (
      const value of [
        undefined,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        -0,
        1n,
        new Date(0),
        new Map(),
        new Set(),
        /re/,
        new Point(),
        () => {},
        Symbol("s"),
        sparse,
        [1, undefined],
        { a: undefined },
        { deep: { deeper: [new Date(0)] } },
      ]
    ) {
      assert.equal(isPlainJson(value), false, `${Deno.inspect(value)} is not plain`);
    }
  });
  await t.step("a very deep value is left to superjson", () => {
    let shallow: unknown = "leaf";
    for (let i = 0; i < 60; i++) shallow = [shallow];
    assert.equal(isPlainJson(shallow), true);
    let deep: unknown = "leaf";
    for (let i = 0; i < 100; i++) deep = { next: deep };
    assert.equal(isPlainJson(deep), false);
  });
});

Deno.test("superjsonCodec passes plain JSON through and restores rich values", async (t) => {
  const viaText = (value: unknown): unknown => {
    const { json, meta } = superjsonCodec.encode(value);
    const text = JSON.stringify({ json, meta });
    const parsed = JSON.parse(text) as { json: unknown; meta?: Record<string, unknown> };
    return superjsonCodec.decode(parsed.json, parsed.meta);
  };

  await t.step("plain JSON is returned as it is, with no meta", () => {
    const value = { a: [1, "two", null], b: { c: true } };
    const encoded = superjsonCodec.encode(value);
    assert.equal(encoded.json, value, "not even copied");
    assert.equal(encoded.meta, undefined);
    assert.equal(superjsonCodec.decode(value, undefined), value);
  });

  await t.step("a bare undefined is null plus meta, and comes back as undefined", () => {
    const encoded = superjsonCodec.encode(undefined);
    assert.equal(encoded.json, null);
    assert.deepEqual(encoded.meta, { values: ["undefined"] });
    assert.equal(superjsonCodec.decode(encoded.json, encoded.meta), undefined);
    assert.equal(superjsonCodec.decode(null, undefined), null, "without meta, null stays null");
  });

  await t.step("each rich value survives a trip through JSON text", () => {
    const values: unknown[] = [
      new Date("2026-01-01T00:00:00Z"),
      new Map<unknown, unknown>([["a", 1], [2, new Date(0)]]),
      new Set([1, "1", 2n]),
      12_345_678_901_234_567_890n,
      { a: undefined, b: [undefined, 1] },
      Number.NaN,
      Number.POSITIVE_INFINITY,
      -0,
      /wsrpc/gi,
      richValue(),
    ];
    for (const value of values) {
      assert.deepEqual(viaText(value), value, `${Deno.inspect(value)} survives`);
    }
    assert.ok(Object.is(viaText(-0), -0), "-0 keeps its sign");
  });

  await t.step("the JSON part is always valid JSON, even for a BigInt", () => {
    const { json, meta } = superjsonCodec.encode({ n: 10n, at: new Date(0) });
    assert.deepEqual(json, { n: "10", at: "1970-01-01T00:00:00.000Z" });
    assert.deepEqual((meta as { values: unknown }).values, { n: ["bigint"], at: ["Date"] });
  });

  await t.step("meta that can't be applied throws instead of corrupting the value", () => {
    assert.throws(() => superjsonCodec.decode({ a: "x" }, { values: { a: ["no-such-type"] } }));
    assert.throws(() =>
      superjsonCodec.decode({}, { values: { "__proto__.polluted": ["undefined"] } })
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
