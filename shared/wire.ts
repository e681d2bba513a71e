/**
 * The JSON-RPC 2.0 frames wsrpc sends and receives, as plain interfaces, and
 * the checks that turn untrusted JSON into them. PROTOCOL.md documents every
 * frame here.
 *
 * @module
 */

/**
 * A request id: a string or a number; `null` only in replies to unreadable requests.
 *
 * @example Match replies to pending calls
 * ```ts
 * import type { RequestId } from "@wsrpc/core/protocol";
 * import assert from "node:assert/strict";
 *
 * const pending = new Map<RequestId, string>([[1, "hello"], ["a7", "chat.send"]]);
 * const replyId: RequestId = "a7";
 * assert.equal(pending.get(replyId), "chat.send");
 * ```
 */
export type RequestId = string | number | null;

/**
 * superjson's description of the values in a payload that JSON can't carry
 * (Date, Map, Set, BigInt, undefined, …). Absent when the payload is plain JSON.
 *
 * @example The meta of a Map
 * ```ts
 * import { superjsonCodec } from "@wsrpc/core";
 * import type { Meta } from "@wsrpc/core/protocol";
 * import assert from "node:assert/strict";
 *
 * const encoded = superjsonCodec.encode(new Map([["a", 1]]));
 * const meta: Meta | undefined = encoded.meta; // how to rebuild the Map from `encoded.json`
 * assert.deepEqual(meta, { values: ["map"], v: 1 });
 * assert.deepEqual(superjsonCodec.decode(encoded.json, meta), new Map([["a", 1]]));
 * ```
 */
export type Meta = Record<string, unknown>;

/**
 * A call, a subscribe or an unsubscribe (with an id), or a notification (without).
 *
 * @example A call as it goes over the wire
 * ```ts
 * import type { RequestFrame } from "@wsrpc/core/protocol";
 * import assert from "node:assert/strict";
 *
 * const frame: RequestFrame = { jsonrpc: "2.0", id: 1, method: "hello", params: ["world"] };
 * assert.equal(frame.method, "hello");
 * assert.equal(
 *   JSON.stringify(frame),
 *   '{"jsonrpc":"2.0","id":1,"method":"hello","params":["world"]}',
 * );
 * ```
 */
export interface RequestFrame {
  /** Always `"2.0"`. */
  jsonrpc: "2.0";
  /** Present for a request, absent for a notification. */
  id?: RequestId;
  /** The dotted path of the endpoint, or an `rpc.` control method. */
  method: string;
  /** The input: an object or an array (see PROTOCOL.md for scalar inputs). */
  params?: unknown;
  /** superjson's meta for `params`. */
  meta?: Meta;
  /** On a subscribe: the id of the last event the client saw, to resume after it. */
  lastEventId?: string;
}

/**
 * The reply to a request that succeeded.
 *
 * @example The reply to `hello`
 * ```ts
 * import type { SuccessFrame } from "@wsrpc/core/protocol";
 * import assert from "node:assert/strict";
 *
 * const reply: SuccessFrame = { jsonrpc: "2.0", id: 1, result: "hello world" };
 * assert.equal(reply.id, 1);
 * assert.equal(reply.result, "hello world");
 * ```
 */
export interface SuccessFrame {
  /** Always `"2.0"`. */
  jsonrpc: "2.0";
  /** The id of the request. */
  id: RequestId;
  /** The result. */
  result: unknown;
  /** superjson's meta for `result`. */
  meta?: Meta;
}

/**
 * The `error` member of an error reply.
 *
 * @example Turn it into an RpcError
 * ```ts
 * import { ErrorCode, RpcError } from "@wsrpc/core";
 * import type { ErrorObject } from "@wsrpc/core/protocol";
 * import assert from "node:assert/strict";
 *
 * const error: ErrorObject = { code: ErrorCode.MethodNotFound, message: "Method not found" };
 * const thrown = new RpcError(error.code, error.message, { data: error.data });
 * assert.equal(thrown.codeName, "MethodNotFound");
 * ```
 */
export interface ErrorObject {
  /** A code from the error table, or an application code. */
  code: number;
  /** A short, sentence-case description. */
  message: string;
  /** Extra detail, such as validation issues. */
  data?: unknown;
}

/**
 * The reply to a request that failed.
 *
 * @example The reply to a frame that is not JSON
 * ```ts
 * import { ErrorCode } from "@wsrpc/core";
 * import type { ErrorFrame } from "@wsrpc/core/protocol";
 * import assert from "node:assert/strict";
 *
 * const reply: ErrorFrame = {
 *   jsonrpc: "2.0",
 *   id: null, // the request's id could not be read
 *   error: { code: ErrorCode.ParseError, message: "Parse error" },
 * };
 * assert.equal(reply.error.code, -32700);
 * ```
 */
export interface ErrorFrame {
  /** Always `"2.0"`. */
  jsonrpc: "2.0";
  /** The id of the request, or `null` when it could not be read. */
  id: RequestId;
  /** What went wrong. */
  error: ErrorObject;
  /** superjson's meta for `error.data`. */
  meta?: Meta;
}

/**
 * A reply: success or error.
 *
 * @example Settle a call from its reply
 * ```ts
 * import { RpcError } from "@wsrpc/core";
 * import type { ResponseFrame } from "@wsrpc/core/protocol";
 * import assert from "node:assert/strict";
 *
 * const settle = (reply: ResponseFrame): unknown => {
 *   if ("error" in reply) throw new RpcError(reply.error.code, reply.error.message);
 *   return reply.result;
 * };
 * assert.equal(settle({ jsonrpc: "2.0", id: 1, result: 42 }), 42);
 * const failed: ResponseFrame = { jsonrpc: "2.0", id: 2, error: { code: -32601, message: "No" } };
 * assert.throws(() => settle(failed), RpcError);
 * ```
 */
export type ResponseFrame = SuccessFrame | ErrorFrame;

/**
 * Control methods, which JSON-RPC 2.0 reserves with the `rpc.` prefix.
 *
 * @example End a subscription by hand
 * ```ts
 * import { Method, type RequestFrame } from "@wsrpc/core/protocol";
 * import assert from "node:assert/strict";
 *
 * const frame: RequestFrame = {
 *   jsonrpc: "2.0",
 *   id: 8,
 *   method: Method.Unsubscribe,
 *   params: { subscription: 7 },
 * };
 * assert.equal(frame.method, "rpc.unsubscribe");
 * ```
 */
export const Method = {
  /** Server → client notification: one event of a subscription. */
  Data: "rpc.data",
  /** Server → client notification: the subscription ended normally. */
  Complete: "rpc.complete",
  /** Server → client notification: the subscription ended with an error. */
  Error: "rpc.error",
  /** Server → client notification: events were missed; resume from the position it gives. */
  Gap: "rpc.gap",
  /** Server → client notification: the subscription's position, without an event. */
  Position: "rpc.position",
  /** Client → server: end a subscription. */
  Unsubscribe: "rpc.unsubscribe",
  /** Client → server notification: stop working on a call; no reply follows. */
  Cancel: "rpc.cancel",
  /** Client → server request: is the connection alive? Answered with `"pong"`. */
  Ping: "rpc.ping",
  /** Server → client notification: the server is going away; reconnect soon. */
  Reconnect: "rpc.reconnect",
  /** Client → server notification, the first frame: the connection params. */
  Connect: "rpc.connect",
} as const;

/**
 * The params of `rpc.data`.
 *
 * @example One event of subscription 7
 * ```ts
 * import { type DataParams, Method, type RequestFrame } from "@wsrpc/core/protocol";
 * import assert from "node:assert/strict";
 *
 * const params: DataParams = { subscription: 7, id: "42", data: { text: "hi" } };
 * const event: RequestFrame = { jsonrpc: "2.0", method: Method.Data, params };
 * assert.equal(event.method, "rpc.data");
 * ```
 */
export interface DataParams {
  /** The id of the request that opened the subscription. */
  subscription: string | number;
  /** The event's id, when the server tracks it for resuming. */
  id?: string;
  /** The event. */
  data: unknown;
}

/**
 * The params of `rpc.error`.
 *
 * @example Subscription 7 ended with an error
 * ```ts
 * import { ErrorCode } from "@wsrpc/core";
 * import { Method, type RequestFrame, type SubscriptionErrorParams } from "@wsrpc/core/protocol";
 * import assert from "node:assert/strict";
 *
 * const params: SubscriptionErrorParams = {
 *   subscription: 7,
 *   error: { code: ErrorCode.Forbidden, message: "You left the room" },
 * };
 * const frame: RequestFrame = { jsonrpc: "2.0", method: Method.Error, params };
 * assert.equal(frame.method, "rpc.error");
 * ```
 */
export interface SubscriptionErrorParams {
  /** The id of the request that opened the subscription. */
  subscription: string | number;
  /** Why it ended. */
  error: ErrorObject;
}

/**
 * The params of `rpc.gap`: a subscription missed events, and carries on from `id`.
 *
 * @example Subscription 7 missed events that were trimmed from the history
 * ```ts
 * import { type GapParams, Method, type RequestFrame } from "@wsrpc/core/protocol";
 * import assert from "node:assert/strict";
 *
 * const params: GapParams = { subscription: 7, id: "k3x9:120", reason: "trimmed" };
 * const frame: RequestFrame = { jsonrpc: "2.0", method: Method.Gap, params };
 * assert.equal(frame.method, "rpc.gap");
 * ```
 */
export interface GapParams {
  /** The id of the request that opened the subscription. */
  subscription: string | number;
  /** The position the subscription carries on from; resume from it. */
  id: string;
  /** Why events were missed: `trimmed`, `epoch` or `limit`. */
  reason: string;
}

/** The largest text frame, in UTF-8 bytes, a server takes by default (1 MiB). */
export const DEFAULT_MAX_MESSAGE_SIZE = 1_048_576;

/** How a frame's meta member starts; wsrpc writes it last in a frame. */
export const META_MEMBER = ',"meta":';

/**
 * How the server writes an `rpc.data` frame, up to its subscription id. The
 * client reads frames that start so without parsing their envelope.
 */
export const DATA_FRAME_PREFIX: string =
  '{"jsonrpc":"2.0","method":"rpc.data","params":{"subscription":';

/** The client's heartbeat request, as text. */
export const PING_TEXT: string = JSON.stringify({
  jsonrpc: "2.0",
  id: "wsrpc:ping",
  method: Method.Ping,
});

/**
 * A request or notification as text: `params` and `meta` only when present.
 *
 * @param id The request id, or `undefined` for a notification.
 * @param method The method.
 * @param params The params, already encoded.
 * @param meta superjson's meta for `params`.
 * @param lastEventId On a subscribe, the position to resume after.
 * @returns The frame's text.
 */
export function requestText(
  id: RequestId | undefined,
  method: string,
  params?: unknown,
  meta?: Meta,
  lastEventId?: string,
): string {
  const frame: RequestFrame = id === undefined
    ? { jsonrpc: "2.0", method }
    : { jsonrpc: "2.0", id, method };
  if (params !== undefined) frame.params = params;
  if (lastEventId !== undefined) frame.lastEventId = lastEventId;
  const text = JSON.stringify(frame);
  if (meta === undefined) return text;
  // Last, where the server looks for a meta it has read before (reused_meta.ts).
  if (meta !== lastMeta) [lastMeta, lastMetaText] = [meta, JSON.stringify(meta)];
  return `${text.slice(0, -1)}${META_MEMBER}${lastMetaText}}`;
}

/**
 * The last meta written, and its text. A flat shape hands out one meta for
 * all its values (superjson_format/flat_shape.ts): its text is written once.
 * A codec's meta is never changed once made: the client sends a
 * subscription's again when it resubscribes, too.
 */
let lastMeta: Meta | undefined;
let lastMetaText = "";

/** Whether a value is a usable request id. */
export function isRequestId(value: unknown): value is RequestId {
  return value === null || typeof value === "string" ||
    (typeof value === "number" && Number.isFinite(value));
}

/** Whether a value is a non-null, non-array object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Whether a value is a plain object: one whose prototype is `Object.prototype`
 * (a literal's, `JSON.parse`'s) or `null`, not an array or a class's instance.
 */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Why a parsed value is not a request: the id to answer with, and what is
 * wrong. (A class, so that a valid frame needs no wrapper to tell it apart:
 * a parsed value is never an instance.)
 */
export class InvalidRequest {
  /** The id to answer with: the request's own, when it has a usable one. */
  readonly id: RequestId;
  /** What is wrong. */
  readonly message: string;

  /**
   * @param id The id to answer with.
   * @param message What is wrong.
   */
  constructor(id: RequestId, message: string) {
    this.id = id;
    this.message = message;
  }
}

/**
 * Checks that a parsed JSON value is a JSON-RPC 2.0 request or notification.
 * A valid one is returned as it is, without a copy: every member read from
 * it has just been checked, and the others are never read.
 *
 * @param value One element of a batch, or the whole frame.
 * @returns The frame, or the id to answer with and a message saying what is wrong.
 */
export function checkRequest(value: unknown): RequestFrame | InvalidRequest {
  if (!isRecord(value)) return invalid(null, "A request must be a JSON object");
  const { id, method, params, meta, lastEventId } = value;
  const replyId = isRequestId(id) ? id : null;
  if (value.jsonrpc !== "2.0") return invalid(replyId, 'The "jsonrpc" member must be "2.0"');
  if ("id" in value && !isRequestId(id)) {
    return invalid(null, 'The "id" member must be a string, a number or null');
  }
  if (typeof method !== "string") return invalid(replyId, 'The "method" member must be a string');
  if (params !== undefined && (typeof params !== "object" || params === null)) {
    return invalid(replyId, 'The "params" member must be an object or an array');
  }
  if (meta !== undefined && !isRecord(meta)) {
    return invalid(replyId, 'The "meta" member must be an object');
  }
  if (lastEventId !== undefined && typeof lastEventId !== "string") {
    return invalid(replyId, 'The "lastEventId" member must be a string');
  }
  return value as unknown as RequestFrame;
}

function invalid(id: RequestId, message: string): InvalidRequest {
  return new InvalidRequest(id, message);
}

/**
 * Puts an input into `params`, which JSON-RPC 2.0 requires to be an object or
 * an array. Objects and arrays travel as they are; any other value, and an
 * array of exactly one element, travels wrapped in a one-element array.
 *
 * @param input The input of a call.
 * @returns The value for `params`, or `undefined` to leave it out.
 */
export function inputToParams(input: unknown): unknown {
  if (input === undefined) return undefined;
  if (Array.isArray(input)) return input.length === 1 ? [input] : input;
  return isPlainRecord(input) ? input : [input];
}

/**
 * The reverse of {@linkcode inputToParams}: a one-element array is
 * unwrapped; anything else is the input as it is.
 *
 * @param params The decoded `params`.
 * @returns The input.
 */
export function paramsToInput(params: unknown): unknown {
  return Array.isArray(params) && params.length === 1 ? params[0] : params;
}
