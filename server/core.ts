/**
 * The runtime-neutral server: decides on each upgrade request (426, 503,
 * the origin check, the connection caps, the context or the first-frame
 * handshake), takes over each socket once it is open, and shuts down
 * gracefully. Each runtime's adapter reaches it through the seam of
 * server/socket.ts.
 *
 * @module
 */

import { superjsonCodec } from "../shared/codec.ts";
import type { Router, RouterRecord } from "../shared/contract.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import { CloseCode } from "../shared/close_codes.ts";
import { ConnectionCounter, type Slot } from "./admission.ts";
import type { ConnectionConfig } from "./connection.ts";
import { contextWithin, parseParams, refusalAnswer } from "./handshake.ts";
import { type Limits, resolveLimits } from "./limits.ts";
import { Liveness } from "./liveness.ts";
import type { ErrorInfo, ServerOptions, ShutdownOptions } from "./options.ts";
import { isOriginAllowed } from "./origin.ts";
import { OriginRefusals } from "./origin_refusal.ts";
import { buildRoutes } from "./routes.ts";
import { Session, type SessionShared, type SessionStart } from "./session.ts";
import type { Admitted, ConnectionInfo, Decision, HttpAnswer, ServerSocket } from "./socket.ts";
import type { Middleware } from "./types.ts";

/** A served contract, for an adapter to put on its runtime. */
export interface RpcCore {
  /**
   * Decides on a request: an HTTP answer, or a connection to upgrade to.
   *
   * @param request The request, as a web `Request`.
   * @param info Where the connection comes from, when the runtime says.
   */
  decide(request: Request, info: ConnectionInfo | undefined): Decision | Promise<Decision>;
  /** How many connections are open or opening. */
  readonly connections: number;
  /** Shuts down gracefully: see `RpcHandler.shutdown`. */
  shutdown(options?: ShutdownOptions): Promise<void>;
  /** The limits, for a runtime that needs its own bounds set to fit them. */
  readonly limits: Limits;
  /** Seconds within which a dead client is dropped; 0 for never. */
  readonly idleTimeout: number;
}

/**
 * The body of each runtime's `createHandler`: with the options, the handler
 * at once; without them, a function that takes them (the two-call form).
 *
 * @param contract The router contract.
 * @param options The handlers and the server's settings, or none yet.
 * @param serve The runtime's adapter, around the core.
 * @returns The runtime's handler, or a function that makes it.
 */
export function createCoreHandler<TRecord extends RouterRecord, TCtx, TParams, THandler>(
  contract: Router<TRecord>,
  options: ServerOptions<TRecord, TCtx, TParams> | undefined,
  serve: (core: RpcCore) => THandler,
): THandler | ((options: ServerOptions<TRecord, TCtx, TParams>) => THandler) {
  if (options === undefined) {
    return (later: ServerOptions<TRecord, TCtx, TParams>) => serve(createCore(contract, later));
  }
  return serve(createCore(contract, options));
}

/**
 * Serves a contract, on no runtime in particular.
 *
 * @param contract The router contract.
 * @param options The handlers and the server's settings.
 * @returns The core, for an adapter.
 * @throws {TypeError} When an endpoint has no handler, or a limit is not a number.
 */
export function createCore<TRecord extends RouterRecord, TCtx, TParams>(
  contract: Router<TRecord>,
  options: ServerOptions<TRecord, TCtx, TParams>,
): RpcCore {
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
    idleTimeout,
  });
  const sessions = new Set<Session>();
  // Pings for sockets whose runtime does not ping by itself.
  const liveness = new Liveness(idleTimeout * 1000);
  const withPings: SessionShared = { config, liveness, sessions };
  const withoutPings: SessionShared = { config, liveness: undefined, sessions };
  /** Admitted connections whose socket has not opened yet. */
  let opening = 0;
  /** Called when the last of them has opened or been abandoned, for the shutdown. */
  let noneOpening: (() => void) | undefined;
  let shuttingDown = false;

  const admit = (slot: Slot, start: SessionStart): Admitted => {
    opening++;
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      if (--opening === 0) noneOpening?.();
      return true;
    };
    return {
      idleTimeout,
      openTimeout: limits.handshakeTimeout,
      unupgradable: BAD_HANDSHAKE,
      open: (socket: ServerSocket) => {
        settle();
        const shared = socket.ping === undefined ? withoutPings : withPings;
        const session: Session = new Session(socket, shared, start, slot);
        sessions.add(session);
        if (shuttingDown) void session.close(CloseCode.ServiceRestart, "The server is restarting");
        return session;
      },
      abandon: () => {
        if (settle()) slot.release();
      },
    };
  };

  /** The first-frame handshake: validates the params, then makes the context. */
  const handshake = (
    request: Request,
    info: ConnectionInfo | undefined,
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

  const decide = (
    request: Request,
    info: ConnectionInfo | undefined,
  ): Decision | Promise<Decision> => {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return answer(
        426,
        "426 Upgrade Required: this endpoint speaks JSON-RPC 2.0 over WebSocket.",
        { upgrade: "websocket" },
      );
    }
    if (shuttingDown) return SHUTTING_DOWN;
    // A refused page is upgraded and closed with 4403, since a browser hides a
    // 403 from the page. Its socket takes a slot like any other, so refused
    // upgrades are held to the same caps.
    const originAllowed = isOriginAllowed(request, options.origins);
    if (!originAllowed) refusals.report(request);
    const admission = counter.admit(
      options.clientIp ? options.clientIp(request, info) : remoteIp(info),
    );
    if (!admission.ok) {
      return answer(
        admission.status,
        `${admission.status} ${admission.message}`,
        { "retry-after": "5" },
        admission.status === 429 ? CloseCode.TooManyRequests : CloseCode.TryAgainLater,
      );
    }
    const { slot } = admission;
    if (!originAllowed) return refusals.refuse(request, slot);
    if (options.connectionParams !== undefined) {
      return admit(slot, handshake(request, info, options.connectionParams));
    }
    if (options.context === undefined) return admit(slot, { ctx: undefined });
    let made: TCtx | Promise<TCtx>;
    try {
      // Without `connectionParams` there are no params: TParams is `undefined`.
      made = options.context(request, { info, params: undefined as TParams });
    } catch (thrown) {
      slot.release();
      return refuse(thrown, request, onError);
    }
    if (!(made instanceof Promise)) return admit(slot, { ctx: made });
    return contextWithin(made, limits.handshakeTimeout).then(
      (ctx): Decision => {
        if (!shuttingDown) return admit(slot, { ctx });
        slot.release();
        return SHUTTING_DOWN;
      },
      (thrown) => {
        slot.release();
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
    // A socket still opening is closed as soon as it opens.
    if (opening > 0) await within(new Promise<void>((resolve) => noneOpening = resolve), timeout);
    // Past the deadline, the rest close with their calls still running. A
    // client that stopped reading never completes the close: don't wait forever.
    await within(Promise.all([...sessions].map(restart)), timeout);
    liveness.stop();
  };

  return {
    decide,
    get connections() {
      return sessions.size + opening;
    },
    shutdown,
    limits,
    idleTimeout,
  };
}

const BAD_HANDSHAKE: HttpAnswer = answer(400, "400 Bad WebSocket handshake");
const SHUTTING_DOWN: HttpAnswer = answer(
  503,
  "503 The server is shutting down; reconnect shortly.",
  { "retry-after": "1" },
  CloseCode.TryAgainLater,
);

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
function remoteIp(info: ConnectionInfo | undefined): string | undefined {
  const address = info?.remoteAddr;
  return address !== undefined && "hostname" in address ? address.hostname : undefined;
}

/** Waits for a promise, but no longer than `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => timer = setTimeout(resolve, ms))]);
  clearTimeout(timer);
}

/**
 * A plain-text HTTP answer.
 *
 * @param status The status code.
 * @param text The body, without its final newline.
 * @param headers Extra headers.
 * @param close The close code that says the same on a socket already upgraded.
 * @returns The answer.
 */
export function answer(
  status: number,
  text: string,
  headers: Record<string, string> = {},
  close?: number,
): HttpAnswer {
  return { status, body: `${text}\n`, headers, close };
}

/** The answer to a context that refused before the upgrade, from handshake.ts's one table. */
function refuse<TCtx>(
  thrown: unknown,
  request: Request,
  onError: (error: RpcError, info: ErrorInfo<TCtx>) => void,
): HttpAnswer {
  const error = RpcError.from(thrown);
  onError(error, { request });
  return refusalAnswer(error);
}

function logInternalErrors(error: RpcError, info: ErrorInfo<unknown>): void {
  if (error.code !== ErrorCode.InternalError) return;
  const where = info.path ?? info.request?.url ?? "wsrpc";
  console.error(`wsrpc: internal error in ${where}:`, error.cause ?? error);
}
