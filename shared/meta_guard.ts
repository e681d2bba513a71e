/**
 * Checks superjson meta that came from the network before superjson sees it.
 *
 * superjson trusts the shape of its meta. A string where it expects a tree of
 * children makes it recurse until the stack overflows (about 15 ms of CPU for
 * one small frame), and `referentialEqualities` can turn a small frame into a
 * cycle or a graph that doubles at every level, which hangs whatever walks it
 * next (a validator, `JSON.stringify`). So the meta's tree is checked here,
 * and `referentialEqualities` is dropped: shared references arrive as equal
 * copies, exactly as plain JSON carries them.
 *
 * @module
 */

import type { Meta } from "./wire.ts";

/** How deep a meta tree may nest; deeper values travel fine, their meta doesn't. */
const MAX_META_DEPTH = 256;

/**
 * Checks the shape of superjson meta and returns the part wsrpc applies: the
 * `values` tree and the version, without `referentialEqualities`.
 *
 * @param meta Untrusted meta, as parsed from a frame.
 * @returns Meta that superjson can apply safely.
 * @throws {TypeError} When the meta is not shaped the way superjson writes it.
 */
export function safeMeta(meta: Meta): Meta {
  const { values, v } = meta;
  if (v !== undefined && typeof v !== "number") throw new TypeError("The meta version is invalid");
  const safe: Meta = {};
  if (values !== undefined) {
    checkTree(values, 0);
    safe.values = values;
  }
  if (v !== undefined) safe.v = v;
  return safe;
}

/**
 * A tree is either an annotated node, `[type]` or `[type, children]`, or the
 * children alone: an object whose values are trees.
 */
function checkTree(tree: unknown, depth: number): void {
  if (depth > MAX_META_DEPTH) throw new TypeError("The meta is nested too deeply");
  if (Array.isArray(tree)) {
    if (tree.length < 1 || tree.length > 2 || !isTypeAnnotation(tree[0])) {
      throw new TypeError("The meta has a malformed type annotation");
    }
    if (tree.length === 2) checkChildren(tree[1], depth);
    return;
  }
  checkChildren(tree, depth);
}

function checkChildren(children: unknown, depth: number): void {
  if (typeof children !== "object" || children === null || Array.isArray(children)) {
    throw new TypeError("The meta has a malformed tree");
  }
  for (const child of Object.values(children)) checkTree(child, depth + 1);
}

/** A simple type (`"Date"`) or a composite one (`["class", "Point"]`). */
function isTypeAnnotation(value: unknown): boolean {
  if (typeof value === "string") return true;
  return Array.isArray(value) && value.length === 2 && typeof value[0] === "string" &&
    typeof value[1] === "string";
}
