/**
 * `JSON.parse` of a frame whose last member is superjson's meta, for a reader
 * that only reads the meta (the default codec): calls of one procedure carry
 * values of one shape, so most frames end with the same meta as the last one
 * (`,"meta":{"values":{"at":["Date"]},"v":1}}`). Such a frame is parsed
 * without it, and gets the last one's meta object, parsed once.
 *
 * The value is always the one `JSON.parse` gives: the shortcut is taken only
 * when the frame without its meta member is a JSON object of its own, which
 * proves the member was the frame's last, at its top level.
 *
 * @module
 */

import { isRecord, META_MEMBER } from "./wire.ts";

/** The longest meta kept for the next frame. */
const MAX_REUSED_META = 512;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Parses frames, and hands those that end with the same meta member as the
 * last one the same meta object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MetaReuse } from "./reused_meta.ts";
 *
 * const frames = new MetaReuse();
 * const meta = ',"meta":{"values":{"at":["Date"]},"v":1}}';
 * type Frame = { meta: unknown };
 * const first = frames.parse(`{"id":1,"result":{"at":"2026-01-01T00:00:00.000Z"}${meta}`) as Frame;
 * const second = frames.parse(`{"id":2,"result":{"at":"2026-01-02T00:00:00.000Z"}${meta}`) as Frame;
 * assert.deepEqual(second, { id: 2, result: { at: "2026-01-02T00:00:00.000Z" }, meta: first.meta });
 * const third = frames.parse(`{"id":3,"result":{"at":"x"}${meta}`) as Frame;
 * assert.equal(third.meta, second.meta);
 * ```
 */
export class MetaReuse {
  /** The kept meta's text, and `,"meta":<text>}`: how a frame with it ends. */
  #text: string | undefined;
  #ending: string | undefined;
  #meta: unknown;

  /**
   * `JSON.parse` of a meta's text, or the kept meta when the text is the
   * same; a short one is kept for the next.
   *
   * @param text The meta's text.
   * @returns The meta.
   * @throws {SyntaxError} When the text is not JSON.
   */
  meta(text: string): unknown {
    if (text === this.#text) return this.#meta;
    const meta = JSON.parse(text);
    if (text.length <= MAX_REUSED_META) {
      this.#text = text;
      this.#ending = `${META_MEMBER}${text}}`;
      this.#meta = meta;
    }
    return meta;
  }

  /**
   * Parses a frame.
   *
   * @param text The frame's text.
   * @returns The same value as `JSON.parse(text)`; its meta may be the last frame's object.
   * @throws {SyntaxError} When the text is not JSON.
   */
  parse(text: string): unknown {
    const ending = this.#ending;
    if (ending !== undefined && text.length > ending.length) {
      const cut = text.length - ending.length;
      if (text.slice(cut) === ending && !endsAnEmptyObject(text, cut)) {
        let value: unknown;
        try {
          value = JSON.parse(`${text.slice(0, cut)}}`);
        } catch {
          value = undefined; // the member was not the frame's own: parsed whole below
        }
        if (isRecord(value)) {
          value.meta = this.#meta;
          return value;
        }
      }
    }
    const value = JSON.parse(text);
    if (isRecord(value) && value.meta !== undefined) this.#keep(text);
    return value;
  }

  /** Keeps the meta a frame ends with, if it ends with one short enough. */
  #keep(text: string): void {
    const at = text.lastIndexOf(META_MEMBER);
    const length = text.length - at - META_MEMBER.length - 1;
    if (at < 0 || length > MAX_REUSED_META || text.charCodeAt(text.length - 1) !== CLOSE_BRACE) {
      return;
    }
    try {
      this.meta(text.slice(at + META_MEMBER.length, text.length - 1));
    } catch {
      // not the frame's meta member after all
    }
  }
}

/**
 * Whether `text` up to `end` is an object's opening brace and nothing more
 * but whitespace: `{` + `}` is JSON, but `{,"meta":…}` is not.
 */
function endsAnEmptyObject(text: string, end: number): boolean {
  let i = end - 1;
  while (i >= 0 && isWhitespace(text.charCodeAt(i))) i--;
  return i < 0 || text.charCodeAt(i) === OPEN_BRACE;
}

/** JSON's whitespace: space, tab, line feed, carriage return. */
function isWhitespace(unit: number): boolean {
  return unit === 0x20 || unit === 0x09 || unit === 0x0a || unit === 0x0d;
}
