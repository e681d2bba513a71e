/**
 * Building the frames the server sends.
 *
 * @module
 */

import type { Codec } from "../shared/codec.ts";
import { ErrorCode, type RpcError } from "../shared/errors.ts";
import type {
  ErrorFrame,
  ErrorObject,
  RequestFrame,
  RequestId,
  ResponseFrame,
} from "../shared/wire.ts";

/** A reply whose result is already plain JSON. */
export function successFrame(id: RequestId, result: unknown): ResponseFrame {
  return { jsonrpc: "2.0", id, result };
}

/** An error reply for a protocol error. */
export function errorFrame(id: RequestId, code: number, message: string): ErrorFrame {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

/** A reply carrying a result, with `meta` when the result needs it. */
export function resultFrame(codec: Codec, id: RequestId, value: unknown): ResponseFrame {
  const { json, meta } = codec.encode(value);
  const frame: ResponseFrame = { jsonrpc: "2.0", id, result: json };
  if (meta !== undefined) frame.meta = meta;
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

/** An error reply for an error raised while serving a call. */
export function failureFrame(codec: Codec, id: RequestId, error: RpcError): ErrorFrame {
  const said = publicError(error);
  if (said.data === undefined) return { jsonrpc: "2.0", id, error: said };
  const { json, meta } = codec.encode(said.data);
  const frame: ErrorFrame = { jsonrpc: "2.0", id, error: { ...said, data: json } };
  if (meta !== undefined) frame.meta = meta;
  return frame;
}

/** A server notification, as text. */
export function notificationText(codec: Codec, method: string, params: unknown): string {
  const { json, meta } = codec.encode(params);
  const frame: RequestFrame = { jsonrpc: "2.0", method, params: json };
  if (meta !== undefined) frame.meta = meta;
  return JSON.stringify(frame);
}
