/**
 * An event's data written in place in its frame, for the server: its JSON,
 * and the JSON text of the meta of the params around it, the last one's when
 * the annotations are the same (the events of a stream have one shape).
 *
 * @module
 */

import { LastMetaText } from "../meta_text.ts";
import { Annotations, Walk } from "./encode.ts";

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
  const write = () => JSON.stringify({ values: annotations.toChildren(), v: 1 });
  return { json, metaText: metaTexts.of(annotations.paths, annotations.trees, write) };
}

/** The last event's meta text (see `LastMetaText`). */
const metaTexts = new LastMetaText();
