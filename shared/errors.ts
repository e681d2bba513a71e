/**
 * Error codes and the one error class that crosses the wire.
 *
 * @module
 */

/**
 * Every error code wsrpc sends, in one table. The first five are JSON-RPC 2.0's
 * own; the rest sit in the range the specification leaves to servers
 * (-32000 to -32099). Handlers may also throw any other integer code.
 *
 * @example Look a code up
 * ```ts
 * import { ErrorCode } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * assert.equal(ErrorCode.MethodNotFound, -32601);
 * ```
 */
export const ErrorCode: {
  readonly ParseError: -32700;
  readonly InvalidRequest: -32600;
  readonly MethodNotFound: -32601;
  readonly InvalidParams: -32602;
  readonly InternalError: -32603;
  readonly Unauthorized: -32001;
  readonly Forbidden: -32003;
  readonly NotFound: -32004;
  readonly Cancelled: -32005;
  readonly ConnectionLost: -32006;
  readonly Unavailable: -32010;
  readonly Timeout: -32008;
  readonly EventsMissed: -32011;
  readonly Conflict: -32009;
  readonly PayloadTooLarge: -32013;
  readonly TooManyRequests: -32029;
} = {
  /** The frame is not valid JSON. */
  ParseError: -32700,
  /** The frame is JSON but not a valid JSON-RPC 2.0 request. */
  InvalidRequest: -32600,
  /** No procedure or subscription has that name. */
  MethodNotFound: -32601,
  /** The params failed the input schema; `data.issues` says why. */
  InvalidParams: -32602,
  /** Something went wrong on the server; details stay in the server's logs. */
  InternalError: -32603,
  /** The caller is not authenticated. */
  Unauthorized: -32001,
  /** The caller is authenticated but not allowed to do this. */
  Forbidden: -32003,
  /** The thing asked for does not exist. */
  NotFound: -32004,
  /** The call was cancelled or the connection went away before it finished. */
  Cancelled: -32005,
  /**
   * The connection closed before the reply came. Raised by the client only;
   * the call may or may not have run.
   */
  ConnectionLost: -32006,
  /**
   * The server can't take the call now, because it is shutting down or
   * overloaded. The call did not run, so it is always safe to send again.
   */
  Unavailable: -32010,
  /** The call did not finish in time. */
  Timeout: -32008,
  /**
   * Raised by the client only: a subscription missed events (an `rpc.gap`)
   * and has no `onGap` to hear it, or its `for await` loop fell `maxBuffered`
   * events behind, so it ends rather than skip them silently.
   */
  EventsMissed: -32011,
  /** The request conflicts with the current state. */
  Conflict: -32009,
  /** A message or value is larger than allowed. */
  PayloadTooLarge: -32013,
  /** The caller sent too much, too fast. */
  TooManyRequests: -32029,
} as const;

/**
 * The name of an entry in {@linkcode ErrorCode}.
 *
 * @example From a name to a code and back
 * ```ts
 * import { ErrorCode, type ErrorCodeName, RpcError } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const name: ErrorCodeName = "NotFound";
 * assert.equal(ErrorCode[name], -32004);
 * assert.equal(new RpcError(ErrorCode[name], "No such room").codeName, name);
 * ```
 */
export type ErrorCodeName = keyof typeof ErrorCode;

const namesByCode: ReadonlyMap<number, ErrorCodeName> = new Map(
  (Object.keys(ErrorCode) as ErrorCodeName[]).map((name) => [ErrorCode[name], name]),
);

/**
 * What an {@linkcode RpcError} is made from, beside its message.
 *
 * @example Send data, keep the cause
 * ```ts
 * import { ErrorCode, RpcError, type RpcErrorOptions } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const options: RpcErrorOptions = { data: { room: "general" }, cause: new Error("no row") };
 * const error = new RpcError(ErrorCode.NotFound, "No such room", options);
 * assert.deepEqual(error.data, { room: "general" });
 * assert.equal(error.cause, options.cause);
 * ```
 */
export interface RpcErrorOptions {
  /** Extra detail that is sent to the client. It must be serializable. */
  data?: unknown;
  /** The underlying error. It stays on the side that raised it. */
  cause?: unknown;
}

/**
 * The error of a failed call, on both sides of the wire.
 *
 * On the server, throw it from a handler or middleware to send its code,
 * message and data to the client. Any other error becomes an internal error
 * whose message and stack are not sent. On the client, every failed call
 * rejects with one.
 *
 * @example Refuse a call
 * ```ts
 * import { ErrorCode, RpcError } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const error = new RpcError(ErrorCode.Forbidden, "Admins only", { data: { role: "user" } });
 * assert.equal(error.code, -32003);
 * assert.equal(error.codeName, "Forbidden");
 * ```
 */
export class RpcError extends Error {
  /** The JSON-RPC error code. */
  readonly code: number;
  /** Extra detail sent with the error, if any. */
  readonly data: unknown;

  /**
   * Makes an error.
   *
   * @param code A JSON-RPC error code, usually from {@linkcode ErrorCode}.
   * @param message A short, sentence-case description for the caller.
   * @param options The data to send along, and the cause to keep.
   */
  constructor(code: number, message: string, options: RpcErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RpcError";
    this.code = code;
    this.data = options.data;
  }

  /** The name of the code in {@linkcode ErrorCode}, or `undefined` for an application code. */
  get codeName(): ErrorCodeName | undefined {
    return namesByCode.get(this.code);
  }

  /**
   * Turns anything thrown into an `RpcError`. An `RpcError` is returned as it
   * is; anything else becomes an internal error that keeps it as `cause`.
   *
   * @example Wrap an unexpected failure
   * ```ts
   * import { ErrorCode, RpcError } from "@wsrpc/core";
   * import assert from "node:assert/strict";
   *
   * const error = RpcError.from(new TypeError("boom"));
   * assert.equal(error.code, ErrorCode.InternalError);
   * assert.equal(error.message, "Internal error");
   * ```
   *
   * @param thrown The value that was thrown.
   * @returns An `RpcError`.
   */
  static from(thrown: unknown): RpcError {
    if (thrown instanceof RpcError) return thrown;
    return new RpcError(ErrorCode.InternalError, "Internal error", { cause: thrown });
  }
}
