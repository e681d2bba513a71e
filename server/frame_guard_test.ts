import assert from "node:assert/strict";
import { exceedsDepth } from "./frame_guard.ts";

/** How deeply JSON text nests, the slow way: by parsing it. */
function parsedDepth(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(parsedDepth));
}

Deno.test("nesting up to the limit passes; one level more does not", () => {
  const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
  assert.equal(exceedsDepth(nested(64), 64), false);
  assert.equal(exceedsDepth(nested(65), 64), true);
  const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
  assert.equal(exceedsDepth(objects(3), 3), false);
  assert.equal(exceedsDepth(objects(4), 3), true);
});

Deno.test("siblings don't add up: only the deepest path counts", () => {
  const wide = `[${Array.from({ length: 100 }, () => "[[1]]").join(",")}]`;
  assert.equal(exceedsDepth(wide, 3), false);
  assert.equal(exceedsDepth(wide, 2), true);
});

Deno.test("brackets inside strings don't count, escaped quotes included", () => {
  assert.equal(exceedsDepth(`["${"[".repeat(100)}"]`, 1), false);
  assert.equal(exceedsDepth(String.raw`["a \" [[[[[[ still inside"]`, 1), false);
  // An escaped backslash ends the string at the quote after it.
  assert.equal(exceedsDepth(String.raw`["a \\", [[1]]]`, 2), true);
  assert.equal(exceedsDepth(String.raw`["a \\\" [[[[ inside"]`, 1), false);
});

Deno.test("text that is not JSON gets an answer and no error", () => {
  assert.equal(exceedsDepth('["never closed', 1), false);
  // Closers first can hide openers from the count, but the parser refuses
  // such text at its first character, before nesting anything.
  assert.equal(exceedsDepth(`]]]${"[".repeat(4)}`, 1), false);
  assert.throws(() => JSON.parse(`]]]${"[".repeat(4)}`), SyntaxError);
  assert.equal(exceedsDepth("", 0), false);
});

Deno.test("it agrees with the parser on generated frames", () => {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const build = (depth: number): unknown => {
    if (depth === 0 || random() < 0.2) return random() < 0.5 ? 'x]}[{"' : 1;
    const children = Array.from({ length: 1 + Math.floor(random() * 3) }, () => build(depth - 1));
    return random() < 0.5 ? children : Object.fromEntries(children.map((c, i) => [`k${i}`, c]));
  };
  for (let i = 0; i < 500; i++) {
    const value = build(1 + Math.floor(random() * 8));
    const text = JSON.stringify(value);
    const depth = parsedDepth(value);
    assert.equal(exceedsDepth(text, depth), false, text);
    if (depth > 0) assert.equal(exceedsDepth(text, depth - 1), true, text);
  }
});
