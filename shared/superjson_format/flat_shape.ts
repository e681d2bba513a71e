/**
 * The last shape of a flat rich value, to encode the next one of that shape
 * without a walk. The values of one procedure most often have one shape: a
 * plain object whose own members are plain JSON, but for some Dates
 * (`{ id, name, at: Date }`). Once a walk has encoded one, the next is
 * checked against its keys and its Dates' places, and then written as the
 * walk would write it: the same JSON, and the same meta object again.
 *
 * @module
 */

import { isPlain } from "./plain.ts";
import { formatIsoDate } from "./iso_date.ts";
import type { Meta } from "../wire.ts";

/**
 * A plain object's keys, in order, which of them hold Dates, and the meta of
 * such an object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FlatShape } from "./flat_shape.ts";
 *
 * const shape = new FlatShape();
 * const meta = { values: { at: ["Date"] }, v: 1 };
 * shape.learn({ n: 1, at: new Date(0) }, meta);
 * const next = shape.encode({ n: 2, at: new Date(1) });
 * assert.deepEqual(next, { json: { n: 2, at: "1970-01-01T00:00:00.001Z" }, meta });
 * assert.equal(shape.encode({ n: 2, at: "not a Date" }), undefined);
 * ```
 */
export class FlatShape {
  #keys: string[] = [];
  #isDate: boolean[] = [];
  #meta: Meta | undefined;

  /**
   * Encodes a value of the last shape learned.
   *
   * @param value Any value.
   * @returns What a walk would give for it, with the shape's meta object;
   *   `undefined` when the value does not have the shape.
   */
  encode(value: unknown): { json: unknown; meta: Meta } | undefined {
    const meta = this.#meta;
    if (meta === undefined || !isPlainObject(value)) return undefined;
    const keys = this.#keys;
    const json: Record<string, unknown> = { ...value };
    let i = 0;
    for (const key in value) {
      const item = value[key];
      if (key !== keys[i]) return undefined;
      if (!this.#isDate[i++]) {
        if (!isPlain(item, 1)) return undefined;
      } else if (item instanceof Date && item.getTime() === item.getTime()) {
        json[key] = formatIsoDate(item);
      } else {
        return undefined;
      }
    }
    return i === keys.length ? { json, meta } : undefined;
  }

  /**
   * Learns the shape of a value a walk has just encoded, when it has one: a
   * plain object whose members are plain JSON or Dates at keys that need no
   * escaping. Its meta then holds the Dates' annotations and nothing else:
   * the walk annotates every valid Date, and nothing in plain JSON.
   *
   * @param value The value.
   * @param meta The meta the walk wrote for it; kept, and handed out again.
   */
  learn(value: unknown, meta: Meta): void {
    this.#meta = undefined;
    if (!isPlainObject(value)) return;
    // A plain object's meta is `{ values: { [path]: tree }, v: 1 }`.
    const annotated = meta.values as Record<string, unknown>;
    const keys: string[] = [];
    const isDate: boolean[] = [];
    for (const key in value) {
      const item = value[key];
      const date = item instanceof Date;
      // A key with a dot or a backslash is annotated under its escaped form.
      if (date ? String(annotated[key]) !== "Date" : !isPlain(item, 1)) return;
      keys.push(key);
      isDate.push(date);
    }
    // Handed out again with every value of the shape: frozen, but for its
    // `["Date"]` arrays (V8's JSON.stringify writes a frozen array about
    // four times slower than the whole frame around it).
    Object.freeze(annotated);
    [this.#keys, this.#isDate, this.#meta] = [keys, isDate, Object.freeze(meta)];
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null &&
    Object.getPrototypeOf(value) === Object.prototype;
}
