import assert from "node:assert/strict";
import { exceedsBytes } from "./utf8.ts";

const bytes = (text: string) => new TextEncoder().encode(text).length;

Deno.test("each kind of character counts as many bytes as UTF-8 takes", () => {
  for (
    const [text, size] of [
      ["a", 1],
      ["é", 2],
      ["€", 3],
      ["😀", 4], // a surrogate pair
      ["\ud800", 3], // a lone surrogate, which the encoder replaces with U+FFFD
    ] as const
  ) {
    assert.equal(bytes(text), size);
    // Padded so the length alone can't settle it.
    const padded = `${text}${"x".repeat(10)}`;
    assert.equal(exceedsBytes(padded, size + 10), false, `${text} fits in ${size} bytes`);
    assert.equal(exceedsBytes(padded, size + 9), true, `${text} does not fit in ${size - 1}`);
  }
});

Deno.test("the length alone settles most frames", () => {
  assert.equal(exceedsBytes("x".repeat(11), 10), true, "more units than bytes allowed");
  assert.equal(exceedsBytes("€".repeat(3), 9), false, "three bytes a unit at most");
  assert.equal(exceedsBytes("", 0), false);
});

Deno.test("it agrees with TextEncoder on generated text", () => {
  const alphabet = ["a", "~", "é", "ß", "€", "中", "😀", "🇫🇷", "\udc00", "\ud83d"];
  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 1_000; i++) {
    const length = Math.floor(random() * 40);
    const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)])
      .join("");
    const size = bytes(text);
    assert.equal(exceedsBytes(text, size), false, JSON.stringify(text));
    if (size > 0) assert.equal(exceedsBytes(text, size - 1), true, JSON.stringify(text));
  }
});
