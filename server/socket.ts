/**
 * The runtime seam: what the server core needs from a runtime's WebSocket,
 * and what it tells the runtime's adapter. An adapter (server/deno.ts,
 * server/node.ts, server/bun.ts) turns an upgrade request into a
 * {@linkcode ConnectionInfo} for the core, asks the core whether to upgrade,
 * and once its socket is open wraps it as a {@linkcode ServerSocket} and
 * reports what happens to it through the {@linkcode SocketEvents} it gets
 * back. Every quirk of a runtime stays in its adapter.
 *
 * @module
 */

/**
 * Where a connection comes from: an IP address and port, a Unix socket, or
 * a VSOCK peer. The shapes are those of `Deno.Addr`, so the `info` that
 * `Deno.serve` passes is a {@linkcode ConnectionInfo} as it is.
 *
 * @example The client's IP address, if it has one
 * ```ts
 * import type { RemoteAddr } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * const ip = (address: RemoteAddr) => "hostname" in address ? address.hostname : undefined;
 * assert.equal(ip({ transport: "tcp", hostname: "192.0.2.1", port: 50_000 }), "192.0.2.1");
 * assert.equal(ip({ transport: "unix", path: "/run/app.sock" }), undefined);
 * ```
 */
export type RemoteAddr =
  | { readonly transport: "tcp" | "udp"; readonly hostname: string; readonly port: number }
  | { readonly transport: "unix" | "unixpacket"; readonly path: string }
  | { readonly transport: "vsock"; readonly cid: number; readonly port: number };

/**
 * What the runtime knows of a connection beside its upgrade request: on
 * Deno, the `info` of `Deno.serve`; on Node, the request's socket; on Bun,
 * `server.requestIP(request)`.
 *
 * @example Read the address in `context`
 * ```ts
 * import type { ConnectionInfo } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * const info: ConnectionInfo = {
 *   remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 50_000 },
 * };
 * assert.equal(info.remoteAddr.transport, "tcp");
 * ```
 */
export interface ConnectionInfo {
  /** The address the connection comes from. */
  readonly remoteAddr: RemoteAddr;
}

/**
 * The server's side of one open WebSocket, as the core uses it. The core
 * calls `send` only while the socket is open, and `close` at most once.
 */
export interface ServerSocket {
  /** Sends a text frame. */
  send(text: string): void;
  /**
   * Starts the closing handshake.
   *
   * @param code The close code.
   * @param reason Why, at most 123 bytes of UTF-8.
   */
  close(code: number, reason: string): void;
  /**
   * Bytes handed to `send` that have not been written to the network yet:
   * it grows when the peer stops reading. The core pauses subscriptions
   * above `limits.sendBufferHighWater`, and gives up on the peer above
   * `limits.sendBufferMax`.
   */
  readonly bufferedAmount: number;
  /**
   * The liveness check, for a runtime that does not check by itself (Node's
   * `ws`): sends a WebSocket ping, whose pong the adapter reports as
   * {@linkcode SocketEvents.alive}. Leave it out where the runtime pings
   * silent peers and drops dead ones itself (Deno's and Bun's `idleTimeout`).
   */
  ping?(): void;
  /**
   * Drops the connection at once, without a closing handshake: for a peer
   * that stopped answering pings, which would never complete one. Used only
   * with `ping`.
   */
  terminate?(): void;
}

/** What an adapter reports about its socket, once the core has taken it over. */
export interface SocketEvents {
  /**
   * A frame arrived: a `string` for a text frame, anything else for a
   * binary one (which the core refuses with 1003).
   */
  message(data: unknown): void;
  /** A pong, or anything else that shows the peer is there. */
  alive(): void;
  /** The runtime's send buffer has emptied (Bun's `drain`): subscriptions may go on at once. */
  drained(): void;
  /** The socket has closed. Report it once. */
  closed(): void;
}

/**
 * A connection the core has admitted: the adapter upgrades the request, and
 * hands over the socket once it is open.
 */
export interface Admitted {
  /**
   * Seconds of silence after which a dead peer is dropped: the runtime's own
   * `idleTimeout`, or the core's pings when the socket has `ping`. 0 for none.
   */
  readonly idleTimeout: number;
  /**
   * Milliseconds within which the socket must open; the adapter calls
   * `abandon` after that (a client that leaves mid-upgrade may leave a
   * socket that never opens and never closes).
   */
  readonly openTimeout: number;
  /** What to answer if the request can't be upgraded after all. */
  readonly unupgradable: HttpAnswer;
  /**
   * The socket is open: the core takes it over.
   *
   * @param socket The socket, wrapped.
   * @returns Where the adapter reports what happens to it.
   */
  open(socket: ServerSocket): SocketEvents;
  /** The upgrade failed, or the socket never opened: gives back the connection's slot. */
  abandon(): void;
}

/** An HTTP answer to an upgrade request that is not upgraded: a refusal, or a 426. */
export interface HttpAnswer {
  /** The status code. */
  readonly status: number;
  /** The plain-text body, ending in a newline. */
  readonly body: string;
  /** Extra headers, such as `retry-after`. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The close code that says the same on a socket that is already upgraded
   * (a Node `ws` server's `connection`), for a refusal; none for an answer
   * that only comes before an upgrade, such as the 426.
   */
  readonly close?: number;
}

/** The core's decision on an upgrade request. */
export type Decision = Admitted | HttpAnswer;

/**
 * Whether a decision is to upgrade.
 *
 * @param decision What the core decided.
 * @returns `true` for an admitted connection.
 */
export function isAdmitted(decision: Decision): decision is Admitted {
  return "open" in decision;
}
