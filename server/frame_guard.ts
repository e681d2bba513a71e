/**
 * Cheap checks of a frame's text, made before it is parsed: its size in
 * bytes and how deeply it nests.
 *
 * @module
 */

/**
 * Whether a string takes more than `max` bytes in UTF-8, counting only as far
 * as needed. A string is at least as many bytes as UTF-16 units and at most
 * three times as many, so most frames are settled by their length alone.
 *
 * @example
 * ```ts
 * import { exceedsBytes } from "./frame_guard.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(exceedsBytes("héllo", 5), true); // "é" is two bytes
 * assert.equal(exceedsBytes("héllo", 6), false);
 * ```
 *
 * @param text The frame.
 * @param max The most bytes allowed.
 * @returns `true` when the frame is too large.
 */
export function exceedsBytes(text: string, max: number): boolean {
  if (text.length > max) return true;
  if (text.length * 3 <= max) return false;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (isHighSurrogate(unit) && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4; // a surrogate pair: two units, one code point of four bytes
      i++;
    } else bytes += 3;
    if (bytes > max) return true;
  }
  return false;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit < 0xdc00;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit < 0xe000;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether JSON text nests arrays and objects deeper than `max`. It scans the
 * text once and skips strings, so it costs less than parsing and lets a
 * hostile frame be refused before anything walks it. Text that is not valid
 * JSON gets an answer too; the parser refuses it afterwards.
 *
 * @example
 * ```ts
 * import { exceedsDepth } from "./frame_guard.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(exceedsDepth('{"a":[[1]],"b":"[[[["}', 3), false);
 * assert.equal(exceedsDepth("[[[[1]]]]", 3), true);
 * ```
 *
 * @param text JSON text.
 * @param max The deepest nesting allowed; the outermost array or object is 1.
 * @returns `true` when the text nests too deeply.
 */
export function exceedsDepth(text: string, max: number): boolean {
  // Each level takes at least one character.
  if (text.length <= max) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === QUOTE) i = endOfString(text, i);
    else if (unit === OPEN_ARRAY || unit === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (unit === CLOSE_ARRAY || unit === CLOSE_OBJECT) depth--;
  }
  return false;
}

/** The index of the quote that ends the string opened at `start`, or the end of the text. */
function endOfString(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  while (quote !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return text.length;
}
