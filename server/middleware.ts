/**
 * Composing middleware with handlers.
 *
 * @module
 */

import type { HandlerOptions, Middleware } from "./types.ts";

/**
 * Wraps a handler in a middleware. The middleware runs first and may refuse
 * the call or hand a richer context to the handler. Wrap again to compose:
 * `use(authed, use(admin, handler))` runs `authed`, then `admin`.
 *
 * @example Only signed-in users may send
 * ```ts
 * import { ErrorCode, RpcError } from "@wsrpc/core";
 * import { type Middleware, use } from "@wsrpc/core/server";
 *
 * type Ctx = { user?: string };
 * const authed: Middleware<Ctx, { user: string }> = ({ ctx, next }) => {
 *   if (!ctx.user) throw new RpcError(ErrorCode.Unauthorized, "Sign in first");
 *   return next({ user: ctx.user });
 * };
 * const send = use(authed, ({ ctx }) => `sent by ${ctx.user}`);
 * ```
 *
 * @param middleware Runs before the handler.
 * @param handler The handler, or another `use(…)`.
 * @returns A handler that runs both.
 */
export function use<TCtx, TNextCtx, TInput, TResult>(
  middleware: Middleware<TCtx, TNextCtx>,
  handler: (options: HandlerOptions<TInput, TNextCtx>) => TResult,
): (options: HandlerOptions<TInput, TCtx>) => Promise<Awaited<TResult>> {
  return async (options): Promise<Awaited<TResult>> => {
    const result = await middleware(
      extend(options, { next: async (ctx: TNextCtx) => await handler(extend(options, { ctx })) }),
    );
    return result as Awaited<TResult>;
  };
}

/**
 * The options with some members replaced. The copy inherits the rest from the
 * original instead of spreading it, so the lazy `signal` getter stays lazy.
 */
function extend<TOptions extends object, TMembers extends object>(
  options: TOptions,
  members: TMembers,
): Omit<TOptions, keyof TMembers> & TMembers {
  const descriptors: PropertyDescriptorMap = {};
  for (const [key, value] of Object.entries(members)) {
    descriptors[key] = { value, enumerable: true, writable: true, configurable: true };
  }
  return Object.create(options, descriptors);
}

/**
 * Runs a list of middleware, outermost first, then the handler.
 *
 * @param chain The middleware, each keeping the context type.
 * @param options The call's options.
 * @param handler Runs last, with the context the chain hands on.
 * @returns What the chain returns.
 */
export function runChain<TCtx>(
  chain: ReadonlyArray<Middleware<TCtx, TCtx>>,
  options: HandlerOptions<unknown, TCtx>,
  handler: (options: HandlerOptions<unknown, TCtx>) => unknown,
): Promise<unknown> {
  const step = async (index: number, ctx: TCtx): Promise<unknown> => {
    const middleware = chain[index];
    if (middleware === undefined) return await handler(extend(options, { ctx }));
    return await middleware(extend(options, { ctx, next: (next: TCtx) => step(index + 1, next) }));
  };
  return step(0, options.ctx);
}
