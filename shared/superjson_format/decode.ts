/**
 * Restores a value from superjson's JSON and meta, when both came from the
 * network. The meta is checked as it is applied: a tree shaped the way
 * superjson writes it, no deeper than {@linkcode MAX_META_DEPTH}, paths that
 * lead to values the JSON really has (through plain objects and arrays only,
 * never through `__proto__`, `constructor` or `prototype`), and only the
 * types superjson has built in. `referentialEqualities` is ignored: shared
 * references arrive as equal copies, exactly as plain JSON carries them, so
 * a small frame can't become a cycle or a graph that doubles at every level.
 *
 * The JSON is restored in place: pass a value fresh from `JSON.parse`. The
 * meta is only read, never changed: the client hands the events of a stream
 * one meta object when their meta text is the same.
 *
 * @module
 */

import { isPlainRecord, type Meta } from "../wire.ts";
import { FORBIDDEN_KEYS, TYPED_ARRAYS } from "./encode.ts";

/** How deep a meta tree may nest; deeper values travel fine, their meta doesn't. */
export const MAX_META_DEPTH = 256;

/** Why a meta can't be applied. */
function malformed(what: string): TypeError {
  return new TypeError(`The meta ${what}`);
}

/**
 * Restores the values that `meta` describes inside `json`.
 *
 * @param json The JSON part, fresh from `JSON.parse`; changed in place.
 * @param meta Untrusted meta, as parsed from a frame.
 * @returns The restored value.
 * @throws {TypeError} When the meta is malformed or names an unknown type.
 * @throws {SyntaxError} When a value can't be restored (a BigInt that is not a number).
 */
export function decodeSuperjson(json: unknown, meta: Meta): unknown {
  const { values, v } = meta;
  if (v !== undefined && typeof v !== "number") throw malformed("version is invalid");
  if (values === undefined) return json;
  // Before version 1, a backslash only escaped a dot.
  return applyTree(json, values, v === undefined || v < 1, 0);
}

/** A tree is `[type]`, `[type, children]`, or the children alone. */
function applyTree(node: unknown, tree: unknown, legacy: boolean, depth: number): unknown {
  if (depth > MAX_META_DEPTH) throw malformed("is nested too deeply");
  if (!Array.isArray(tree)) return applyChildren(node, tree, legacy, depth);
  if (tree.length < 1 || tree.length > 2) throw malformed("has a malformed type annotation");
  if (tree.length === 2) node = applyChildren(node, tree[1], legacy, depth);
  return restore(node, tree[0]);
}

function applyChildren(node: unknown, children: unknown, legacy: boolean, depth: number): unknown {
  if (typeof children !== "object" || children === null || Array.isArray(children)) {
    throw malformed("has a malformed tree");
  }
  for (const path of Object.keys(children)) {
    const tree = (children as Record<string, unknown>)[path];
    const keys = cachedPath(path, legacy);
    let parent = node;
    for (let i = 0; i < keys.length - 1; i++) parent = childOf(parent, keys[i]!);
    const last = keys[keys.length - 1]!;
    (parent as Record<string, unknown>)[last] = applyTree(
      childOf(parent, last),
      tree,
      legacy,
      depth + 1,
    );
  }
  return node;
}

/** A member the JSON has: an index of an array, or an own key of a plain object. */
function childOf(parent: unknown, key: string): unknown {
  if (FORBIDDEN_KEYS.has(key)) throw malformed(`path goes through "${key}"`);
  if (Array.isArray(parent)) {
    if (/^(0|[1-9]\d*)$/.test(key) && Number(key) < parent.length) return parent[Number(key)];
  } else if (isPlainRecord(parent) && Object.hasOwn(parent, key)) {
    return parent[key];
  }
  throw malformed("names a path the value does not have");
}

/**
 * Parsed paths, by text: a stream's events share a few paths ("data.at"),
 * and splitting one for every event costs more than looking it up. Bounded:
 * hostile frames can only make it start over.
 */
const PATHS = new Map<string, readonly string[]>();
const MAX_CACHED_PATHS = 256;

function cachedPath(path: string, legacy: boolean): readonly string[] {
  if (legacy) return parsePath(path, true);
  let keys = PATHS.get(path);
  if (keys === undefined) {
    keys = parsePath(path, false);
    if (PATHS.size >= MAX_CACHED_PATHS) PATHS.clear();
    PATHS.set(path, keys);
  }
  return keys;
}

/** Splits an escaped path (`a\.b.0`) into its keys (`["a.b", "0"]`). */
function parsePath(path: string, legacy: boolean): string[] {
  if (!path.includes("\\")) return path.split(".");
  const keys: string[] = [];
  let key = "";
  for (let i = 0; i < path.length; i++) {
    const char = path[i];
    if (char === "\\") {
      const next = path[i + 1];
      if (next === ".") {
        key += ".";
        i++;
        continue;
      }
      if (!legacy) {
        if (next !== "\\") throw malformed("has an invalid escape in a path");
        key += "\\";
        i++;
        continue;
      }
    }
    if (char === ".") {
      keys.push(key);
      key = "";
    } else {
      key += char;
    }
  }
  keys.push(key);
  return keys;
}

function unknownType(type: unknown): TypeError {
  return malformed(`names an unknown type: ${JSON.stringify(type)}`);
}

function stringOf(value: unknown, type: string): string {
  if (typeof value !== "string") throw malformed(`marks a ${typeof value} as ${type}`);
  return value;
}

function arrayOf(value: unknown, type: string): unknown[] {
  if (!Array.isArray(value)) throw malformed(`marks a ${typeof value} as ${type}`);
  return value;
}

/** Restores one annotated value from its JSON. */
function restore(value: unknown, type: unknown): unknown {
  if (Array.isArray(type)) {
    // `[name, detail]`: of superjson's, only its typed arrays are built in;
    // its registered classes, symbols and custom types: none are registered.
    const [name, detail] = type;
    const TypedArray = type.length === 2 && name === "typed-array"
      ? TYPED_ARRAYS.get(detail)
      : undefined;
    if (TypedArray === undefined) throw unknownType(type);
    // The constructor reads "NaN", "-0" and BigInts' digits as superjson wrote them.
    return new TypedArray(arrayOf(value, detail));
  }
  switch (type) {
    case "undefined":
      return undefined;
    case "bigint":
      return BigInt(stringOf(value, type));
    case "Date":
      return new Date(stringOf(value, type));
    case "number":
      return Number(stringOf(value, type)); // "NaN", "Infinity", "-Infinity" or "-0"
    case "set":
      return new Set(arrayOf(value, type));
    case "map":
      return new Map(arrayOf(value, type) as [unknown, unknown][]); // throws on a non-entry
    case "regexp": {
      const source = stringOf(value, type);
      const end = source.lastIndexOf("/");
      return new RegExp(source.slice(1, end), source.slice(end + 1));
    }
    case "URL":
      return new URL(stringOf(value, type));
    case "Error": {
      if (typeof value !== "object" || value === null) {
        throw malformed("marks a non-object as Error");
      }
      const { name, message, stack } = value as Record<string, string>;
      const error = "cause" in value
        ? new Error(message, { cause: (value as { cause: unknown }).cause })
        : new Error(message);
      // As superjson restores it: the sender's name, and its stack or none.
      error.name = name!;
      error.stack = stack;
      return error;
    }
    default:
      throw unknownType(type);
  }
}
