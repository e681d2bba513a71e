/**
 * Turns values into JSON and back. Plain JSON values travel as they are, so a
 * client that knows nothing of superjson can read and write them; other values
 * (Date, Map, Set, BigInt, undefined, …) travel as superjson's JSON plus a
 * `meta` member that says how to restore them. wsrpc writes and reads that
 * format itself (./superjson_format/), so the browser bundle carries no
 * superjson; tests check it against superjson both ways.
 *
 * @module
 */

import { decodeSuperjson } from "./superjson_format/decode.ts";
import { encodeSuperjson } from "./superjson_format/encode.ts";
import { isPlain } from "./superjson_format/plain.ts";
import type { Meta } from "./wire.ts";

/**
 * A value split into its JSON part and the meta needed to restore it.
 *
 * @example A Date split into JSON and meta
 * ```ts
 * import { type Encoded, superjsonCodec } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const encoded: Encoded = superjsonCodec.encode({ at: new Date(0) });
 * assert.deepEqual(encoded.json, { at: "1970-01-01T00:00:00.000Z" });
 * assert.deepEqual(encoded.meta, { values: { at: ["Date"] }, v: 1 });
 * assert.equal(superjsonCodec.encode({ n: 1 }).meta, undefined); // plain JSON needs none
 * ```
 */
export interface Encoded {
  /** The JSON part. */
  json: unknown;
  /** What the JSON part can't say by itself; `undefined` for plain JSON. */
  meta: Meta | undefined;
}

/**
 * How payloads are turned into JSON and back. Both sides must use the same one.
 *
 * @example A codec that only allows plain JSON
 * ```ts
 * import type { Codec } from "@wsrpc/core";
 *
 * const plainJson: Codec = {
 *   encode: (value) => ({ json: value, meta: undefined }),
 *   decode: (json) => json,
 * };
 * ```
 */
export interface Codec {
  /** Splits a value into JSON and meta. */
  encode(value: unknown): Encoded;
  /**
   * Restores a value from JSON and meta.
   *
   * @throws When the meta is malformed or hostile.
   */
  decode(json: unknown, meta: Meta | undefined): unknown;
}

/**
 * Whether a value is already plain JSON: null, booleans, strings, finite
 * numbers, and arrays and plain objects of them. Such values need no meta.
 *
 * @example
 * ```ts
 * import { isPlainJson } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isPlainJson({ a: [1, "two", null] }), true);
 * assert.equal(isPlainJson({ at: new Date() }), false);
 * ```
 *
 * @param value Any value.
 * @returns `true` when `JSON.stringify` would carry it without loss.
 */
export function isPlainJson(value: unknown): boolean {
  return isPlain(value, 0);
}

/**
 * Which way the default codec tries a value first. After a rich value the
 * next is most often rich too: the walk that finds its rich values goes
 * first, without a look for them before (it writes plain JSON as it is, but
 * refuses a `__proto__`, `constructor` or `prototype` key, which plain JSON
 * may have: such a value is then sent as it is, as before). After a plain
 * value, the look goes first. Calls keep one, and events another
 * (server/frames.ts).
 *
 * @internal
 */
export class RichFirst {
  #rich = false;

  /** Whether the last value had rich values. */
  get rich(): boolean {
    return this.#rich;
  }

  /**
   * Encodes `value` with `walk`, or says it goes as it is.
   *
   * @param value The value.
   * @param walk superjson's encoding of it.
   * @param isRich Whether an encoding found rich values.
   * @returns The encoding, or `undefined` for plain JSON that goes as it is.
   */
  encode<T>(
    value: unknown,
    walk: (value: unknown) => T,
    isRich: (encoded: T) => boolean,
  ): T | undefined {
    if (this.#rich) {
      try {
        const encoded = walk(value);
        this.#rich = isRich(encoded);
        return encoded;
      } catch (error) {
        if (!isPlain(value, 0)) throw error;
      }
    }
    if (isPlain(value, 0)) {
      this.#rich = false;
      return undefined;
    }
    const encoded = walk(value);
    this.#rich = isRich(encoded);
    return encoded;
  }
}

const calls = new RichFirst();
/**
 * Whether an encoding found rich values: `RichFirst`'s test for the codec's
 * `{ json, meta }`.
 *
 * @internal
 */
export const hasMeta = (encoded: Encoded): boolean => encoded.meta !== undefined;

/**
 * The default codec: plain JSON as it is, everything else in superjson's format.
 *
 * Values of one shape, a plain object with Dates at the same keys, share one
 * meta object, which is frozen once it is shared: read it, copy it, but don't
 * change it.
 *
 * @example A Date survives the trip
 * ```ts
 * import { superjsonCodec } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const at = new Date("2026-01-01T00:00:00Z");
 * const { json, meta } = superjsonCodec.encode({ at });
 * const back = superjsonCodec.decode(JSON.parse(JSON.stringify(json)), meta);
 * assert.deepEqual(back, { at });
 * assert.equal(superjsonCodec.encode({ n: 1 }).meta, undefined);
 *
 * // One shape, one meta.
 * const later = superjsonCodec.encode({ at: new Date(1) });
 * assert.equal(superjsonCodec.encode({ at: new Date(2) }).meta, later.meta);
 * assert.ok(Object.isFrozen(later.meta));
 * ```
 */
export const superjsonCodec: Codec = {
  encode(value: unknown): Encoded {
    return calls.encode(value, encodeSuperjson, hasMeta) ?? { json: value, meta: undefined };
  },
  decode(json: unknown, meta: Meta | undefined): unknown {
    return meta === undefined ? json : decodeSuperjson(json, meta);
  },
};

/**
 * Whether `codec` sends `value` as it is, with no meta: the default codec's
 * plain values. A hot path asks this first, to go without the codec's
 * `{ json, meta }`.
 *
 * @param codec The codec in use.
 * @param value The value to send.
 * @returns `true` when `value` is its own JSON; `false` when it is not, or
 *   may not be: right after a rich value, the codec's walk tells.
 */
export function sentAsIs(codec: Codec, value: unknown): boolean {
  return codec === superjsonCodec && !calls.rich && isPlain(value, 0);
}
