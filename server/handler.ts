/**
 * `createHandler`: serves a contract as a `(Request) => Response` function.
 *
 * @module
 */

import { type Codec, superjsonCodec } from "../shared/codec.ts";
import type { Router, RouterRecord } from "../shared/contract.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import { Connection } from "./connection.ts";
import { buildRoutes } from "./routes.ts";
import type { Handlers, Middleware } from "./types.ts";

/** What is known of an error reported to `onError`. */
export interface ErrorInfo<TCtx> {
  /** The dotted path of the endpoint, when the error came from a call. */
  path?: string;
  /** The connection's context, once it exists. */
  ctx?: TCtx;
  /** The upgrade request, when the error came from making the context. */
  request?: Request;
}

/** The options of {@linkcode createHandler}. */
export interface ServerOptions<TRecord extends RouterRecord, TCtx> {
  /** The handler of every endpoint, nested like the contract. */
  handlers: Handlers<TRecord, TCtx>;
  /**
   * Makes the context of a connection from its upgrade request, once per
   * connection. Throw an `RpcError` with `Unauthorized` or `Forbidden` to
   * refuse the connection with 401 or 403 before it is upgraded.
   */
  context?: (request: Request, info: Deno.ServeHandlerInfo | undefined) => TCtx | Promise<TCtx>;
  /** Middleware run around every call, outermost first. */
  middleware?: ReadonlyArray<Middleware<TCtx, TCtx>>;
  /**
   * Check every result and event against its output schema before sending it.
   * Defaults to `true`; a failure is an internal error and is reported.
   */
  validateOutput?: boolean;
  /**
   * Hears about every error thrown while serving: handler errors (an
   * `RpcError` as thrown, anything else wrapped as an internal error with the
   * original as `cause`) and failures to make a context. Defaults to logging
   * internal errors with `console.error`.
   */
  onError?: (error: RpcError, info: ErrorInfo<TCtx>) => void;
  /** Turns payloads into JSON and back. Defaults to {@linkcode superjsonCodec}. */
  codec?: Codec;
}

/** A function that serves wsrpc; it fits `Deno.serve`. */
export type RpcHandler = (
  request: Request,
  info?: Deno.ServeHandlerInfo,
) => Response | Promise<Response>;

/**
 * Serves a contract over WebSocket. The result is an ordinary request handler:
 * mount it on one path of `Deno.serve` beside the rest of an app. A request
 * that is not a WebSocket upgrade gets `426 Upgrade Required`.
 *
 * In this one-call form, TypeScript infers `ctx` in the handlers when the
 * `context` function's parameter is annotated (`(request: Request) => …`).
 * The two-call form, `createHandler(contract)(options)`, infers everything,
 * including the input of a `use(…)` inside a nested router.
 *
 * @example Serve a greeting
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const rpc = createHandler(api, {
 *   context: (request: Request) => ({ agent: request.headers.get("user-agent") }),
 *   handlers: { hello: ({ input, ctx }) => `hello ${input} from ${ctx.agent}` },
 * });
 *
 * const response = await rpc(new Request("http://localhost/rpc"));
 * assert.equal(response.status, 426);
 * ```
 *
 * @param contract The router contract.
 * @param options The handlers and the server's settings.
 * @returns A `(Request) => Response` handler.
 * @throws {TypeError} When an endpoint has no handler.
 */
export function createHandler<TRecord extends RouterRecord, TCtx = undefined>(
  contract: Router<TRecord>,
  options: ServerOptions<TRecord, TCtx>,
): RpcHandler;
/**
 * Serves a contract over WebSocket, in two calls: the contract first, then
 * the options. With the contract's type settled first, TypeScript infers the
 * context, inputs and outputs in every handler, however deeply nested and
 * however wrapped in `use(…)`.
 *
 * @example Middleware in a nested router
 * ```ts
 * import * as z from "zod";
 * import { ErrorCode, procedure, router, RpcError } from "@wsrpc/core";
 * import { createHandler, type Middleware, use } from "@wsrpc/core/server";
 *
 * const api = router({
 *   admin: router({ ban: procedure({ input: z.string(), output: z.string() }) }),
 * });
 * type Ctx = { role: string | null };
 * const admins: Middleware<Ctx, { role: "admin" }> = ({ ctx, next }) => {
 *   if (ctx.role !== "admin") throw new RpcError(ErrorCode.Forbidden, "Admins only");
 *   return next({ role: "admin" });
 * };
 * const rpc = createHandler(api)({
 *   context: (request) => ({ role: request.headers.get("x-role") }),
 *   handlers: {
 *     admin: { ban: use(admins, ({ input, ctx }) => `${ctx.role} banned ${input}`) },
 *   },
 * });
 * ```
 *
 * @param contract The router contract.
 * @returns A function that takes the options and returns the handler.
 */
export function createHandler<TRecord extends RouterRecord>(
  contract: Router<TRecord>,
): <TCtx = undefined>(options: ServerOptions<TRecord, TCtx>) => RpcHandler;
export function createHandler<TRecord extends RouterRecord, TCtx>(
  contract: Router<TRecord>,
  options?: ServerOptions<TRecord, TCtx>,
): RpcHandler | ((options: ServerOptions<TRecord, TCtx>) => RpcHandler) {
  if (options === undefined) {
    return (later: ServerOptions<TRecord, TCtx>) => serveContract(contract, later);
  }
  return serveContract(contract, options);
}

function serveContract<TRecord extends RouterRecord, TCtx>(
  contract: Router<TRecord>,
  options: ServerOptions<TRecord, TCtx>,
): RpcHandler {
  const onError = options.onError ?? logInternalErrors;
  const config = {
    routes: buildRoutes(contract, options.handlers),
    middleware: (options.middleware ?? []) as ReadonlyArray<Middleware<unknown, unknown>>,
    codec: options.codec ?? superjsonCodec,
    validateOutput: options.validateOutput ?? true,
    reportError: (error: RpcError, info: { path: string; ctx: unknown }) =>
      onError(error, info as ErrorInfo<TCtx>),
  };

  const accept = (request: Request, ctx: unknown): Response => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    const connection = new Connection(socket, ctx, config);
    socket.onmessage = (event) => {
      if (typeof event.data === "string") connection.receive(event.data);
      else socket.close(1003, "wsrpc accepts text frames only");
    };
    socket.onclose = () => connection.dispose();
    socket.onerror = () => {};
    return response;
  };

  return (request, info) => {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response(
        "426 Upgrade Required: this endpoint speaks JSON-RPC 2.0 over WebSocket.\n",
        { status: 426, headers: { upgrade: "websocket", "content-type": "text/plain" } },
      );
    }
    if (options.context === undefined) return accept(request, undefined);
    let made: TCtx | Promise<TCtx>;
    try {
      made = options.context(request, info);
    } catch (thrown) {
      return refuse(thrown, request, onError);
    }
    if (!(made instanceof Promise)) return accept(request, made);
    return made.then(
      (ctx) => accept(request, ctx),
      (thrown) => refuse(thrown, request, onError),
    );
  };
}

function refuse<TCtx>(
  thrown: unknown,
  request: Request,
  onError: (error: RpcError, info: ErrorInfo<TCtx>) => void,
): Response {
  const error = RpcError.from(thrown);
  onError(error, { request });
  const status = error.code === ErrorCode.Unauthorized
    ? 401
    : error.code === ErrorCode.Forbidden
    ? 403
    : error.code === ErrorCode.InternalError
    ? 500
    : 400;
  const message = status === 500 ? "Internal error" : error.message;
  return new Response(`${status} ${message}\n`, {
    status,
    headers: { "content-type": "text/plain" },
  });
}

function logInternalErrors(error: RpcError, info: ErrorInfo<unknown>): void {
  if (error.code !== ErrorCode.InternalError) return;
  const where = info.path ?? info.request?.url ?? "wsrpc";
  console.error(`wsrpc: internal error in ${where}:`, error.cause ?? error);
}
