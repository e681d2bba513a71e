/**
 * Cheap checks of a frame's text, made before it is parsed: its size in
 * bytes and how deeply it nests.
 *
 * @module
 */

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
  // Valid JSON nested deeper than `max` opens and closes more than `max`
  // brackets; shorter text can't be it (and invalid text is refused by the
  // parser before anything walks it). Nor can text with fewer brackets.
  if (text.length <= 2 * max + 1 || countBrackets(text, max) <= max) return false;
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

/**
 * How many `[` and `{` the text holds, strings included, counting no further
 * than past `max`: when there are no more than `max`, the text can't nest
 * deeper, and the scan that skips strings is not needed.
 */
function countBrackets(text: string, max: number): number {
  let count = 0;
  for (let i = text.indexOf("{"); i !== -1 && count <= max; i = text.indexOf("{", i + 1)) count++;
  for (let i = text.indexOf("["); i !== -1 && count <= max; i = text.indexOf("[", i + 1)) count++;
  return count;
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
