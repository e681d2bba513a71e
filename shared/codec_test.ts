import assert from "node:assert/strict";
import { isPlainJson, superjsonCodec } from "./codec.ts";

/** A value with every kind superjson restores, nested. */
const RICH = {
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

  await t.step("right after a rich value, plain JSON comes out the same, and then as it is", () => {
    const value = { a: [1, "two", null], b: { c: true } };
    superjsonCodec.encode({ at: new Date(0) });
    const first = superjsonCodec.encode(value);
    assert.deepStrictEqual(first, { json: value, meta: undefined });
    assert.equal(JSON.stringify(first.json), JSON.stringify(value));
    assert.equal(superjsonCodec.encode(value).json, value, "as it is from the next one on");
  });

  await t.step("right after a rich value, plain JSON may still have a constructor key", () => {
    const value = { constructor: "ada", prototype: 1, ["__proto__"]: 2 };
    const plain = JSON.parse('{"constructor":"ada","prototype":1,"__proto__":2}');
    for (const next of [value, plain]) {
      superjsonCodec.encode({ at: new Date(0) });
      assert.deepStrictEqual(superjsonCodec.encode(next), { json: next, meta: undefined });
    }
    // Beside a rich value, superjson refuses it, as before.
    superjsonCodec.encode({ at: new Date(0) });
    assert.throws(() => superjsonCodec.encode({ ...plain, at: new Date(0) }), TypeError);
    assert.throws(() => superjsonCodec.encode({ ...plain, at: new Date(0) }), TypeError);
  });

  await t.step("a bare undefined is null plus meta, and comes back as undefined", () => {
    const encoded = superjsonCodec.encode(undefined);
    assert.equal(encoded.json, null);
    assert.deepEqual(encoded.meta, { values: ["undefined"], v: 1 });
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
      RICH,
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
