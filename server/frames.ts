/**
 * Building the frames the server sends.
 *
 * @module
 */

import { type Codec, type Encoded, hasMeta, RichFirst, superjsonCodec } from "../shared/codec.ts";
import { metaText } from "../shared/meta_text.ts";
import { encodeSuperjson } from "../shared/superjson_format/encode.ts";
import { encodeSuperjsonMember } from "../shared/superjson_format/member.ts";
import { ErrorCode, type RpcError } from "../shared/errors.ts";
import {
  DATA_FRAME_PREFIX,
  type ErrorFrame,
  type ErrorObject,
  Method,
  type RequestFrame,
  type RequestId,
  type ResponseFrame,
  type SuccessFrame,
} from "../shared/wire.ts";

/** Longest piece of a client's text (a method name, an id) echoed in an error message. */
const MAX_ECHO = 100;

/** Cuts a client's text down to a size fit to echo back in an error message. */
export function shorten(text: string): string {
  return text.length <= MAX_ECHO ? text : `${text.slice(0, MAX_ECHO)}…`;
}

/** A reply whose result is already plain JSON. */
export function successFrame(id: RequestId, result: unknown): ResponseFrame {
  return { jsonrpc: "2.0", id, result };
}

/** An error reply for a protocol error. */
export function errorFrame(id: RequestId, code: number, message: string): ErrorFrame {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

/** Which way a result is tried first (see `RichFirst`). */
const results = new RichFirst();

/**
 * A reply carrying a result, with `meta` when the result needs it.
 *
 * @param codec The codec in use.
 * @param id The request's id.
 * @param value The result.
 * @param encodeRich The default codec's encoding of it: a procedure's own,
 *   which keeps the last flat shape of its results (routes.ts).
 * @returns The reply.
 */
export function resultFrame(
  codec: Codec,
  id: RequestId,
  value: unknown,
  encodeRich: (value: unknown) => Encoded = encodeSuperjson,
): ResponseFrame {
  let encoded: Encoded | undefined;
  if (codec !== superjsonCodec) encoded = codec.encode(value);
  else {
    encoded = results.encode(value, encodeRich, hasMeta);
    // The default codec's common case, without its `{ json, meta }`.
    if (encoded === undefined) return { jsonrpc: "2.0", id, result: value };
  }
  const frame: ResponseFrame = { jsonrpc: "2.0", id, result: encoded.json };
  if (encoded.meta !== undefined) frame.meta = encoded.meta;
  return frame;
}

/**
 * What may be said of an error on the wire. An internal error says nothing
 * more: its message, stack and cause stay with the server's `onError`.
 */
export function publicError(error: RpcError): ErrorObject {
  if (error.code === ErrorCode.InternalError) {
    return { code: error.code, message: "Internal error" };
  }
  if (error.data === undefined) return { code: error.code, message: error.message };
  return { code: error.code, message: error.message, data: error.data };
}

/**
 * An error reply for an error raised while serving a call. Never throws:
 * data the codec can't encode is left out.
 */
export function failureFrame(codec: Codec, id: RequestId, error: RpcError): ErrorFrame {
  const said = publicError(error);
  if (said.data === undefined) return { jsonrpc: "2.0", id, error: said };
  try {
    const { json, meta } = codec.encode(said.data);
    const frame: ErrorFrame = { jsonrpc: "2.0", id, error: { ...said, data: json } };
    if (meta !== undefined) frame.meta = meta;
    return frame;
  } catch {
    return { jsonrpc: "2.0", id, error: { code: said.code, message: said.message } };
  }
}

/**
 * The `rpc.error` notification that ends a subscription, as text. Never
 * throws: data the codec can't encode is left out.
 */
export function subscriptionErrorText(
  codec: Codec,
  subscription: string | number,
  error: RpcError,
): string {
  const said = publicError(error);
  try {
    return notificationText(codec, Method.Error, { subscription, error: said });
  } catch {
    const bare = { code: said.code, message: said.message };
    return notificationText(codec, Method.Error, { subscription, error: bare });
  }
}

/** Which way an event's data is tried first (see `RichFirst`). */
const events = new RichFirst();
const encodeData = (data: unknown) => encodeSuperjsonMember(data, "data");
const hasMetaText = (encoded: { metaText: string | undefined }) => encoded.metaText !== undefined;

/**
 * The `rpc.data` notification of one event, as text. The codec sees the whole
 * params once, so that `meta` describes `params` as the protocol says and a
 * rich event is encoded a single time.
 */
export function eventText(
  codec: Codec,
  subscription: string | number,
  eventId: string | undefined,
  data: unknown,
): string {
  if (codec === superjsonCodec) {
    // The default codec writes `data` in place: the rest of the frame is
    // plain, so neither it nor a params object needs encoding.
    const id = eventId === undefined ? "" : `"id":${JSON.stringify(eventId)},`;
    const encoded = events.encode(data, encodeData, hasMetaText);
    if (encoded === undefined) {
      return dataFrameText(subscription, `${id}"data":${JSON.stringify(data)}}`);
    }
    const meta = encoded.metaText === undefined ? "" : `,"meta":${encoded.metaText}`;
    return dataFrameText(subscription, `${id}"data":${JSON.stringify(encoded.json)}}${meta}`);
  }
  const params = eventId === undefined
    ? { subscription, data }
    : { subscription, id: eventId, data };
  return notificationText(codec, Method.Data, params);
}

/**
 * An `rpc.data` frame, written around its subscription id.
 *
 * @param subscription The subscription's id.
 * @param rest The rest of the frame after the id: the other params as JSON
 *   members, the brace that closes the params, and the meta member, if any.
 * @returns The frame's text.
 */
export function dataFrameText(subscription: string | number, rest: string): string {
  return `${DATA_FRAME_PREFIX}${JSON.stringify(subscription)},${rest}}`;
}

/** A server notification, as text. */
export function notificationText(codec: Codec, method: string, params: unknown): string {
  const { json, meta } = codec.encode(params);
  const frame: RequestFrame = { jsonrpc: "2.0", method, params: json };
  if (meta !== undefined) frame.meta = meta;
  return JSON.stringify(frame);
}

/**
 * A success frame's text. With a meta, it is written member by member as
 * JSON.stringify would write the frame, and the meta is most often the last
 * call's text again.
 *
 * @param frame A success frame.
 * @returns The same text as `JSON.stringify(frame)`.
 */
export function successText(frame: SuccessFrame): string {
  // Without a meta, JSON.stringify's one pass over a small object is as fast
  // as the parts, and makes one string, not a rope to be copied before sending.
  if (frame.meta === undefined) return JSON.stringify(frame);
  const result = JSON.stringify(frame.result);
  // A result that JSON leaves out: as JSON.stringify writes the frame.
  if (result === undefined) return JSON.stringify(frame);
  const meta = metaText(frame.meta);
  return `{"jsonrpc":"2.0","id":${JSON.stringify(frame.id)},"result":${result},"meta":${meta}}`;
}
