/**
 * `JSON.stringify` of superjson's meta, kept for the next one: the calls of
 * one procedure, and the events of a stream, carry values of one shape, so
 * most metas are the last one again (`{"values":{"at":["Date"]},"v":1}`),
 * and comparing a new one with it costs less than writing it.
 *
 * @module
 */

import { isRecord, type Meta } from "./wire.ts";

/**
 * The text of the last meta whose annotations were each a single type at a
 * path (`{"at": ["Date"]}`), with those paths and types. Replies keep one
 * ({@linkcode metaText}); events another (superjson_format/member.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LastMetaText } from "./meta_text.ts";
 *
 * const last = new LastMetaText();
 * let written = 0;
 * const write = () => (written++, '{"values":{"at":["Date"]},"v":1}');
 * last.of(["at"], [["Date"]], write);
 * assert.equal(last.of(["at"], [["Date"]], write), '{"values":{"at":["Date"]},"v":1}');
 * assert.equal(written, 1);
 * ```
 */
export class LastMetaText {
  #paths: readonly string[] = [];
  #types: readonly string[] = [];
  #text: string | undefined;

  /**
   * The text of `{ values, v: 1 }` whose `values` has these paths and trees.
   *
   * @param paths The paths, in order.
   * @param trees Their trees, in the same order.
   * @param write Writes the text, when it is not the last one.
   * @returns The text.
   */
  of(paths: readonly string[], trees: readonly unknown[], write: () => string): string {
    if (this.#text !== undefined && this.#matches(paths, trees)) return this.#text;
    const text = write();
    const types: string[] = [];
    for (const tree of trees) {
      // A type with a detail, or with annotations below it: not kept.
      if (!Array.isArray(tree) || tree.length !== 1 || typeof tree[0] !== "string") return text;
      types.push(tree[0]);
    }
    [this.#paths, this.#types, this.#text] = [paths, types, text];
    return text;
  }

  #matches(paths: readonly string[], trees: readonly unknown[]): boolean {
    if (paths.length !== this.#paths.length) return false;
    for (let i = 0; i < paths.length; i++) {
      const tree = trees[i];
      if (paths[i] !== this.#paths[i] || !Array.isArray(tree) || tree.length !== 1) return false;
      if (tree[0] !== this.#types[i]) return false;
    }
    return true;
  }
}

const replies = new LastMetaText();

/**
 * The JSON text of a meta.
 *
 * @param meta A meta, as the default codec makes it.
 * @returns The same text as `JSON.stringify(meta)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metaText } from "./meta_text.ts";
 *
 * const meta = { values: { at: ["Date"] }, v: 1 };
 * assert.equal(metaText(meta), JSON.stringify(meta));
 * assert.equal(metaText({ values: { at: ["Date"] }, v: 1 }), JSON.stringify(meta));
 * ```
 */
export function metaText(meta: Meta): string {
  // The meta of a flat value's shape, handed out again (flat_shape.ts).
  if (meta === lastMeta) return lastText;
  const { values } = meta;
  const members = Object.keys(meta);
  // Only `{ values: {…}, v: 1 }`, in that order, as the default codec makes it.
  if (
    members.length !== 2 || members[0] !== "values" || meta.v !== 1 || !isRecord(values)
  ) {
    return JSON.stringify(meta);
  }
  const text = replies.of(Object.keys(values), Object.values(values), () => JSON.stringify(meta));
  if (Object.isFrozen(meta)) [lastMeta, lastText] = [meta, text];
  return text;
}

/** The last frozen meta written, and its text. */
let lastMeta: Meta | undefined;
let lastText = "";
