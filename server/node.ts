/**
 * The wsrpc server on Node.js (20 or later), on the npm package `ws`: serve a
 * contract from a `node:http` server's `upgrade` event, or from the
 * `connection` event of the app's own `ws` `WebSocketServer`. Origin checks,
 * limits, the handshake and the graceful shutdown behave exactly as on Deno;
 * the server pings each client for the idle timeout.
 *
 * @example Serve a contract beside the rest of a Node app
 * ```ts ignore
 * import { createServer } from "node:http";
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler } from "@wsrpc/core/node";
 *
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const rpc = createHandler(api, { handlers: { hello: ({ input }) => `hello ${input}` } });
 * const server = createServer((_request, response) => response.end("Hi"));
 * server.on("upgrade", rpc.handleUpgrade);
 * server.listen(8000);
 * process.on("SIGTERM", async () => {
 *   await rpc.shutdown();
 *   server.close();
 * });
 * ```
 *
 * @module
 */

import type { Buffer } from "node:buffer";
import type { IncomingMessage } from "node:http";
import { nextTick } from "node:process";
import type { Duplex } from "node:stream";
// @ts-types="@types/ws"
import { WebSocketServer } from "ws";
import type { Router, RouterRecord } from "../shared/contract.ts";
import { createCoreHandler, type RpcCore } from "./core.ts";
import type { ServerOptions, ShutdownOptions } from "./options.ts";
import { CloseCode } from "../shared/close_codes.ts";
import {
  type Admitted,
  type ConnectionInfo,
  type HttpAnswer,
  isAdmitted,
  type ServerSocket,
  type SocketEvents,
} from "./socket.ts";

/** The part of a `ws` `WebSocket` that wsrpc uses; a `WebSocket` of `ws` fits. */
export interface NodeWebSocket {
  /** Bytes waiting to be sent. */
  readonly bufferedAmount: number;
  /** Sends a text frame. */
  send(data: string): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Sends a ping. */
  ping(): void;
  /** Drops the connection at once. */
  terminate(): void;
  /** Hears a frame, a pong, the close, or an error. */
  on(event: "message", listener: (data: Buffer, isBinary: boolean) => void): unknown;
  /** Hears a pong, or the close. */
  on(event: "pong" | "close", listener: () => void): unknown;
  /** Hears an error. */
  on(event: "error", listener: (error: Error) => void): unknown;
}

/**
 * A contract served on Node: pass `handleUpgrade` to a `node:http` (or
 * `node:https`) server's `upgrade` event.
 *
 * @example Only one path upgrades
 * ```ts
 * import { createServer } from "node:http";
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler, type NodeRpcHandler } from "@wsrpc/core/node";
 * import assert from "node:assert/strict";
 *
 * const api = router({ hello: procedure({ output: z.string() }) });
 * const rpc: NodeRpcHandler = createHandler(api, { handlers: { hello: () => "hi" } });
 * const server = createServer();
 * server.on("upgrade", (request, socket, head) => {
 *   if (request.url === "/rpc") rpc.handleUpgrade(request, socket, head);
 *   else socket.destroy();
 * });
 * assert.equal(rpc.connections, 0);
 * ```
 */
export interface NodeRpcHandler {
  /**
   * Upgrades a request to a wsrpc connection, or answers why it can't (426,
   * 429, 503, or the status the `context` refused with), as a listener of
   * the `upgrade` event.
   */
  readonly handleUpgrade: (request: IncomingMessage, socket: Duplex, head: Uint8Array) => void;
  /**
   * Serves a socket that the app's own `ws` `WebSocketServer` has upgraded,
   * as a listener of its `connection` event. The decision comes after the
   * upgrade, so a refusal is a close instead of an HTTP answer: 1013 for a
   * full or stopping server (503), 4429 for an address over its cap (429),
   * and for a `context` that refused the close code it gets after
   * `rpc.connect` (4401, 4403, 4400, 4408 or 1011). Frames that arrive
   * meanwhile wait, in order.
   */
  readonly handleConnection: (socket: NodeWebSocket, request: IncomingMessage) => void;
  /** How many connections are open. */
  readonly connections: number;
  /**
   * Shuts down gracefully, as `RpcHandler.shutdown` does on Deno. Close the
   * `node:http` server after it resolves.
   */
  shutdown(options?: ShutdownOptions): Promise<void>;
}

/**
 * Serves a contract over WebSocket on Node, with the options of the Deno
 * server's `createHandler`.
 *
 * @example Handlers see the upgrade request as a web `Request`
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler } from "@wsrpc/core/node";
 * import assert from "node:assert/strict";
 *
 * const api = router({ whoami: procedure({ output: z.string() }) });
 * const rpc = createHandler(api, {
 *   context: (request: Request) => ({ user: request.headers.get("x-user") ?? "guest" }),
 *   handlers: { whoami: ({ ctx }) => ctx.user },
 * });
 * assert.equal(typeof rpc.handleUpgrade, "function");
 * ```
 *
 * @param contract The router contract.
 * @param options The handlers and the server's settings.
 * @returns The handler, for the `upgrade` event.
 * @throws {TypeError} When an endpoint has no handler.
 */
export function createHandler<
  TRecord extends RouterRecord,
  TCtx = undefined,
  TParams = undefined,
>(
  contract: Router<TRecord>,
  options: ServerOptions<TRecord, TCtx, TParams>,
): NodeRpcHandler;
/**
 * Serves a contract over WebSocket on Node, in two calls: the contract
 * first, then the options, so that TypeScript infers everything.
 *
 * @example
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler } from "@wsrpc/core/node";
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
) => NodeRpcHandler;
export function createHandler<TRecord extends RouterRecord, TCtx, TParams>(
  contract: Router<TRecord>,
  options?: ServerOptions<TRecord, TCtx, TParams>,
): NodeRpcHandler | ((options: ServerOptions<TRecord, TCtx, TParams>) => NodeRpcHandler) {
  return createCoreHandler(contract, options, serveOnNode);
}

function serveOnNode(core: RpcCore): NodeRpcHandler {
  // ws reads frames up to this size; larger ones are refused by the core
  // with its own reason, as on Deno, which drops frames over 64 MiB itself.
  const maxPayload = Math.max(64 * 1024 * 1024, core.limits.maxMessageSize + 1);
  const server = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload });

  const handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Uint8Array): void => {
    // A client that leaves while the context is made must not crash the process.
    socket.on("error", () => {});
    let decided;
    try {
      decided = core.decide(toRequest(request), connectionInfo(request));
    } catch {
      return reject(socket, { status: 400, body: "400 Bad request\n", headers: {} });
    }
    Promise.resolve(decided).then((decision) => {
      if (!isAdmitted(decision)) return reject(socket, decision);
      if (socket.destroyed) return decision.abandon();
      // ws destroys a socket that left, or sent a bad handshake, without calling back.
      const abandon = () => decision.abandon();
      socket.once("close", abandon);
      server.handleUpgrade(request, socket, head as Buffer, (ws) => {
        socket.off("close", abandon);
        new NodeSocket(ws, core.limits.maxMessageSize).serve(decision);
      });
    });
  };

  const handleConnection = (ws: NodeWebSocket, request: IncomingMessage): void => {
    const socket = new NodeSocket(ws, core.limits.maxMessageSize);
    let decided;
    try {
      decided = core.decide(toRequest(request), connectionInfo(request));
    } catch {
      return socket.refuse({
        status: 400,
        body: "400 Bad request\n",
        headers: {},
        close: CloseCode.BadConnectionParams,
      });
    }
    Promise.resolve(decided).then((decision) =>
      isAdmitted(decision) ? socket.serve(decision) : socket.refuse(decision)
    );
  };

  return {
    handleUpgrade,
    handleConnection,
    get connections() {
      return core.connections;
    },
    shutdown: core.shutdown,
  };
}

/**
 * A `ws` socket, as the core's seam. `ws` does not ping by itself: the core
 * does, through `ping` and `terminate`.
 */
/** A Node stream that can hold writes back: `net.Socket`. */
interface Corkable {
  cork(): void;
  uncork(): void;
}

class NodeSocket implements ServerSocket {
  readonly #ws: NodeWebSocket;
  #events: SocketEvents | undefined;
  /** Frames that came before the core took the socket over, and their size. */
  #held: unknown[] | undefined = [];
  #heldBytes = 0;
  readonly #maxHeldBytes: number;
  #closed = false;
  #corked = false;

  constructor(ws: NodeWebSocket, maxHeldBytes: number) {
    this.#ws = ws;
    this.#maxHeldBytes = maxHeldBytes;
    ws.on("message", (data, isBinary) => {
      const frame = isBinary ? data : data.toString();
      if (this.#events !== undefined) this.#events.message(frame);
      else this.#hold(frame);
    });
    ws.on("pong", () => this.#events?.alive());
    ws.on("close", () => {
      this.#closed = true;
      this.#events?.closed();
    });
    ws.on("error", () => {});
  }

  /** Hands the socket over to the core, with the frames that waited. */
  serve(admitted: Admitted): void {
    if (this.#closed) return admitted.abandon();
    const events = admitted.open(this);
    this.#events = events;
    for (const frame of this.#held?.splice(0) ?? []) events.message(frame);
    this.#held = undefined;
  }

  /** Closes a socket the core refused, with the close code that says what its HTTP answer would. */
  refuse({ body, close }: HttpAnswer): void {
    this.#held = undefined;
    const reason = body.trim().replace(/^\d{3} /, "");
    this.#ws.close(close ?? CloseCode.PolicyViolation, fitReason(reason));
  }

  send(text: string): void {
    this.#cork();
    this.#ws.send(text);
  }

  /**
   * Holds this tick's frames in the TCP socket and writes them with one
   * system call once the tick's code has run, and the promises it settled
   * (`nextTick` runs when the microtasks are done): a fan-out sends each
   * socket several events at once, a stream one event per microtask, and a
   * write each would cost more than the rest of the delivery. Backpressure
   * still sees them: held frames count in `bufferedAmount`. (ws keeps the
   * socket as `_socket`; without it, each frame is written at once.)
   */
  #cork(): void {
    if (this.#corked) return;
    const socket = (this.#ws as { _socket?: Partial<Corkable> })._socket;
    if (typeof socket?.cork !== "function" || typeof socket.uncork !== "function") return;
    socket.cork();
    this.#corked = true;
    nextTick(() => {
      this.#corked = false;
      socket.uncork!();
    });
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  ping(): void {
    this.#ws.ping();
  }

  terminate(): void {
    this.#ws.terminate();
  }

  #hold(frame: unknown): void {
    if (this.#held === undefined) return;
    this.#heldBytes += typeof frame === "string" ? frame.length : 0;
    if (this.#heldBytes > this.#maxHeldBytes) {
      this.#held = undefined;
      this.#ws.close(CloseCode.TooManyRequests, "Too much was sent before the handshake ended");
      return;
    }
    this.#held.push(frame);
  }
}

/** A close reason cut to the 123 bytes a close frame holds. */
function fitReason(reason: string): string {
  const encoder = new TextEncoder();
  let cut = reason;
  while (encoder.encode(cut).length > 123) cut = cut.slice(0, -1);
  return cut;
}

/** The upgrade request as a web `Request`, for `context`, `origins` and `clientIp`. */
function toRequest(request: IncomingMessage): Request {
  const scheme = "encrypted" in request.socket && request.socket.encrypted ? "https" : "http";
  const headers = new Headers();
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    headers.append(request.rawHeaders[i]!, request.rawHeaders[i + 1]!);
  }
  return new Request(`${scheme}://${request.headers.host ?? "localhost"}${request.url ?? "/"}`, {
    headers,
  });
}

/** Where the request comes from; an IPv4 address as Deno gives it, not IPv4-mapped IPv6. */
function connectionInfo(request: IncomingMessage): ConnectionInfo | undefined {
  const { remoteAddress, remotePort } = request.socket;
  if (remoteAddress === undefined || remotePort === undefined) return undefined;
  const hostname = remoteAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  return { remoteAddr: { transport: "tcp", hostname, port: remotePort } };
}

/** Answers an upgrade request with a plain HTTP response, and closes the socket. */
function reject(socket: Duplex, { status, body, headers }: HttpAnswer): void {
  if (socket.destroyed) return;
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}`,
    "connection: close",
    "content-type: text/plain; charset=utf-8",
    `content-length: ${new TextEncoder().encode(body).length}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.once("finish", () => socket.destroy());
  socket.end(`${lines.join("\r\n")}\r\n\r\n${body}`);
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  426: "Upgrade Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};
