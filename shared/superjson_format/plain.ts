/**
 * Whether a value is plain JSON, which travels without superjson's meta.
 *
 * @module
 */

import { isPlainRecord } from "../wire.ts";

// Deeper values are rare; past this depth the check gives up and lets
// the encoder walk the value instead of risking the stack.
const MAX_PLAIN_DEPTH = 64;

/**
 * Whether a value is already plain JSON: null, booleans, strings, finite
 * numbers, and arrays and plain objects of them.
 *
 * @param value Any value.
 * @param depth How deep `value` is in the value being checked (0 at its root).
 * @returns `true` when `JSON.stringify` would carry it without loss.
 */
export function isPlain(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object": {
      if (value === null) return true;
      if (depth >= MAX_PLAIN_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !isPlain(value[i], depth + 1)) return false;
        }
        return true;
      }
      if (!isPlainRecord(value)) return false;
      for (const key in value) {
        if (!isPlain(value[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
