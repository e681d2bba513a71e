/**
 * Sizes of text frames in UTF-8 bytes, as WebSocket limits count them.
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
 * import { exceedsBytes } from "./utf8.ts";
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
