/**
 * `createHandler`: serves a contract as a `(Request) => Response` function.
 *
 * @module
 */

import { superjsonCodec } from "../shared/codec.ts";
import type { Router, RouterRecord } from "../shared/contract.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import { CloseCode } from "../shared/close_codes.ts";
import { ConnectionCounter, type Release } from "./admission.ts";
import type { ConnectionConfig } from "./connection.ts";
import { parseParams } from "./handshake.ts";
import { resolveLimits } from "./limits.ts";
import type { ErrorInfo, RpcHandler, ServerOptions, ShutdownOptions } from "./options.ts";
import { isOriginAllowed } from "./origin.ts";
import { OriginRefusals } from "./origin_refusal.ts";
import { buildRoutes } from "./routes.ts";
import { Deadlines } from "../shared/deadlines.ts";
import { Session, type SessionStart } from "./session.ts";
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
  if (options === undefined) {
    return (later: ServerOptions<TRecord, TCtx, TParams>) => serveContract(contract, later);
  }
  return serveContract(contract, options);
}

function serveContract<TRecord extends RouterRecord, TCtx, TParams>(
  contract: Router<TRecord>,
  options: ServerOptions<TRecord, TCtx, TParams>,
): RpcHandler {
  const onError = guarded(options.onError ?? logInternalErrors);
  const limits = resolveLimits(options.limits);
  const config: ConnectionConfig = {
    routes: buildRoutes(contract, options.handlers),
    middleware: (options.middleware ?? []) as ReadonlyArray<Middleware<unknown, unknown>>,
    codec: options.codec ?? superjsonCodec,
    validateOutput: options.validateOutput ?? true,
    reportError: (error, info) => onError(error, info as ErrorInfo<TCtx>),
    limits,
  };
  const idleTimeout = options.idleTimeout ?? 30;
  const counter = new ConnectionCounter(limits);
  const refusals = new OriginRefusals({
    policy: options.origins,
    openTimeout: limits.handshakeTimeout,
  });
  const sessions = new Set<Session>();
  // Sockets whose upgrade has not completed yet, with one timer for all of them.
  const opening = new Deadlines<Session>((session) => session.abandon(), { keepArmed: false });
  let shuttingDown = false;

  const accept = (request: Request, release: Release, start: SessionStart): Response => {
    let upgraded: { socket: WebSocket; response: Response };
    try {
      upgraded = Deno.upgradeWebSocket(request, { idleTimeout });
    } catch {
      release();
      return textResponse(400, "400 Bad WebSocket handshake");
    }
    const session = new Session(upgraded.socket, {
      config,
      start,
      release,
      opening,
      onClosed: (closed) => sessions.delete(closed),
    });
    sessions.add(session);
    return upgraded.response;
  };

  /** The first-frame handshake: validates the params, then makes the context. */
  const handshake = (
    request: Request,
    info: Deno.ServeHandlerInfo | undefined,
    schema: NonNullable<typeof options.connectionParams>,
  ): SessionStart => ({
    handshake: {
      codec: config.codec,
      accept: async (raw) => {
        const params = await parseParams(schema, raw);
        return await options.context?.(request, { info, params });
      },
      timeout: limits.handshakeTimeout,
      maxDepth: limits.maxDepth,
      maxHeldBytes: limits.maxMessageSize,
      report: (error) => onError(error, { request }),
    },
  });

  const handle = (
    request: Request,
    given?: Deno.ServeHandlerInfo,
  ): Response | Promise<Response> => {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return textResponse(
        426,
        "426 Upgrade Required: this endpoint speaks JSON-RPC 2.0 over WebSocket.",
        { upgrade: "websocket" },
      );
    }
    if (shuttingDown) {
      return textResponse(503, "503 The server is shutting down; reconnect shortly.", {
        "retry-after": "1",
      });
    }
    // A refused page is upgraded and closed with 4403, since a browser hides a
    // 403 from the page. Its socket takes a slot like any other, so refused
    // upgrades are held to the same caps.
    const originAllowed = isOriginAllowed(request, options.origins);
    if (!originAllowed) refusals.report(request);
    const info = snapshot(given);
    const admission = counter.admit(
      options.clientIp ? options.clientIp(request, info) : remoteIp(info),
    );
    if (!admission.ok) {
      return textResponse(admission.status, `${admission.status} ${admission.message}`, {
        "retry-after": "5",
      });
    }
    const { release } = admission;
    if (!originAllowed) return refusals.refuse(request, release);
    if (options.connectionParams !== undefined) {
      return accept(request, release, handshake(request, info, options.connectionParams));
    }
    if (options.context === undefined) return accept(request, release, { ctx: undefined });
    let made: TCtx | Promise<TCtx>;
    try {
      // Without `connectionParams` there are no params: TParams is `undefined`.
      made = options.context(request, { info, params: undefined as TParams });
    } catch (thrown) {
      release();
      return refuse(thrown, request, onError);
    }
    if (!(made instanceof Promise)) return accept(request, release, { ctx: made });
    return withDeadline(made, limits.handshakeTimeout).then(
      (ctx) => {
        if (!shuttingDown) return accept(request, release, { ctx });
        release();
        return textResponse(503, "503 The server is shutting down; reconnect shortly.", {
          "retry-after": "1",
        });
      },
      (thrown) => {
        release();
        return refuse(thrown, request, onError);
      },
    );
  };

  const shutdown = async ({ timeout = 10_000 }: ShutdownOptions = {}): Promise<void> => {
    shuttingDown = true;
    const restart = (session: Session) =>
      session.close(CloseCode.ServiceRestart, "The server is restarting");
    // Each connection closes as soon as its own calls are done, so an idle
    // client moves on without waiting for the slowest call on the server.
    const drained = [...sessions].map((session) => session.drain().then(() => restart(session)));
    await within(Promise.all(drained), timeout);
    // Past the deadline, the rest close with their calls still running. A
    // client that stopped reading never completes the close: don't wait forever.
    await within(Promise.all([...sessions].map(restart)), timeout);
  };

  return Object.defineProperties(handle, {
    connections: { get: () => sessions.size },
    shutdown: { value: shutdown },
  }) as RpcHandler;
}

/**
 * A copy of the handler info that outlives the upgrade: Deno's own throws
 * "Request closed" once the request has been answered.
 */
function snapshot(info: Deno.ServeHandlerInfo | undefined): Deno.ServeHandlerInfo | undefined {
  if (info === undefined) return undefined;
  return { remoteAddr: info.remoteAddr, completed: info.completed };
}

/** Wraps the `onError` hook so that a hook that throws can't take a connection down with it. */
function guarded<TCtx>(
  hook: (error: RpcError, info: ErrorInfo<TCtx>) => void,
): (error: RpcError, info: ErrorInfo<TCtx>) => void {
  return (error, info) => {
    try {
      hook(error, info);
    } catch (thrown) {
      console.error("wsrpc: the onError hook threw:", thrown);
    }
  };
}

/** The address a connection comes from, when it is an IP address. */
function remoteIp(info: Deno.ServeHandlerInfo | undefined): string | undefined {
  const address = info?.remoteAddr;
  return address !== undefined && "hostname" in address ? address.hostname : undefined;
}

/** Rejects with a `Timeout` error when the promise takes longer than `ms`. */
async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RpcError(ErrorCode.Timeout, `The context was not made within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for a promise, but no longer than `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => timer = setTimeout(resolve, ms))]);
  clearTimeout(timer);
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

/** The HTTP answer to a context that refused before the upgrade. */
function refuse<TCtx>(
  thrown: unknown,
  request: Request,
  onError: (error: RpcError, info: ErrorInfo<TCtx>) => void,
): Response {
  const error = RpcError.from(thrown);
  onError(error, { request });
  const status = STATUS_BY_CODE.get(error.code) ?? 400;
  const headers: Record<string, string> = status === 503 ? { "retry-after": "5" } : {};
  return textResponse(
    status,
    `${status} ${status === 500 ? "Internal error" : error.message}`,
    headers,
  );
}

const STATUS_BY_CODE: ReadonlyMap<number, number> = new Map([
  [ErrorCode.Unauthorized, 401],
  [ErrorCode.Forbidden, 403],
  [ErrorCode.InternalError, 500],
  [ErrorCode.Timeout, 503],
]);

function logInternalErrors(error: RpcError, info: ErrorInfo<unknown>): void {
  if (error.code !== ErrorCode.InternalError) return;
  const where = info.path ?? info.request?.url ?? "wsrpc";
  console.error(`wsrpc: internal error in ${where}:`, error.cause ?? error);
}
