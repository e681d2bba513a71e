/**
 * The first-frame handshake, for servers with `connectionParams`. Browsers
 * can't set headers on a WebSocket, so a client sends its credentials as the
 * first frame, the notification `rpc.connect`. The server checks its params,
 * makes the context from them, and only then serves the connection. Frames
 * that arrive meanwhile wait, in order, up to a bound.
 *
 * Here too is how a connection whose `context` refuses is answered, before
 * the upgrade (an HTTP status) and after it (a close code), from one table.
 *
 * @module
 */

import type { Codec } from "../shared/codec.ts";
import { CloseCode } from "../shared/close_codes.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import type { Schema } from "../shared/standard_schema.ts";
import { toWireIssue, type WireIssue } from "../shared/validate.ts";
import { checkRequest, InvalidRequest, Method, paramsToInput } from "../shared/wire.ts";
import { exceedsDepth } from "./frame_guard.ts";
import type { HttpAnswer } from "./socket.ts";

/** What a handshake needs to know. */
export interface HandshakeSetup {
  /** Decodes the params. */
  codec: Codec;
  /**
   * Validates the decoded params and makes the context from them; throws an
   * `RpcError` to refuse (see {@linkcode parseParams} for the validation).
   */
  accept: (params: unknown) => unknown;
  /** Milliseconds until the context must be made. */
  timeout: number;
  /** The nesting limit of the first frame. */
  maxDepth: number;
  /** How many bytes of later frames may wait for the context. */
  maxHeldBytes: number;
  /** Hears why a context was refused. */
  report: (error: RpcError) => void;
}

/** How a handshake ends. */
export interface HandshakeEvents {
  /** The context is made: serve the frames that waited, then the rest. */
  ready(ctx: unknown, held: readonly string[]): void;
  /** Close the connection with this code and reason. */
  refuse(code: number, reason: string): void;
}

/** The handshake of one connection. */
export class Handshake {
  readonly #setup: HandshakeSetup;
  readonly #events: HandshakeEvents;
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #held: string[] = [];
  #heldBytes = 0;
  #started = false;
  #over = false;

  /**
   * Starts the deadline.
   *
   * @param setup The schema, the context maker and the bounds.
   * @param events Where the outcome goes.
   */
  constructor(setup: HandshakeSetup, events: HandshakeEvents) {
    this.#setup = setup;
    this.#events = events;
    this.#timer = setTimeout(() => {
      const what = this.#started ? "The connection was not accepted" : "No rpc.connect came";
      this.#refuse(CloseCode.HandshakeTimeout, `${what} within ${setup.timeout} ms`);
    }, setup.timeout);
  }

  /**
   * Takes one text frame: the first must be `rpc.connect`; later ones wait.
   *
   * @param text The frame.
   */
  receive(text: string): void {
    if (this.#over) return;
    if (this.#started) {
      this.#heldBytes += text.length;
      if (this.#heldBytes > this.#setup.maxHeldBytes) {
        this.#refuse(CloseCode.TooManyRequests, "Too much was sent before the handshake ended");
        return;
      }
      this.#held.push(text);
      return;
    }
    this.#started = true;
    const params = this.#readConnect(text);
    if (params === undefined) return;
    this.#accept(params.value).catch(() => {});
  }

  /** Stops the deadline; nothing more is reported. */
  dispose(): void {
    this.#over = true;
    clearTimeout(this.#timer);
  }

  /** The params of a well-formed `rpc.connect`, or `undefined` after refusing. */
  #readConnect(text: string): { value: unknown } | undefined {
    let value: unknown;
    try {
      if (exceedsDepth(text, this.#setup.maxDepth)) throw new RangeError("Too deep");
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    const frame = checkRequest(value);
    if (frame instanceof InvalidRequest || frame.method !== Method.Connect || "id" in frame) {
      this.#refuse(
        CloseCode.BadConnectionParams,
        'The first frame must be the notification "rpc.connect"',
      );
      return undefined;
    }
    try {
      return {
        value: paramsToInput(this.#setup.codec.decode(frame.params, frame.meta)),
      };
    } catch {
      this.#refuse(CloseCode.BadConnectionParams, "Invalid connection params: bad meta");
      return undefined;
    }
  }

  async #accept(params: unknown): Promise<void> {
    let ctx: unknown;
    try {
      ctx = await this.#setup.accept(params);
    } catch (thrown) {
      if (this.#over) return;
      const error = RpcError.from(thrown);
      this.#setup.report(error);
      this.#refuse(...refusalOf(error));
      return;
    }
    if (this.#over) return;
    this.dispose();
    this.#events.ready(ctx, this.#held.splice(0));
  }

  #refuse(code: number, reason: string): void {
    if (this.#over) return;
    this.dispose();
    this.#held.length = 0;
    this.#events.refuse(code, reason);
  }
}

/**
 * Validates connection params against their schema.
 *
 * @param schema The server's `connectionParams` schema.
 * @param value The decoded params.
 * @returns The params as the schema parsed them.
 * @throws {RpcError} `InvalidParams` with `data.issues`, as for a call's input.
 */
export async function parseParams<TParams>(
  schema: Schema<unknown, TParams>,
  value: unknown,
): Promise<TParams> {
  const result = await schema["~standard"].validate(value);
  if (result.issues === undefined) return result.value;
  throw new RpcError(ErrorCode.InvalidParams, "Invalid connection params", {
    data: { issues: result.issues.map(toWireIssue) },
  });
}

/** How a refused connection is answered, before the upgrade and after it. */
interface RefusalCodes {
  /** The HTTP status, when `context` refuses before the upgrade. */
  readonly status: number;
  /** The close code, when it refuses after `rpc.connect`. */
  readonly close: number;
}

/**
 * The one table from the error a `context` (or the params' schema) throws to
 * its refusal: the 4400s mirror HTTP's statuses, a context that took too long
 * is a 503 or a 4408 (the client may try again), an unexpected failure a 500
 * or a 1011 (which say nothing more). PROTOCOL.md lists both columns.
 */
const REFUSALS: ReadonlyMap<number, RefusalCodes> = new Map([
  [ErrorCode.InvalidParams, { status: 400, close: CloseCode.BadConnectionParams }],
  [ErrorCode.Unauthorized, { status: 401, close: CloseCode.Unauthorized }],
  [ErrorCode.Forbidden, { status: 403, close: CloseCode.Forbidden }],
  [ErrorCode.InternalError, { status: 500, close: CloseCode.InternalError }],
  [ErrorCode.Timeout, { status: 503, close: CloseCode.HandshakeTimeout }],
]);

/** Any other `RpcError`: the request was refused as it is. */
const OTHER_REFUSAL: RefusalCodes = { status: 400, close: CloseCode.BadConnectionParams };

/**
 * The HTTP answer to a connection whose `context` refused before the upgrade:
 * the status from the refusal table, and the error's message as the body (but
 * `Internal error` for an unexpected failure). A 503 says when to try again.
 * It carries the table's close code too, for a socket that a runtime upgraded
 * before asking (a Node `ws` server's `connection`).
 *
 * @example A context that refused a visitor who has not signed in
 * ```ts
 * import { ErrorCode, RpcError } from "@wsrpc/core";
 * import { refusalAnswer } from "./handshake.ts";
 * import assert from "node:assert/strict";
 *
 * const answer = refusalAnswer(new RpcError(ErrorCode.Unauthorized, "Sign in first"));
 * assert.equal(answer.status, 401);
 * assert.equal(answer.body, "401 Sign in first\n");
 * assert.equal(answer.close, 4401);
 * ```
 *
 * @param error The error `context` threw, as an `RpcError`.
 * @returns The answer to send instead of the upgrade.
 */
export function refusalAnswer(error: RpcError): HttpAnswer {
  const { status, close } = REFUSALS.get(error.code) ?? OTHER_REFUSAL;
  const headers: Record<string, string> = status === 503 ? { "retry-after": "5" } : {};
  const body = `${status} ${status === 500 ? "Internal error" : error.message}\n`;
  return { status, body, headers, close };
}

/**
 * Waits for a `context` that runs before the upgrade, but no longer than the
 * handshake deadline.
 *
 * @param made The context being made.
 * @param ms The handshake deadline, in milliseconds.
 * @returns The context.
 * @throws {RpcError} `Timeout` when it takes longer than `ms`; whatever `made`
 *   rejects with otherwise.
 */
export async function contextWithin<T>(made: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RpcError(ErrorCode.Timeout, `The context was not made within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([made, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The close code and reason for a refused handshake, from the refusal table. */
function refusalOf(error: RpcError): [number, string] {
  const { close } = REFUSALS.get(error.code) ?? OTHER_REFUSAL;
  if (error.code === ErrorCode.InvalidParams) return [close, invalidParamsReason(error)];
  if (error.code === ErrorCode.InternalError) return [close, "Internal error"];
  return [close, error.message];
}

/** "Invalid connection params: token: Required", from the first issue. */
function invalidParamsReason(error: RpcError): string {
  const issues: unknown = isIssueList(error.data) ? error.data.issues : undefined;
  const first = Array.isArray(issues) ? issues[0] : undefined;
  if (!isWireIssue(first)) return error.message;
  const where = first.path.length > 0 ? `${first.path.join(".")}: ` : "";
  return `Invalid connection params: ${where}${first.message}`;
}

function isIssueList(data: unknown): data is { issues: unknown } {
  return typeof data === "object" && data !== null && "issues" in data;
}

function isWireIssue(value: unknown): value is WireIssue {
  return typeof value === "object" && value !== null && "message" in value &&
    typeof value.message === "string" && "path" in value && Array.isArray(value.path);
}
