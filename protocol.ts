/**
 * The wire of wsrpc as types: the JSON-RPC 2.0 frames, the `rpc.` control
 * methods and the close codes, for code that speaks the protocol itself (a
 * test, a proxy, a client in a hand-rolled transport). PROTOCOL.md says when
 * each is sent. A contract author needs none of it: see `@wsrpc/core`.
 *
 * @example Unsubscribe by hand
 * ```ts
 * import { CloseCode, Method, type RequestFrame } from "@wsrpc/core/protocol";
 * import assert from "node:assert/strict";
 *
 * const frame: RequestFrame = {
 *   jsonrpc: "2.0",
 *   id: 8,
 *   method: Method.Unsubscribe,
 *   params: { subscription: 7 },
 * };
 * assert.equal(JSON.stringify(frame).includes('"rpc.unsubscribe"'), true);
 * assert.equal(CloseCode.SlowConsumer, 4008);
 * ```
 *
 * @module
 */

export type {
  DataParams,
  ErrorFrame,
  ErrorObject,
  GapParams,
  Meta,
  RequestFrame,
  RequestId,
  ResponseFrame,
  SubscriptionErrorParams,
  SuccessFrame,
} from "./shared/wire.ts";
export { Method } from "./shared/wire.ts";
export { CloseCode } from "./shared/close_codes.ts";
