/**
 * Writes a value as superjson's JSON and meta (format version 1), so that any
 * superjson peer reads it. The types are superjson's built-in ones: undefined,
 * BigInt, Date, RegExp, Set, Map, Error, URL, NaN, ±Infinity, -0 and typed
 * arrays. Class instances, functions and symbols are left to `JSON.stringify`,
 * as superjson leaves them when nothing is registered.
 *
 * The tree of annotations is built the way superjson builds it: paths through
 * plain objects and arrays are flattened into one record (`"a.b.0"`), with `.`
 * and `\` escaped in keys; a transformed value gets `[type]`, or
 * `[type, children]` when something inside it needs annotations too.
 * A reference back to an ancestor (a cycle) becomes `null`.
 *
 * @module
 */

import { isPlainRecord, type Meta } from "../wire.ts";
import { FlatShape } from "./flat_shape.ts";
import { formatIsoDate } from "./iso_date.ts";

/** A node of superjson's annotation tree. */
export type Tree = [Annotation] | [Annotation, Children] | Children;
/** Annotations below a node, by escaped path. */
export type Children = { [path: string]: Tree };
/** A single type, or `[name, detail]`. */
export type Annotation = string | [string, string];

const BACKSLASH = 0x5c;
const DOT = 0x2e;

/** Keys superjson refuses to walk: writing them back could reach a prototype. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  "__proto__",
  "constructor",
  "prototype",
]);

/** The typed arrays superjson knows, by name. */
export const TYPED_ARRAYS: ReadonlyMap<string, new (values: ArrayLike<unknown>) => unknown> =
  new Map(
    [
      Int8Array,
      Uint8Array,
      Uint8ClampedArray,
      Int16Array,
      Uint16Array,
      Int32Array,
      Uint32Array,
      Float32Array,
      Float64Array,
      BigInt64Array,
      BigUint64Array,
    ].map((type) => [type.name, type as unknown as new (values: ArrayLike<unknown>) => unknown]),
  );

/** A number JSON can't carry, as superjson writes it; `undefined` for the others. */
export function specialNumber(n: number): string | undefined {
  if (n !== n) return "NaN";
  if (n === Infinity) return "Infinity";
  if (n === -Infinity) return "-Infinity";
  return n === 0 && 1 / n < 0 ? "-0" : undefined;
}

function escapeKey(key: string): string {
  // Most keys are short and have neither: one pass over their characters
  // costs less than two searches.
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    if (unit === BACKSLASH || unit === DOT) {
      return key.replace(/\\/g, "\\\\").replace(/\./g, "\\.");
    }
  }
  return key;
}

/** A key as a path writes it: `.` and `\` escaped in a string. */
function pathKey(key: string | number): string | number {
  return typeof key === "string" ? escapeKey(key) : key;
}

/** A key as it goes into a path (escaped only then): an array index, or `null` for a root. */
type Key = string | number | null;

/**
 * Annotations as a walk finds them, by escaped path, in order. A list, not
 * yet a record: a record is made only when a meta is, and a stream's
 * events, whose annotations are most often the last event's, go without
 * (member.ts).
 */
export class Annotations {
  readonly paths: string[] = [];
  readonly trees: Tree[] = [];

  /** The record of a meta (superjson's `Children`), in the order found. */
  toChildren(): Children {
    const children: Children = {};
    for (let i = 0; i < this.paths.length; i++) children[this.paths[i]!] = this.trees[i]!;
    return children;
  }
}

/**
 * One walk. A value's place is given as its container's prefix (`""` at the
 * top of a record, `"a.b."` below) and its own escaped key, `null` for the
 * root of a record; the path string is only joined when it is needed.
 */
export class Walk {
  /** The containers being walked, outermost first: one of them again is a cycle. */
  readonly #ancestors: object[] = [];
  /** The root's own annotation, when the value is not a plain container. */
  root: Tree | undefined;

  /** Returns the JSON for `value`, and records its annotations in `into`. */
  value(value: unknown, into: Annotations, prefix: string, key: Key): unknown {
    switch (typeof value) {
      case "string":
      case "boolean":
        return value;
      case "number": {
        const special = specialNumber(value);
        if (special === undefined) return value;
        this.#annotate(into, prefix, key, ["number"]);
        return special;
      }
      case "undefined":
        this.#annotate(into, prefix, key, ["undefined"]);
        return null;
      case "bigint":
        this.#annotate(into, prefix, key, ["bigint"]);
        return value.toString();
      case "object":
        if (value === null) return null;
        // The common rich value first: a Date is a leaf, it can't hold a cycle.
        if (value instanceof Date) return this.#date(value, into, prefix, key);
        return this.#object(value, into, prefix, key);
      default:
        // Functions and symbols: JSON.stringify drops them, as with superjson.
        return value;
    }
  }

  #date(date: Date, into: Annotations, prefix: string, key: Key): unknown {
    const text = formatIsoDate(date);
    if (text === undefined) return date; // an invalid Date: superjson leaves it to JSON (null)
    this.#annotate(into, prefix, key, ["Date"]);
    return text;
  }

  #object(value: object, into: Annotations, prefix: string, key: Key): unknown {
    if (this.#ancestors.includes(value)) return null;
    const isArray = Array.isArray(value);
    if (isArray || isPlainRecord(value)) {
      const below = key === null ? prefix : `${prefix}${pathKey(key)}.`;
      this.#ancestors.push(value);
      const json = isArray
        ? this.#array(value, into, below)
        : this.#record(value as Record<string, unknown>, into, below);
      this.#ancestors.pop();
      return json;
    }
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      const typed = value as unknown as ArrayLike<number | bigint>;
      const json = Array.from(
        typed,
        (n) => typeof n === "bigint" ? n.toString() : specialNumber(n) ?? n,
      );
      this.#annotate(into, prefix, key, [["typed-array", value.constructor.name]]);
      return json;
    }
    if (value instanceof Error) {
      const plain: Record<string, unknown> = { name: value.name, message: value.message };
      if ("cause" in value) plain.cause = value.cause;
      return this.#transformed(value, "Error", plain, into, prefix, key);
    }
    if (value instanceof RegExp) {
      this.#annotate(into, prefix, key, ["regexp"]);
      return String(value);
    }
    if (value instanceof Set) return this.#transformed(value, "set", [...value], into, prefix, key);
    if (value instanceof Map) return this.#transformed(value, "map", [...value], into, prefix, key);
    if (value instanceof URL) {
      this.#annotate(into, prefix, key, ["URL"]);
      return value.href;
    }
    return value; // a class instance: its own JSON, unannotated, as superjson leaves it
  }

  /** A Set, Map or Error: its plain form is walked into a record of its own. */
  #transformed(
    value: object,
    type: string,
    plain: unknown[] | Record<string, unknown>,
    into: Annotations,
    prefix: string,
    key: Key,
  ): unknown {
    const children = new Annotations();
    this.#ancestors.push(value);
    const json = Array.isArray(plain)
      ? this.#array(plain, children, "")
      : this.#record(plain, children, "");
    this.#ancestors.pop();
    const tree: Tree = children.paths.length === 0 ? [type] : [type, children.toChildren()];
    this.#annotate(into, prefix, key, tree);
    return json;
  }

  // The JSON starts as a shallow copy, and only what changes is written
  // over: a copy keeps the value's shape, which JSON.stringify writes about
  // twice as fast as an object grown key by key.
  #array(array: readonly unknown[], into: Annotations, prefix: string): unknown[] {
    const json = Array.prototype.slice.call(array);
    for (let i = 0; i < array.length; i++) {
      if (!(i in array)) continue;
      const item = array[i];
      const out = this.value(item, into, prefix, i);
      if (out !== item) json[i] = out;
    }
    return json;
  }

  #record(object: Record<string, unknown>, into: Annotations, prefix: string): object {
    const json: Record<string, unknown> = { ...object };
    for (const key of Object.keys(object)) {
      if (FORBIDDEN_KEYS.has(key)) {
        throw new TypeError(
          `A "${key}" key can't travel beside rich values: it is a prototype pollution risk`,
        );
      }
      const item = object[key];
      const out = this.value(item, into, prefix, key);
      if (out !== item) json[key] = out;
    }
    return json;
  }

  #annotate(into: Annotations, prefix: string, key: Key, tree: Tree): void {
    if (key === null) {
      this.root = tree;
      return;
    }
    into.paths.push(prefix + pathKey(key));
    into.trees.push(tree);
  }
}

/**
 * Splits a value into superjson's JSON and meta.
 *
 * @param value Any value.
 * @param shape The last flat shape of values like it, tried first and then
 *   learned (the server keeps one for each procedure's results).
 * @returns The JSON part, and the meta (`undefined` when nothing needs one).
 * @throws {TypeError} When a plain object beside rich values has a
 *   `__proto__`, `constructor` or `prototype` key, which superjson refuses.
 */
export function encodeSuperjson(
  value: unknown,
  shape: FlatShape = lastShape,
): { json: unknown; meta: Meta | undefined } {
  const known = shape.encode(value);
  if (known !== undefined) return known;
  const walk = new Walk();
  const annotations = new Annotations();
  const json = walk.value(value, annotations, "", null);
  if (walk.root !== undefined) return { json, meta: { values: walk.root, v: 1 } };
  if (annotations.paths.length === 0) return { json, meta: undefined };
  const meta = { values: annotations.toChildren(), v: 1 };
  shape.learn(value, annotations.paths, annotations.trees, meta);
  return { json, meta };
}

/** The shape of the last flat rich value encoded without a shape of its own (see `FlatShape`). */
const lastShape = new FlatShape();
