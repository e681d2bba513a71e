/**
 * `JSON.parse` for the frame a client gets most: a subscription's event,
 * laid out as wsrpc's server writes it. Its envelope (`jsonrpc`, the method,
 * the subscription id, the position) is read off the text, and only the
 * event (and its meta) goes through `JSON.parse`. A small event's envelope
 * is most of its frame: read this way, an event takes about half as long as
 * `JSON.parse` of its frame.
 *
 * Whatever does not have exactly that layout (another server's key order,
 * whitespace, an escape in the position, a result, an error, a batch) is
 * parsed whole, so the value is always the one `JSON.parse` gives. A call's
 * result is parsed whole on purpose: its envelope is short, and reading it
 * off the text made a call slower, not faster.
 *
 * @module
 */

import { MetaReuse } from "../shared/reused_meta.ts";
import { DATA_FRAME_PREFIX, META_MEMBER } from "../shared/wire.ts";

/** Between an event frame's subscription id and its position. */
const POSITION_MEMBER = ',"id":"';
/** Before an event frame's event. */
const DATA_MEMBER = ',"data":';
/** `}`. */
const CLOSE_BRACE = 0x7d;
/**
 * Where an event frame has the `m` of `"method"`, and a result frame the `i`
 * of `"id"`: one character tells most results from events before the prefix
 * is compared.
 */
const METHOD_INITIAL_AT = DATA_FRAME_PREFIX.indexOf('"method"') + 1;
const METHOD_INITIAL = DATA_FRAME_PREFIX.charCodeAt(METHOD_INITIAL_AT);
/** The most digits an id is read from: past them a number loses precision. */
const MAX_ID_DIGITS = 15;

/**
 * Parses a frame from the server.
 *
 * @param text The frame's text.
 * @param shareMeta Whether a frame's meta may be the same object as the
 *   last frame's, when their text is the same: for a reader that does not
 *   change it (the default codec's).
 * @returns The same value as `JSON.parse(text)`.
 * @throws {SyntaxError} When the text is not JSON.
 */
export function parseFrame(text: string, shareMeta = false): unknown {
  const event = text.charCodeAt(METHOD_INITIAL_AT) === METHOD_INITIAL &&
      has(text, 0, DATA_FRAME_PREFIX)
    ? readEvent(text, shareMeta)
    : undefined;
  return event ?? (shareMeta ? results.parse(text) : JSON.parse(text));
}

/**
 * The last meta of an event, and of another frame (a result, most often):
 * the events of a stream have one shape, and so do a procedure's results,
 * so most share the last one's meta text, and reading it again costs more
 * than the comparison.
 */
const events = new MetaReuse();
const results = new MetaReuse();

/**
 * Whether `text` has `part` at `at`. (`startsWith` took four times as long
 * in Deno's V8 for a prefix this long.)
 */
function has(text: string, at: number, part: string): boolean {
  return text.slice(at, at + part.length) === part;
}

/** Where the last {@linkcode readId} stopped. */
let idEnd = 0;

/**
 * A JSON number that is a non-negative integer of up to 15 digits, at `at`;
 * sets {@linkcode idEnd}.
 *
 * @returns The number, or -1 when there is none (or it has a leading zero, which JSON forbids).
 */
function readId(text: string, at: number): number {
  let value = 0;
  let end = at;
  while (end < text.length && end - at <= MAX_ID_DIGITS) {
    const digit = text.charCodeAt(end) - 0x30;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
    end++;
  }
  const digits = end - at;
  if (digits === 0 || digits > MAX_ID_DIGITS) return -1;
  if (digits > 1 && text.charCodeAt(at) === 0x30) return -1;
  idEnd = end;
  return value;
}

/**
 * `{"jsonrpc":"2.0","method":"rpc.data","params":{"subscription":<id>[,"id":"<position>"],"data":<event>}[,"meta":<meta>]}`,
 * or undefined.
 */
function readEvent(text: string, shareMeta: boolean): unknown {
  const subscription = readId(text, DATA_FRAME_PREFIX.length);
  if (subscription < 0) return undefined;
  let at = idEnd;
  let position: string | undefined;
  if (has(text, at, POSITION_MEMBER)) {
    const start = at + POSITION_MEMBER.length;
    let end = start;
    for (; end < text.length; end++) {
      const unit = text.charCodeAt(end);
      if (unit === 0x22) break; // the closing quote
      if (unit === 0x5c || unit < 0x20) return undefined; // an escape, or a control character
    }
    if (end === text.length) return undefined;
    position = text.slice(start, end);
    at = end + 1;
  }
  if (!has(text, at, DATA_MEMBER)) return undefined;
  const start = at + DATA_MEMBER.length;
  const end = text.length - 1;
  // Searched for from the event on, not back from the frame's end: most
  // events have no meta, and the envelope is most of their frame. One inside
  // the event is found first, and then the event's part does not parse: a
  // JSON value has no shorter JSON value at its start (but for a number's
  // digits, which the brace after them rules out).
  const metaAt = text.indexOf(META_MEMBER, start);
  const hasMeta = metaAt >= 0;
  // The params' brace comes before the meta member, or before the frame's own.
  const paramsEnd = (hasMeta ? metaAt : end) - 1;
  if (text.charCodeAt(end) !== CLOSE_BRACE || text.charCodeAt(paramsEnd) !== CLOSE_BRACE) {
    return undefined;
  }
  let data: unknown;
  let meta: unknown;
  try {
    data = JSON.parse(text.slice(start, paramsEnd));
    if (hasMeta) {
      const metaText = text.slice(metaAt + META_MEMBER.length, end);
      meta = shareMeta ? events.meta(metaText) : JSON.parse(metaText);
    }
  } catch {
    return undefined; // not that layout after all: a meta key inside the event, say
  }
  const params = position === undefined
    ? { subscription, data }
    : { subscription, id: position, data };
  return hasMeta
    ? { jsonrpc: "2.0", method: "rpc.data", params, meta }
    : { jsonrpc: "2.0", method: "rpc.data", params };
}
