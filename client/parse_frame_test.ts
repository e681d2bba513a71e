import assert from "node:assert/strict";
import { parseFrame } from "./parse_frame.ts";
import { superjsonCodec } from "../shared/codec.ts";
import { DATA_FRAME_PREFIX } from "../shared/wire.ts";

/** parseFrame gives what JSON.parse gives, or throws where it throws. */
function assertParsesAsJson(text: string): void {
  let expected: unknown;
  try {
    expected = JSON.parse(text);
  } catch {
    assert.throws(() => parseFrame(text), SyntaxError, `accepted ${text}`);
    return;
  }
  assert.deepStrictEqual(parseFrame(text), expected, text);
}

const VALUES: unknown[] = [
  { a: 1, s: "hello" },
  { a: 1, s: "hello", d: new Date(0) },
  "}}",
  ',"meta":{}',
  { meta: { values: ["Date"] } },
  { a: {}, meta: 1 },
  [1, 2, new Set([3])],
  null,
  0,
  -0,
  12n,
  "",
  { nested: { deep: [{ '},"meta":': "}" }] } },
  undefined,
  { at: new Date(1_733_000_000_000), tags: new Map([["k", "v"]]) },
];

/** A call's result as the server writes it (tests/frame_layout_test.ts checks that it does). */
function resultText(id: number, value: unknown): string {
  const { json, meta } = superjsonCodec.encode(value);
  return JSON.stringify({ jsonrpc: "2.0", id, result: json, meta });
}

/** An event as the server writes it (tests/frame_layout_test.ts checks that it does). */
function eventText(subscription: number, position: string | undefined, value: unknown): string {
  const { json, meta } = superjsonCodec.encode({ data: value });
  const id = position === undefined ? "" : `"id":${JSON.stringify(position)},`;
  const data = JSON.stringify((json as { data: unknown }).data);
  const metaText = meta === undefined ? "" : `,"meta":${JSON.stringify(meta)}`;
  return `${DATA_FRAME_PREFIX}${subscription},${id}"data":${data}}${metaText}}`;
}

/** Every frame of a call's result or an event of these values. */
function serverFrames(): string[] {
  const frames: string[] = [];
  for (const value of VALUES) {
    for (const id of [0, 7, 123_456_789]) {
      frames.push(resultText(id, value));
      for (const position of [undefined, "42", "1733000000000-0", "é ✓"]) {
        frames.push(eventText(id, position, value));
      }
    }
  }
  return frames;
}

/** The texts JSON.parse was given while `read` ran. */
function parsedDuring(read: () => void): string[] {
  const parse = JSON.parse;
  const parsed: string[] = [];
  JSON.parse = (text: string) => {
    parsed.push(text);
    return parse(text);
  };
  try {
    read();
  } finally {
    JSON.parse = parse;
  }
  return parsed;
}

Deno.test("parseFrame reads results and events as JSON.parse does", async (t) => {
  const frames = serverFrames();

  await t.step("as they are", () => {
    for (const text of frames) assertParsesAsJson(text);
  });

  await t.step("decoded, they are the values that were sent", () => {
    for (const value of VALUES) {
      const frame = parseFrame(eventText(3, "9", value)) as {
        params: { subscription: number; id: string; data: unknown };
        meta?: { values?: unknown };
      };
      assert.equal(frame.params.subscription, 3);
      assert.equal(frame.params.id, "9");
      const params = superjsonCodec.decode(frame.params, frame.meta);
      assert.deepStrictEqual((params as { data: unknown }).data, value);
    }
  });

  await t.step("JSON.parse sees only the event and its meta", () => {
    const parsed = parsedDuring(() => {
      parseFrame(resultText(5, { a: 1, s: "hello" }));
      parseFrame(eventText(5, "9", { a: 1, d: new Date(0) }));
    });
    assert.deepEqual(parsed, [
      resultText(5, { a: 1, s: "hello" }), // a result is parsed whole
      '{"a":1,"d":"1970-01-01T00:00:00.000Z"}',
      '{"values":{"data.d":["Date"]},"v":1}',
    ]);
  });

  await t.step("changed a character at a time, they still parse as JSON.parse does", () => {
    const replacements = ['"', "\\", "}", "{", ",", "0", "-", " ", "\n", ":", "x", "\u0001"];
    for (const text of frames.slice(0, 40)) {
      for (let i = 0; i < text.length; i++) {
        assertParsesAsJson(text.slice(0, i) + text.slice(i + 1));
        for (const char of replacements) {
          assertParsesAsJson(text.slice(0, i) + char + text.slice(i + 1));
          assertParsesAsJson(text.slice(0, i) + char + text.slice(i));
        }
      }
    }
  });
});

Deno.test("parseFrame parses other layouts whole", () => {
  const texts = [
    // Ids JSON does not allow, or that are not the client's
    '{"jsonrpc":"2.0","id":01,"result":1}',
    '{"jsonrpc":"2.0","id":-1,"result":1}',
    '{"jsonrpc":"2.0","id":1.5,"result":1}',
    '{"jsonrpc":"2.0","id":"a","result":1}',
    '{"jsonrpc":"2.0","id":12345678901234567890,"result":1}',
    '{"jsonrpc":"2.0","method":"rpc.data","params":{"subscription":01,"data":1}}',
    // Another server's order, whitespace, an escape in the position
    '{"id":1,"jsonrpc":"2.0","result":1}',
    '{"jsonrpc":"2.0","id":1, "result":1}',
    '{"jsonrpc":"2.0","id":1,"result":1 }',
    '{"jsonrpc":"2.0","method":"rpc.data","params":{"subscription":1,"id":"a\\"b","data":1}}',
    '{"jsonrpc":"2.0","method":"rpc.data","params":{"subscription":1,"data":1,"id":"5"}}',
    '{"jsonrpc":"2.0","method":"rpc.data","params":{"subscription":1,"data":1}} ',
    // Not results or events
    '{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}',
    '[{"jsonrpc":"2.0","id":1,"result":1},{"jsonrpc":"2.0","id":2,"result":2}]',
    // A member after the result, or a meta that is not the last member
    '{"jsonrpc":"2.0","id":1,"result":1,"extra":2}',
    '{"jsonrpc":"2.0","id":1,"result":1,"meta":{},"extra":2}',
    '{"jsonrpc":"2.0","id":1,"result":{"meta":1},"meta":{"values":{"a":["undefined"]}}}',
    '{"jsonrpc":"2.0","method":"rpc.data","params":{"subscription":1,"data":{"a":{},"meta":1}}}',
    // Not JSON
    '{"jsonrpc":"2.0","id":1,"result":}',
    '{"jsonrpc":"2.0","id":1,"result":1,"meta":}',
    '{"jsonrpc":"2.0","method":"rpc.data","params":{"subscription":1,"data":1}',
    '{"jsonrpc":"2.0","method":"rpc.data","params":{"subscription":1,"id":"5,"data":1}}',
  ];
  for (const text of texts) assertParsesAsJson(text);
});

Deno.test("events of one shape share their meta, for a reader that only reads it", async (t) => {
  const first = eventText(4, "1", { a: 1, d: new Date(1) });
  const second = eventText(4, "2", { a: 2, d: new Date(2) });
  const other = eventText(4, "3", { a: 3, big: 3n });
  type Event = { params: { data: unknown }; meta: unknown };

  await t.step("the same meta text gives the last event's meta, not parsed again", () => {
    const one = parseFrame(first, true) as Event;
    let two: Event | undefined;
    const parsed = parsedDuring(() => two = parseFrame(second, true) as Event);
    assert.deepEqual(parsed, ['{"a":2,"d":"1970-01-01T00:00:00.002Z"}']);
    assert.equal(two!.meta, one.meta);
    assert.deepStrictEqual(two, JSON.parse(second));
    assert.deepStrictEqual(superjsonCodec.decode(two!.params, two!.meta as never), {
      subscription: 4,
      id: "2",
      data: { a: 2, d: new Date(2) },
    });
  });

  await t.step("another meta is parsed, and is the one kept after", () => {
    const three = parseFrame(other, true) as Event;
    assert.deepStrictEqual(three, JSON.parse(other));
    const again = parseFrame(other, true) as Event;
    assert.equal(again.meta, three.meta);
    assert.notEqual((parseFrame(first, true) as Event).meta, three.meta);
  });

  await t.step("without being asked, every event gets a meta of its own", () => {
    const one = parseFrame(first) as Event;
    const two = parseFrame(first) as Event;
    assert.notEqual(one.meta, two.meta);
    assert.deepStrictEqual(one.meta, two.meta);
  });

  await t.step("a long meta is not kept", () => {
    const wide = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, new Date(i)]));
    const text = eventText(4, "5", wide);
    const one = parseFrame(text, true) as Event;
    assert.ok(JSON.stringify(one.meta).length > 512);
    assert.notEqual((parseFrame(text, true) as Event).meta, one.meta);
    assert.deepStrictEqual(parseFrame(text, true), JSON.parse(text));
  });

  await t.step("changed a character at a time, they still parse as JSON.parse does", () => {
    for (const text of [first, second, other]) {
      for (let i = 0; i < text.length; i++) {
        for (const char of ['"', "}", ",", "x"]) {
          const changed = text.slice(0, i) + char + text.slice(i + 1);
          let expected: unknown;
          try {
            expected = JSON.parse(changed);
          } catch {
            assert.throws(() => parseFrame(changed, true), SyntaxError, `accepted ${changed}`);
            continue;
          }
          // Between two reads of the unchanged frame, so that its meta is the one kept.
          parseFrame(text, true);
          assert.deepStrictEqual(parseFrame(changed, true), expected, changed);
        }
      }
    }
  });
});
