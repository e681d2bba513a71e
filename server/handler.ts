/**
 * `createHandler`: serves a contract as a `(Request) => Response` function.
 *
 * @module
 */

import { superjsonCodec } from "../shared/codec.ts";
import type { Router, RouterRecord } from "../shared/contract.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import { CloseCode } from "../shared/close_codes.ts";
import { Connection, type ConnectionConfig } from "./connection.ts";
import type { ErrorInfo, RpcHandler, ServerOptions, ShutdownOptions } from "./options.ts";
import { buildRoutes } from "./routes.ts";
import type { Middleware } from "./types.ts";

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
  const config: ConnectionConfig = {
    routes: buildRoutes(contract, options.handlers),
    middleware: (options.middleware ?? []) as ReadonlyArray<Middleware<unknown, unknown>>,
    codec: options.codec ?? superjsonCodec,
    validateOutput: options.validateOutput ?? true,
    reportError: (error, info) => onError(error, info as ErrorInfo<TCtx>),
  };
  const idleTimeout = options.idleTimeout ?? 30;
  const open = new Map<Connection, WebSocket>();
  let shuttingDown = false;

  const accept = (request: Request, ctx: unknown): Response => {
    const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout });
    const connection = new Connection(socket, ctx, config);
    open.set(connection, socket);
    socket.onmessage = (event) => {
      if (typeof event.data === "string") connection.receive(event.data);
      else socket.close(CloseCode.UnsupportedData, "wsrpc accepts text frames only");
    };
    socket.onclose = () => {
      open.delete(connection);
      connection.dispose();
    };
    socket.onerror = () => {};
    return response;
  };

  const handle = (request: Request, info?: Deno.ServeHandlerInfo): Response | Promise<Response> => {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return textResponse(
        426,
        "426 Upgrade Required: this endpoint speaks JSON-RPC 2.0 over WebSocket.",
        {
          upgrade: "websocket",
        },
      );
    }
    if (shuttingDown) {
      return textResponse(503, "503 The server is shutting down; reconnect shortly.", {
        "retry-after": "1",
      });
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

  const shutdown = async ({ timeout = 10_000 }: ShutdownOptions = {}): Promise<void> => {
    shuttingDown = true;
    const drained = Promise.all([...open.keys()].map((connection) => connection.drain()));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([drained, new Promise((resolve) => timer = setTimeout(resolve, timeout))]);
    clearTimeout(timer);
    const closed = [...open.values()].map((socket) =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.addEventListener("close", () => resolve(), { once: true });
        socket.close(CloseCode.ServiceRestart, "The server is restarting");
      })
    );
    await Promise.all(closed);
  };

  return Object.defineProperties(handle, {
    connections: { get: () => open.size },
    shutdown: { value: shutdown },
  }) as RpcHandler;
}

function textResponse(
  status: number,
  body: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(`${body}\n`, {
    status,
    headers: { ...headers, "content-type": "text/plain; charset=utf-8" },
  });
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
  return textResponse(status, `${status} ${status === 500 ? "Internal error" : error.message}`);
}

function logInternalErrors(error: RpcError, info: ErrorInfo<unknown>): void {
  if (error.code !== ErrorCode.InternalError) return;
  const where = info.path ?? info.request?.url ?? "wsrpc";
  console.error(`wsrpc: internal error in ${where}:`, error.cause ?? error);
}
