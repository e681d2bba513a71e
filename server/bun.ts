/**
 * The wsrpc server on Bun, on `Bun.serve`'s own WebSockets: route upgrade
 * requests to `rpc.fetch`, and give `Bun.serve` the `rpc.websocket`
 * handlers. Origin checks, limits, the handshake and the graceful shutdown
 * behave exactly as on Deno; Bun pings idle clients by itself.
 *
 * @example Serve a contract beside the rest of a Bun app
 * ```ts ignore
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler } from "@wsrpc/core/bun";
 *
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const rpc = createHandler(api, { handlers: { hello: ({ input }) => `hello ${input}` } });
 * const server = Bun.serve({
 *   port: 8000,
 *   fetch: (request, server) =>
 *     new URL(request.url).pathname === "/rpc" ? rpc.fetch(request, server) : new Response("Hi"),
 *   websocket: rpc.websocket,
 * });
 * process.on("SIGTERM", async () => {
 *   await rpc.shutdown();
 *   await server.stop();
 * });
 * ```
 *
 * @module
 */

import { CloseCode } from "../shared/close_codes.ts";
import type { Router, RouterRecord } from "../shared/contract.ts";
import { createCoreHandler, type RpcCore } from "./core.ts";
import type { ServerOptions, ShutdownOptions } from "./options.ts";
import {
  type Admitted,
  type Decision,
  type HttpAnswer,
  isAdmitted,
  type ServerSocket,
  type SocketEvents,
} from "./socket.ts";

/** The part of Bun's `ServerWebSocket` that wsrpc uses. */
export interface BunWebSocket {
  /** What `server.upgrade` was given: wsrpc's own state of the socket. */
  readonly data: unknown;
  /** Sends a frame: returns -1 when it waits behind backpressure, 0 when it was dropped. */
  send(data: string): number;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
  /** Bytes waiting to be sent. */
  getBufferedAmount(): number;
}

/** The part of Bun's `Server` that wsrpc uses. */
export interface BunServer {
  /** Upgrades a request, giving its socket `data`. */
  upgrade(request: Request, options: { data: unknown }): boolean;
  /** The address a request comes from. */
  requestIP(request: Request): { address: string; family: string; port: number } | null;
}

/** The `websocket` option of `Bun.serve`, made by wsrpc. */
export interface BunWebSocketHandler {
  /** Seconds of silence before Bun pings, then drops, a client. */
  readonly idleTimeout: number;
  /** Whether Bun pings idle clients. */
  readonly sendPings: boolean;
  /** The largest frame Bun reads; wsrpc's own limit is checked with its reason. */
  readonly maxPayloadLength: number;
  /** Bytes Bun may buffer for a slow client before it drops frames. */
  readonly backpressureLimit: number;
  /** A socket opened. */
  open(ws: BunWebSocket): void;
  /** A frame arrived. */
  message(ws: BunWebSocket, message: string | Uint8Array): void;
  /** The send buffer emptied. */
  drain(ws: BunWebSocket): void;
  /** The socket closed. */
  close(ws: BunWebSocket): void;
}

/**
 * A contract served on Bun: its `fetch` upgrades requests, and its
 * `websocket` is the `websocket` option of `Bun.serve`.
 *
 * @example Mount it on one path
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { type BunRpcHandler, createHandler } from "@wsrpc/core/bun";
 * import assert from "node:assert/strict";
 *
 * const api = router({ hello: procedure({ output: z.string() }) });
 * const rpc: BunRpcHandler = createHandler(api, { handlers: { hello: () => "hi" } });
 * // Bun.serve({ fetch: (request, server) => rpc.fetch(request, server), websocket: rpc.websocket });
 * assert.equal(rpc.websocket.idleTimeout, 30);
 * ```
 */
export interface BunRpcHandler {
  /**
   * Upgrades a request to a wsrpc connection (and returns nothing, as Bun
   * wants), or answers why it can't.
   */
  readonly fetch: (
    request: Request,
    server: BunServer,
  ) => Response | undefined | Promise<Response | undefined>;
  /** The `websocket` option of `Bun.serve`. */
  readonly websocket: BunWebSocketHandler;
  /** How many connections are open. */
  readonly connections: number;
  /** Shuts down gracefully, as `RpcHandler.shutdown` does on Deno; stop Bun's server after it. */
  shutdown(options?: ShutdownOptions): Promise<void>;
}

/**
 * Serves a contract over WebSocket on Bun, with the options of the Deno
 * server's `createHandler`.
 *
 * @example
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler } from "@wsrpc/core/bun";
 * import assert from "node:assert/strict";
 *
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const rpc = createHandler(api, { handlers: { hello: ({ input }) => input } });
 * assert.equal(rpc.connections, 0);
 * ```
 *
 * @param contract The router contract.
 * @param options The handlers and the server's settings.
 * @returns The handler: `fetch` and `websocket` for `Bun.serve`.
 * @throws {TypeError} When an endpoint has no handler.
 */
export function createHandler<
  TRecord extends RouterRecord,
  TCtx = undefined,
  TParams = undefined,
>(
  contract: Router<TRecord>,
  options: ServerOptions<TRecord, TCtx, TParams>,
): BunRpcHandler;
/**
 * Serves a contract over WebSocket on Bun, in two calls: the contract first,
 * then the options, so that TypeScript infers everything.
 *
 * @example
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler } from "@wsrpc/core/bun";
 * import assert from "node:assert/strict";
 *
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const rpc = createHandler(api)({ handlers: { hello: ({ input }) => input } });
 * assert.equal(rpc.connections, 0);
 * ```
 *
 * @param contract The router contract.
 * @returns A function that takes the options and returns the handler.
 */
export function createHandler<TRecord extends RouterRecord>(
  contract: Router<TRecord>,
): <TCtx = undefined, TParams = undefined>(
  options: ServerOptions<TRecord, TCtx, TParams>,
) => BunRpcHandler;
export function createHandler<TRecord extends RouterRecord, TCtx, TParams>(
  contract: Router<TRecord>,
  options?: ServerOptions<TRecord, TCtx, TParams>,
): BunRpcHandler | ((options: ServerOptions<TRecord, TCtx, TParams>) => BunRpcHandler) {
  return createCoreHandler(contract, options, serveOnBun);
}

/**
 * Bun's frame size, send buffer and idle timeout are bounded; it counts idle
 * time in steps of 4 s, and drops a silent client after 8 s at the least.
 */
const MAX_BUN_BYTES = 2 ** 31 - 1;
const MIN_BUN_IDLE = 8;
const MAX_BUN_IDLE = 960;

function serveOnBun(core: RpcCore): BunRpcHandler {
  const { limits, idleTimeout } = core;
  const fetch = (request: Request, server: BunServer) => {
    const respond = (decision: Decision): Response | undefined => {
      if (!isAdmitted(decision)) return toResponse(decision);
      if (server.upgrade(request, { data: new SocketState(decision) })) {
        return undefined;
      }
      decision.abandon();
      return toResponse(decision.unupgradable);
    };
    const address = server.requestIP(request);
    const info = address === null ? undefined : {
      remoteAddr: { transport: "tcp", hostname: address.address, port: address.port } as const,
    };
    const decision = core.decide(request, info);
    return decision instanceof Promise ? decision.then(respond) : respond(decision);
  };

  const websocket: BunWebSocketHandler = {
    idleTimeout: idleTimeout <= 0
      ? 0
      : Math.min(MAX_BUN_IDLE, Math.max(MIN_BUN_IDLE, Math.round(idleTimeout))),
    sendPings: true,
    // Bun reads frames up to this size; larger ones are refused by the core,
    // with its own reason, as on Deno.
    maxPayloadLength: Math.min(
      MAX_BUN_BYTES,
      Math.max(16 * 1024 * 1024, limits.maxMessageSize + 1),
    ),
    // Past this Bun drops frames; the core gives up on the client long before.
    backpressureLimit: Math.min(MAX_BUN_BYTES, 2 * limits.sendBufferMax + limits.maxMessageSize),
    open(ws) {
      const state = ws.data;
      if (!(state instanceof SocketState)) return;
      const { admitted } = state;
      state.admitted = undefined;
      const events = admitted?.open(new BunSocket(ws));
      // A close from inside `open` (a refused origin, a shutdown) was reported already.
      if (state.closed) events?.closed();
      else state.events = events;
    },
    message(ws, message) {
      // \`data\` is a call into Bun: read it once.
      const state = ws.data;
      if (state instanceof SocketState) state.events?.message(message);
    },
    drain(ws) {
      const state = ws.data;
      if (state instanceof SocketState) state.events?.drained();
    },
    close(ws) {
      const state = ws.data;
      if (!(state instanceof SocketState)) return;
      state.closed = true;
      state.events?.closed();
      state.events = undefined;
      state.admitted?.abandon();
      state.admitted = undefined;
    },
  };

  return {
    fetch,
    websocket,
    get connections() {
      return core.connections;
    },
    shutdown: core.shutdown,
  };
}

/** What wsrpc keeps on each of Bun's sockets, as its `data`. */
class SocketState {
  /** The connection the core admitted, until the socket opens. */
  admitted: Admitted | undefined;
  /** Where the socket's events go, once it is open. */
  events: SocketEvents | undefined;
  /** Whether Bun reported the close already: it does so inside `ws.close()`. */
  closed = false;

  constructor(admitted: Admitted) {
    this.admitted = admitted;
  }
}

/** A Bun socket, as the core's seam. Bun pings by itself, so it has no `ping`. */
class BunSocket implements ServerSocket {
  readonly #ws: BunWebSocket;

  constructor(ws: BunWebSocket) {
    this.#ws = ws;
  }

  send(text: string): void {
    // 0: Bun dropped the frame, past its backpressure limit. The client can't be
    // served honestly without it.
    if (this.#ws.send(text) === 0) {
      this.#ws.close(CloseCode.SlowConsumer, "The client fell too far behind");
    }
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  get bufferedAmount(): number {
    return this.#ws.getBufferedAmount();
  }
}

function toResponse({ status, body, headers }: HttpAnswer): Response {
  return new Response(body, {
    status,
    headers: { ...headers, "content-type": "text/plain; charset=utf-8" },
  });
}
