/**
 * Reading values whose meta marks only Dates at keys of the top-level object
 * (`{"values":{"at":["Date"]},"v":1}`), the most common rich input. The
 * calls of one procedure most often carry one meta, parsed once into one
 * object (reused_meta.ts): what it asks for is worked out when it is first
 * met, and each value is then restored without walking the meta again, its
 * Dates read by `parseIsoDate`.
 *
 * @module
 */

import { isPlainRecord, type Meta } from "../wire.ts";
import { decodeSuperjson } from "./decode.ts";
import { FORBIDDEN_KEYS } from "./encode.ts";
import { parseIsoDate } from "./iso_date.ts";

/**
 * Restores values as `decodeSuperjson` does, with a shortcut for a meta
 * object met before that marks only Dates at top-level keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FlatDates } from "./flat_dates.ts";
 *
 * const dates = new FlatDates();
 * const meta = { values: { at: ["Date"] }, v: 1 };
 * const value = dates.decode({ n: 1, at: "1970-01-01T00:00:00.000Z" }, meta);
 * assert.deepEqual(value, { n: 1, at: new Date(0) });
 * ```
 */
export class FlatDates {
  #meta: Meta | undefined;
  /** The keys of the Dates the last meta marks; `undefined` when it marks more than that. */
  #keys: string[] | undefined;

  /**
   * Restores the values that `meta` describes inside `json`, in place.
   *
   * @param json The JSON part, fresh from `JSON.parse`.
   * @param meta Untrusted meta, as parsed from a frame; only read.
   * @returns The restored value.
   * @throws {TypeError} As `decodeSuperjson`.
   * @throws {SyntaxError} As `decodeSuperjson`.
   */
  decode(json: unknown, meta: Meta): unknown {
    if (meta !== this.#meta) [this.#meta, this.#keys] = [meta, datesAtTop(meta)];
    const keys = this.#keys;
    if (keys === undefined || !isPlainRecord(json)) return decodeSuperjson(json, meta);
    for (const key of keys) {
      const text = json[key];
      // Anything else is malformed: the general reader says how.
      if (typeof text !== "string" || !Object.hasOwn(json, key)) return decodeSuperjson(json, meta);
    }
    for (const key of keys) json[key] = parseIsoDate(json[key] as string);
    return json;
  }
}

/** The keys a meta marks as Dates, when it marks nothing else and none needs unescaping. */
function datesAtTop(meta: Meta): string[] | undefined {
  const { values, v } = meta;
  if (v !== 1 || !isPlainRecord(values)) return undefined;
  const keys = Object.keys(values);
  for (const key of keys) {
    const tree = values[key];
    if (!Array.isArray(tree) || tree.length !== 1 || tree[0] !== "Date") return undefined;
    if (FORBIDDEN_KEYS.has(key) || key.includes(".") || key.includes("\\")) return undefined;
  }
  return keys;
}
