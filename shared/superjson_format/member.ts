/**
 * An event's data written in place in its frame, for the server: its JSON,
 * and the JSON text of the meta of the params around it, the last one's when
 * the annotations are the same (the events of a stream have one shape).
 *
 * @module
 */

import { Annotations, Walk } from "./encode.ts";
import type { Tree } from "./encode.ts";

/**
 * Splits a value into superjson's JSON and meta as the member `key` of an
 * object that holds nothing else rich: the meta's paths start with `key`,
 * so a frame can be written around the JSON without encoding the rest.
 *
 * @param value Any value.
 * @param key The member's name.
 * @returns The value's JSON, and the JSON text of the meta of the object
 *   around it (`undefined` when nothing needs one).
 * @throws {TypeError} As `encodeSuperjson` (encode.ts).
 */
export function encodeSuperjsonMember(
  value: unknown,
  key: string,
): { json: unknown; metaText: string | undefined } {
  const walk = new Walk();
  const annotations = new Annotations();
  const json = walk.value(value, annotations, "", key);
  // A member is never the root: its own annotation has its key as its path.
  if (annotations.paths.length === 0) return { json, metaText: undefined };
  return { json, metaText: metaTexts.of(annotations) };
}

/**
 * The text of the last meta made of single-type annotations (`["Date"]`),
 * with its paths and types: the next event whose annotations are the same
 * gets the same text, without a record or `JSON.stringify`.
 */
class LastMeta {
  #paths: readonly string[] = [];
  #types: readonly string[] = [];
  #text = "";

  /** The meta's text for these annotations (never empty). */
  of(annotations: Annotations): string {
    const { paths, trees } = annotations;
    if (this.#matches(paths, trees)) return this.#text;
    const text = JSON.stringify({ values: annotations.toChildren(), v: 1 });
    const types: string[] = [];
    for (const tree of trees) {
      // A type with a detail, or with annotations below it: not kept.
      if (!Array.isArray(tree) || tree.length !== 1 || typeof tree[0] !== "string") return text;
      types.push(tree[0]);
    }
    this.#paths = paths;
    this.#types = types;
    this.#text = text;
    return text;
  }

  #matches(paths: readonly string[], trees: readonly Tree[]): boolean {
    if (paths.length !== this.#paths.length) return false;
    for (let i = 0; i < paths.length; i++) {
      const tree = trees[i]!;
      if (paths[i] !== this.#paths[i] || !Array.isArray(tree) || tree.length !== 1) return false;
      if (tree[0] !== this.#types[i]) return false;
    }
    return true;
  }
}

const metaTexts = new LastMeta();
