/**
 * `createHandler`: serves a contract as a `(Request) => Response` function,
 * for `Deno.serve`.
 *
 * @module
 */

import type { Router, RouterRecord } from "../shared/contract.ts";
import { createCoreHandler } from "./core.ts";
import { serveOnDeno } from "./deno.ts";
import type { RpcHandler, ServerOptions } from "./options.ts";

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
export function createHandler<
  TRecord extends RouterRecord,
  TCtx = undefined,
  TParams = undefined,
>(
  contract: Router<TRecord>,
  options: ServerOptions<TRecord, TCtx, TParams>,
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
): <TCtx = undefined, TParams = undefined>(
  options: ServerOptions<TRecord, TCtx, TParams>,
) => RpcHandler;
export function createHandler<TRecord extends RouterRecord, TCtx, TParams>(
  contract: Router<TRecord>,
  options?: ServerOptions<TRecord, TCtx, TParams>,
): RpcHandler | ((options: ServerOptions<TRecord, TCtx, TParams>) => RpcHandler) {
  return createCoreHandler(contract, options, serveOnDeno);
}
