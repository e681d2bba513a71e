/**
 * `JSON.stringify` of superjson's meta, kept for the next one: the calls of
 * one procedure carry values of one shape, so most metas are the last one
 * again (`{"values":{"at":["Date"]},"v":1}`), and comparing a new one with it
 * costs less than writing it.
 *
 * @module
 */

import type { Meta } from "./wire.ts";

/** The last meta written whose annotations are each one type, as paths and types. */
let lastPaths: string[] = [];
let lastTypes: string[] = [];
let lastVersion: unknown;
let lastText: string | undefined;

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
  if (lastText !== undefined && isLast(meta)) return lastText;
  const text = JSON.stringify(meta);
  keep(meta, text);
  return text;
}

/** Whether `meta` is `{ values, v }` with the last one's paths, types and version. */
function isLast(meta: Meta): boolean {
  let members = 0;
  for (const _ in meta) members++;
  if (members !== 2 || meta.v !== lastVersion || !("v" in meta)) return false;
  const values = meta.values;
  if (typeof values !== "object" || values === null || Array.isArray(values)) return false;
  let i = 0;
  for (const path in values) {
    const tree = (values as Record<string, unknown>)[path];
    if (path !== lastPaths[i] || !Array.isArray(tree) || tree.length !== 1) return false;
    if (tree[0] !== lastTypes[i]) return false;
    i++;
  }
  return i === lastPaths.length;
}

function keep(meta: Meta, text: string): void {
  lastText = undefined;
  const values = meta.values;
  if (typeof values !== "object" || values === null || Array.isArray(values)) return;
  const paths: string[] = [];
  const types: string[] = [];
  for (const path in values) {
    const tree = (values as Record<string, unknown>)[path];
    if (!Array.isArray(tree) || tree.length !== 1 || typeof tree[0] !== "string") return;
    paths.push(path);
    types.push(tree[0]);
  }
  let members = 0;
  for (const _ in meta) members++;
  if (members !== 2 || typeof meta.v !== "number") return;
  [lastPaths, lastTypes, lastVersion, lastText] = [paths, types, meta.v, text];
}
