import assert from "node:assert/strict";
import { MetaReuse } from "./reused_meta.ts";

const META = '{"values":{"at":["Date"]},"v":1}';

/** `frames.parse(text)` gives what JSON.parse gives, or throws where it throws. */
function assertParsesAsJson(frames: MetaReuse, text: string): void {
  let expected: unknown;
  try {
    expected = JSON.parse(text);
  } catch {
    assert.throws(() => frames.parse(text), SyntaxError, `accepted ${text}`);
    return;
  }
  assert.deepStrictEqual(frames.parse(text), expected, text);
}

Deno.test("frames that end with the last frame's meta get its meta object", async (t) => {
  await t.step("a call's frames, one after another", () => {
    const frames = new MetaReuse();
    type Frame = { id: number; params: { at: string }; meta: unknown };
    const texts = [1, 2, 3].map((id) =>
      `{"jsonrpc":"2.0","id":${id},"method":"at","params":{"at":"2026-01-0${id}T00:00:00.000Z"},"meta":${META}}`
    );
    const parsed = texts.map((text) => frames.parse(text) as Frame);
    parsed.forEach((frame, i) => assert.deepStrictEqual(frame, JSON.parse(texts[i]!)));
    assert.equal(parsed[1]!.meta, parsed[2]!.meta, "the second and third share the first's meta");
  });

  await t.step("another meta is parsed, and kept for the frames after it", () => {
    const frames = new MetaReuse();
    const other = '{"values":{"n":["bigint"]},"v":1}';
    const a = frames.parse(`{"id":1,"result":{"at":"x"},"meta":${META}}`) as { meta: unknown };
    const b = frames.parse(`{"id":2,"result":{"n":"1"},"meta":${other}}`) as { meta: unknown };
    const c = frames.parse(`{"id":3,"result":{"n":"2"},"meta":${other}}`) as { meta: unknown };
    assert.deepEqual(b.meta, JSON.parse(other));
    const d = frames.parse(`{"id":4,"result":{"n":"3"},"meta":${other}}`) as { meta: unknown };
    assert.equal(c.meta, d.meta);
    assert.notEqual(a.meta, c.meta);
  });

  await t.step("a meta member that is not the frame's own is not taken for it", () => {
    const frames = new MetaReuse();
    frames.parse(`{"id":1,"result":1,"meta":${META}}`);
    for (
      const text of [
        // Inside the result, at its end
        `{"id":2,"result":{"x":1,"meta":${META}}}`,
        `{"id":2,"result":[{"x":1,"meta":${META}}]}`,
        // The frame's only member: without it, the frame would be "{}", which is JSON
        `{,"meta":${META}}`,
        `{ \n,"meta":${META}}`,
        // Inside a string
        `{"id":2,"result":"x\\",\\"meta\\":${META.replaceAll('"', '\\"')}}"}`,
        // Twice, as JSON.parse keeps the last
        `{"id":2,"meta":{"values":{"b":["bigint"]}},"result":1,"meta":${META}}`,
        // Whitespace around it
        `{"id":2,"result":1 ,"meta":${META}}`,
        `{"id":2,"result":1,"meta":${META} }`,
      ]
    ) {
      assertParsesAsJson(frames, text);
      // After another frame, so that the kept meta is the one above.
      frames.parse(`{"id":1,"result":1,"meta":${META}}`);
    }
  });

  await t.step("changed a character at a time, they still parse as JSON.parse does", () => {
    const frames = new MetaReuse();
    const text =
      `{"jsonrpc":"2.0","id":7,"result":{"at":"2026-01-01T00:00:00.000Z"},"meta":${META}}`;
    for (let i = 0; i < text.length; i++) {
      for (const char of ['"', "}", "{", ",", "x", " ", "]"]) {
        frames.parse(text);
        assertParsesAsJson(frames, text.slice(0, i) + char + text.slice(i + 1));
        frames.parse(text);
        assertParsesAsJson(frames, text.slice(0, i) + char + text.slice(i));
      }
    }
  });

  await t.step("a long meta is not kept", () => {
    const frames = new MetaReuse();
    const values = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`key${i}`, ["Date"]]));
    const text = `{"id":1,"result":1,"meta":${JSON.stringify({ values, v: 1 })}}`;
    const one = frames.parse(text) as { meta: unknown };
    assert.notEqual((frames.parse(text) as { meta: unknown }).meta, one.meta);
  });
});
