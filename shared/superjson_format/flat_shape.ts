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
 * shape.learn({ n: 1, at: new Date(0) }, ["at"], [["Date"]], meta);
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
    // The copy is made at the first Date, once the keys before it matched.
    let json: Record<string, unknown> | undefined;
    let i = 0;
    for (const key in value) {
      const item = value[key];
      if (key !== keys[i]) return undefined;
      if (!this.#isDate[i++]) {
        if (!isPlain(item, 1)) return undefined;
      } else {
        const text = item instanceof Date ? formatIsoDate(item) : undefined;
        if (text === undefined) return undefined;
        (json ??= { ...value })[key] = text;
      }
    }
    // No copy: no Date. Its keys changed under the walk that learned it
    // (a getter that deletes a member): its meta is not this value's.
    if (i !== keys.length || json === undefined) return undefined;
    if (!Object.isFrozen(meta)) {
      // Handed out again from now on: frozen, but for its `["Date"]` arrays
      // (V8's JSON.stringify writes a frozen array about four times slower
      // than the whole frame around it).
      Object.freeze(meta.values);
      Object.freeze(meta);
    }
    return { json, meta };
  }

  /**
   * Learns the shape of a plain object a walk has just encoded, when its
   * annotations are all Dates at its own keys (paths without a dot or a
   * backslash): only the walk's `["Date"]` stands for a Date.
   *
   * @param value The value.
   * @param paths The walk's paths, escaped.
   * @param trees Their trees.
   * @param meta The meta the walk wrote for them; kept, and handed out again.
   */
  learn(value: unknown, paths: readonly string[], trees: readonly unknown[], meta: Meta): void {
    this.#meta = undefined;
    if (!isPlainObject(value)) return;
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i]!;
      const tree = trees[i];
      if (path.includes(".") || path.includes("\\")) return;
      if (!Array.isArray(tree) || tree.length !== 1 || tree[0] !== "Date") return;
    }
    const keys = Object.keys(value);
    this.#keys = keys;
    this.#isDate = keys.map((key) => paths.includes(key));
    this.#meta = meta;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null &&
    Object.getPrototypeOf(value) === Object.prototype;
}
