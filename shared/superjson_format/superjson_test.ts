/**
 * wsrpc writes and reads superjson's format itself. These tests hold it to
 * superjson: for every value, our JSON and meta are what superjson writes,
 * superjson reads what we write, and we read what superjson writes. The
 * values are a list of the awkward cases and a seeded random sample
 * (`SUPERJSON_SEED=n` replays one).
 */

import assert from "node:assert/strict";
import { SuperJSON } from "superjson";
import { mulberry32 } from "../../tests/_fuzz.ts";
import { decodeSuperjson } from "./decode.ts";
import { encodeSuperjson } from "./encode.ts";
import { FlatDates } from "./flat_dates.ts";
import { encodeSuperjsonMember } from "./member.ts";

const superjson = new SuperJSON();

/** superjson's output without `referentialEqualities`, which wsrpc neither writes nor reads. */
function theirs(value: unknown): { json: unknown; meta: Record<string, unknown> | undefined } {
  const { json, meta } = superjson.serialize(value);
  if (meta === undefined) return { json, meta: undefined };
  const { referentialEqualities: _, ...kept } = meta;
  return { json, meta: kept.values === undefined ? undefined : kept };
}

/**
 * What goes over the wire: JSON text, read again. Read as a JavaScript
 * expression, not with JSON.parse: Deno 2.9.6's V8 (15.0.245.2) can give a
 * key written with an escaped backslash the text of the key it met at the
 * same place in an object of the same shape before (after
 * `{"0.0":1,"1.0.\\\\.":2}`, `{"0.0":1,"1.0.\\.y":2}` reads back with the key
 * `1.0.\\.`). These values have such keys, and what is tested here is the
 * format, not the runtime's reader. (None of them has a `__proto__` key,
 * which a JavaScript object literal would read differently.)
 */
function overTheWire<T>(value: T): T {
  return (0, eval)(`(${JSON.stringify(value)})`);
}

function assertSameAsSuperjson(value: unknown, label: string): void {
  const ours = encodeSuperjson(value);
  const expected = theirs(value);
  assert.deepEqual(overTheWire(ours.json), overTheWire(expected.json), `${label}: the JSON`);
  assert.deepEqual(ours.meta, expected.meta, `${label}: the meta`);
  if (ours.meta === undefined) return;
  const json = overTheWire(ours.json);
  const meta = overTheWire(ours.meta);
  const restored = decodeSuperjson(overTheWire(json), meta);
  assert.deepEqual(
    restored,
    superjson.deserialize({ json: json as never, meta: meta as never }),
    `${label}: we read it as superjson does`,
  );
  assert.deepEqual(
    decodeSuperjson(overTheWire(expected.json), overTheWire(expected.meta!)),
    restored,
    `${label}: we read superjson's own output`,
  );
}

class Point {
  x = 1;
  at = new Date(0);
}

const cycle: Record<string, unknown> = { at: new Date(1) };
cycle.self = cycle;
const shared = { at: new Date(2) };
const selfSet = new Set<unknown>([new Date(3)]);
selfSet.add(selfSet);
const selfMap = new Map<unknown, unknown>([["at", new Date(4)]]);
selfMap.set("self", selfMap);
const selfError = new Error("loop");
selfError.cause = selfError;
const sparse: unknown[] = [undefined];
sparse[3] = new Date(3);
const cause = new Error("inner");

const AWKWARD: Array<[string, unknown]> = [
  ["a bare undefined", undefined],
  ["a bare Date", new Date("2026-12-01T10:00:00.123Z")],
  ["a Date before year 1000 and after 9999", [new Date(-62_000_000_000_000), new Date(9e14)]],
  ["an invalid Date, which JSON makes null", { at: new Date(NaN), ok: new Date(0) }],
  ["BigInts", { big: 2n ** 70n, negative: -1n, zero: 0n }],
  ["special numbers", [NaN, Infinity, -Infinity, -0, 0, 1.5]],
  ["undefined inside objects and arrays", { a: undefined, b: [undefined, 1], c: { d: undefined } }],
  [
    "a Map with rich keys and values",
    new Map<unknown, unknown>([[new Date(0), 1n], ["k", [undefined]]]),
  ],
  ["a Set of rich values", new Set([1n, new Date(5), "s", undefined])],
  ["nested Maps and Sets", new Map([["m", new Map([[1, new Set([new Date(7)])]])]])],
  ["an empty Map and Set", { m: new Map(), s: new Set() }],
  ["a RegExp with flags", { re: /a.b\/c/giu }],
  ["a URL", { url: new URL("https://example.com/a?b=c#d") }],
  ["an Error with a cause", new Error("outer", { cause })],
  ["a TypeError", { error: new TypeError("bad") }],
  ["typed arrays", [
    new Uint8Array([1, 2, 255]),
    new Float64Array([NaN, -0, Infinity, 1.5]),
    new BigInt64Array([-(2n ** 63n), 5n]),
    new Int16Array(0),
  ]],
  ["keys with dots and backslashes", {
    "a.b": new Date(0),
    "c\\d": { "e.\\f": 1n },
    "": undefined,
  }],
  ["numeric-looking keys", { "0": new Date(0), "01": 1n, "10": undefined, x: [[new Date(0)]] }],
  ["deep nesting", { a: { b: { c: [{ d: [new Set([{ e: new Date(9) }])] }] } } }],
  ["a class instance, left to JSON", { p: new Point(), n: 1n }],
  ["functions and symbols, left to JSON", { f: () => 1, s: Symbol("x"), n: 1n }],
  ["a cycle", cycle],
  ["a Set, a Map and an Error that hold themselves", { selfSet, selfMap, selfError }],
  ["a shared reference", { a: shared, b: shared, c: [shared] }],
  ["a sparse array", sparse],
  ["a null-prototype object", Object.assign(Object.create(null), { at: new Date(4) })],
  ["plain JSON, which needs no meta", { a: [1, "two", null, { b: true }] }],
];

Deno.test("our superjson format is superjson's, value by value", async (t) => {
  for (const [label, value] of AWKWARD) {
    await t.step(label, () => assertSameAsSuperjson(value, label));
  }
});

const KEYS = ["a", "b.c", "d\\e", "0", "12", "x.", ".y", "\\", "", "z"];

function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 10 : 15));
  const n = Math.floor(next() * 2000) - 1000;
  switch (pick) {
    case 0:
      return n;
    case 1:
      return `s${n}`;
    case 2:
      return null;
    case 3:
      return undefined;
    case 4:
      return BigInt(n) * 10n ** 20n;
    case 5:
      return new Date(n * 1e9);
    case 6:
      return [NaN, Infinity, -Infinity, -0][n & 3];
    case 7:
      return n % 2 === 0;
    case 8:
      return /x+/g;
    case 9:
      return new URL(`https://h/${n}`);
    case 10:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    case 11: {
      const object: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 4); i > 0; i--) {
        object[KEYS[Math.floor(next() * KEYS.length)]!] = randomValue(next, depth + 1);
      }
      return object;
    }
    case 12:
      return new Map(
        Array.from(
          { length: Math.floor(next() * 3) },
          () => [randomValue(next, depth + 1), randomValue(next, depth + 1)],
        ),
      );
    case 13:
      return new Set(
        Array.from({ length: Math.floor(next() * 3) }, () => randomValue(next, depth + 1)),
      );
    default:
      return new Error(`e${n}`, next() < 0.5 ? { cause: randomValue(next, depth + 1) } : undefined);
  }
}

Deno.test("our superjson format is superjson's, on 3,000 random values", () => {
  const seed = Number(Deno.env.get("SUPERJSON_SEED") ?? Date.now() % 1_000_000);
  const next = mulberry32(seed);
  for (let i = 0; i < 3000; i++) {
    assertSameAsSuperjson(randomValue(next, 0), `value ${i} (SUPERJSON_SEED=${seed})`);
  }
});

Deno.test("a member encoded in place has the meta of the object around it", () => {
  const next = mulberry32(Number(Deno.env.get("SUPERJSON_SEED") ?? 7));
  let previous: unknown = { at: new Date(0) };
  for (let i = 0; i < 1000; i++) {
    const data = randomValue(next, 0);
    // Each again after another, and twice in a row: the meta text of the
    // last annotations is kept, and must be theirs only.
    for (const value of [data, previous, data, data]) {
      const whole = encodeSuperjson({ subscription: 1, data: value });
      const member = encodeSuperjsonMember(value, "data");
      assert.deepEqual(
        overTheWire({ subscription: 1, data: member.json }),
        overTheWire(whole.json),
        `value ${i}: the JSON`,
      );
      const metaText = whole.meta === undefined ? undefined : JSON.stringify(whole.meta);
      assert.equal(member.metaText, metaText, `value ${i}: the meta`);
    }
    previous = data;
  }
});

Deno.test("events of one shape share their meta text; a change of shape gets its own", () => {
  const texts = [
    { at: new Date(1) },
    { at: new Date(2) },
    { at: 3n },
    { at: new Date(4), n: undefined },
    { at: new Date(5) },
    { at: new Set([new Date(6)]) },
    { at: new Set([new Date(7)]) },
    { "a.b": new Date(8) },
    { a: { b: new Date(9) } },
  ].map((value) => encodeSuperjsonMember(value, "data").metaText);
  assert.deepEqual(texts, [
    '{"values":{"data.at":["Date"]},"v":1}',
    '{"values":{"data.at":["Date"]},"v":1}',
    '{"values":{"data.at":["bigint"]},"v":1}',
    '{"values":{"data.at":["Date"],"data.n":["undefined"]},"v":1}',
    '{"values":{"data.at":["Date"]},"v":1}',
    '{"values":{"data.at":["set",{"0":["Date"]}]},"v":1}',
    '{"values":{"data.at":["set",{"0":["Date"]}]},"v":1}',
    '{"values":{"data.a\\\\.b":["Date"]},"v":1}',
    '{"values":{"data.a.b":["Date"]},"v":1}',
  ]);
  assert.equal(encodeSuperjsonMember({ plain: 1 }, "data").metaText, undefined);
});

Deno.test("a meta shared by several frames restores each, and still checks each one's JSON", () => {
  const meta = { values: { "a.b": ["Date"], c: ["bigint"], "d\\.e": ["undefined"] }, v: 1 };
  const frame = (n: number) => ({ a: { b: new Date(n).toISOString() }, c: String(n), "d.e": null });
  for (let n = 0; n < 4; n++) {
    assert.deepStrictEqual(decodeSuperjson(frame(n), meta), {
      a: { b: new Date(n) },
      c: BigInt(n),
      "d.e": undefined,
    });
  }
  assert.throws(() => decodeSuperjson({ c: "1", "d.e": null }, meta), TypeError, "no a");
  assert.throws(() => decodeSuperjson({ ...frame(1), c: 1 }, meta), TypeError, "c not a string");
  assert.throws(() => decodeSuperjson({ ...frame(1), a: [] }, meta), TypeError, "a not an object");
  const withProto = JSON.parse('{"a":{"b":"1970-01-01T00:00:00.000Z"},"c":"1","d.e":null}');
  Object.setPrototypeOf(withProto.a, { b: "inherited" });
  assert.throws(() => decodeSuperjson(withProto, meta), TypeError, "a class-like object");
  // And again after, as it was.
  assert.deepStrictEqual(decodeSuperjson(frame(9), meta), {
    a: { b: new Date(9) },
    c: 9n,
    "d.e": undefined,
  });
  // Another meta, then this one again.
  assert.deepStrictEqual(decodeSuperjson({ x: "2" }, { values: { x: ["bigint"] } }), { x: 2n });
  assert.deepStrictEqual(decodeSuperjson({ x: "2" }, { values: { x: ["bigint"] }, v: 1 }), {
    x: 2n,
  });
  assert.deepStrictEqual((decodeSuperjson(frame(3), meta) as { c: bigint }).c, 3n);
  // The same record, read as the format before version 1 (a backslash only escapes a dot).
  const legacy = { values: meta.values };
  assert.deepStrictEqual(decodeSuperjson(frame(4), legacy), decodeSuperjson(frame(4), meta));
  assert.deepStrictEqual(decodeSuperjson(frame(5), legacy), decodeSuperjson(frame(5), meta));
});

/** A value of one flat shape: its keys, Dates at the keys in `dates`, plain JSON at the others. */
function flatValue(next: () => number, keys: readonly string[], dates: ReadonlySet<string>) {
  const value: Record<string, unknown> = {};
  for (const key of keys) {
    // Mostly the shape's own kind of member; now and then anything at all.
    const odd = next() < 0.15;
    value[key] = odd
      ? randomValue(next, 2)
      : dates.has(key)
      ? new Date(Math.floor(next() * 4e12))
      : [1, "s", null, true, [2, { x: "y" }]][Math.floor(next() * 5)];
  }
  return value;
}

Deno.test("values of one flat shape, one after another, are written as superjson writes each", () => {
  const seed = Number(Deno.env.get("SUPERJSON_SEED") ?? Date.now() % 1_000_000);
  const next = mulberry32(seed);
  for (let round = 0; round < 300; round++) {
    const keys = [
      ...new Set(Array.from({ length: 1 + Math.floor(next() * 4) }, () => {
        return KEYS[Math.floor(next() * KEYS.length)]!;
      })),
    ];
    const dates = new Set(keys.filter(() => next() < 0.6));
    for (let i = 0; i < 10; i++) {
      const value = flatValue(next, next() < 0.1 ? [...keys].reverse() : keys, dates);
      if (next() < 0.05) delete value[keys[0]!];
      if (next() < 0.05) value.extra = new Date(1);
      assertSameAsSuperjson(value, `round ${round}, value ${i} (SUPERJSON_SEED=${seed})`);
    }
  }
});

Deno.test("a flat value of the last one's shape gets its meta object again, frozen", () => {
  const first = encodeSuperjson({ id: 1, at: new Date(1), tags: ["a"] });
  const second = encodeSuperjson({ id: 2, at: new Date(2), tags: [] });
  assert.deepEqual(second, {
    json: { id: 2, at: "1970-01-01T00:00:00.002Z", tags: [] },
    meta: { values: { at: ["Date"] }, v: 1 },
  });
  assert.equal(second.meta, first.meta);
  assert.throws(() => (second.meta!.values as Record<string, unknown>).id = ["Date"], TypeError);
  // Not of the shape: a walk, and a meta of their own.
  for (const other of [{ id: 3, at: 3n, tags: [] }, { id: 4, at: new Date(NaN), tags: [] }]) {
    const encoded = encodeSuperjson(other);
    assert.notEqual(encoded.meta, first.meta);
    assert.deepEqual(encoded, theirs(other));
  }
});

/** What a function returns, or what it throws. */
function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    return error;
  }
}

Deno.test("a meta met again restores as it did the first time, malformed JSON too", () => {
  const dates = new FlatDates();
  const meta = { values: { at: ["Date"], "0": ["Date"] }, v: 1 };
  const frame = (n: number) => ({ at: new Date(n).toISOString(), "0": new Date(-n).toISOString() });
  for (let n = 0; n < 3; n++) {
    assert.deepStrictEqual(dates.decode(frame(n), meta), { at: new Date(n), "0": new Date(-n) });
  }
  const invalid = dates.decode({ at: "nonsense", "0": "x" }, meta) as { at: Date };
  assert.equal(String(invalid.at), "Invalid Date");
  const date = "1970-01-01T00:00:00.000Z";
  const malformed: unknown[] = [
    { at: 1, "0": date },
    { "0": date },
    [date],
    Object.create({ at: date, "0": date }),
    date,
    null,
  ];
  // Metas that mark more than Dates at the top, or mark them otherwise.
  const others: Array<[unknown, Record<string, unknown>]> = [
    [{ a: { b: date } }, { values: { "a.b": ["Date"] }, v: 1 }],
    [{ "a.b": date }, { values: { "a\\.b": ["Date"] }, v: 1 }],
    [{ at: date }, { values: { at: ["Date"] } }],
    [{ at: "1" }, { values: { at: ["bigint"] }, v: 1 }],
    [{ at: date }, { values: { at: ["Date", {}] }, v: 1 }],
    [[date], { values: { 0: ["Date"] }, v: 1 }],
    [JSON.parse(`{"__proto__":"${date}"}`), JSON.parse('{"values":{"__proto__":["Date"]},"v":1}')],
  ];
  // A key the value only inherits, from a polluted Object.prototype.
  const inherited = { values: { polluted: ["Date"] }, v: 1 };
  const cases = [
    ...malformed.map((json) => [json, meta] as const),
    ...others,
    ...others,
    [{}, inherited] as const,
  ];
  Object.defineProperty(Object.prototype, "polluted", { value: date, configurable: true });
  try {
    for (const [json, meta] of cases) {
      assert.deepStrictEqual(
        outcome(() => dates.decode(structuredClone(json), meta)),
        outcome(() => decodeSuperjson(structuredClone(json), meta)),
        `${JSON.stringify(json)} with ${JSON.stringify(meta)}`,
      );
    }
  } finally {
    delete (Object.prototype as Record<string, unknown>).polluted;
  }
});

Deno.test("a value that changes under the walk leaves no shape that would lie", () => {
  let reads = 0;
  const value = {
    at: new Date(1),
    // Read by the walk's copy, then again after it wrote the Date: the second read deletes it.
    get n() {
      if (++reads === 2) delete (value as { at?: Date }).at;
      return 1;
    },
  };
  encodeSuperjson(value);
  assert.deepEqual(encodeSuperjson({ n: 2 }), { json: { n: 2 }, meta: undefined });
});
