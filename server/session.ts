/**
 * One open socket, from the handshake to the close: checks each frame's
 * kind and size, holds the connection back until its context is made, and
 * cleans up once, however it ends. It knows the socket only through the
 * seam of server/socket.ts, so it is the same on every runtime.
 *
 * @module
 */

import { CloseCode } from "../shared/close_codes.ts";
import type { Slot } from "./admission.ts";
import { Connection, type ConnectionConfig, type Outlet } from "./connection.ts";
import { exceedsBytes } from "../shared/utf8.ts";
import { Handshake, type HandshakeSetup } from "./handshake.ts";
import type { Beating, Liveness } from "./liveness.ts";
import { SendBuffer } from "./send_buffer.ts";
import type { ServerSocket, SocketEvents } from "./socket.ts";

/** How a session gets its context: made already, or by a first-frame handshake. */
export type SessionStart = { ctx: unknown } | { handshake: HandshakeSetup };

/**
 * What the sessions of one server, on one kind of socket, share: one object
 * for all of them, since an idle connection's memory is what a server with
 * many of them pays for.
 */
export interface SessionShared {
  /** What every connection shares. */
  readonly config: ConnectionConfig;
  /** The server's pings, when the socket's runtime does not ping by itself. */
  readonly liveness: Liveness | undefined;
  /** The server's open sessions: each leaves it once its socket has closed. */
  readonly sessions: Set<Session>;
}

/** Close reasons are limited to 123 bytes of UTF-8. */
const MAX_REASON_BYTES = 123;

/** The server side of one WebSocket. */
export class Session implements Outlet, SocketEvents, Beating {
  readonly #socket: ServerSocket;
  readonly #shared: SessionShared;
  readonly #slot: Slot;
  readonly #buffer: SendBuffer;
  #handshake: Handshake | undefined;
  #connection: Connection | undefined;
  /** Stopped: the handshake, the connection's work and the send buffer. */
  #ended = false;
  #closing = false;
  #closed = false;
  #heard = true;
  #waiters: Array<() => void> | undefined;

  /**
   * Takes over a socket that has just opened.
   *
   * @param socket The socket, as its runtime's adapter wrapped it.
   * @param shared What every session of the server shares.
   * @param start The context, or how to make it.
   * @param slot The connection's slot, given back once the socket has closed.
   */
  constructor(
    socket: ServerSocket,
    shared: SessionShared,
    start: SessionStart,
    slot: Slot,
  ) {
    this.#socket = socket;
    this.#shared = shared;
    this.#slot = slot;
    const { limits } = shared.config;
    // The send buffer is disposed as soon as the session closes: it sends nothing after.
    this.#buffer = new SendBuffer(
      socket,
      limits,
      this,
    );
    if ("ctx" in start) this.#connection = this.#connect(start.ctx);
    else {
      this.#handshake = new Handshake(start.handshake, {
        ready: (ctx, held) => {
          this.#handshake = undefined;
          const connection = this.#connect(ctx);
          this.#connection = connection;
          for (const text of held) connection.receive(text);
        },
        refuse: (code, reason) => void this.close(code, reason),
      });
    }
    shared.liveness?.add(this);
  }

  /**
   * Starts a graceful shutdown: see `Connection.drain`.
   *
   * @returns A promise that settles once no call is running.
   */
  drain(): Promise<void> {
    return this.#connection?.drain() ?? Promise.resolve();
  }

  /**
   * Closes the socket and stops all work on it at once: the socket may take
   * a while to close (forever, if the peer stops reading), and nothing more
   * should be made for it meanwhile.
   *
   * @param code The close code.
   * @param reason Why, cut to what a close frame can carry.
   * @returns A promise that settles once the socket has closed.
   */
  close(code: number, reason: string): Promise<void> {
    this.#stop();
    if (this.#closed) return Promise.resolve();
    const closed = new Promise<void>((resolve) => (this.#waiters ??= []).push(resolve));
    if (!this.#closing) {
      this.#closing = true;
      this.#socket.close(code, fitReason(reason));
    }
    return closed;
  }

  /** Sends a frame through the send buffer, if the socket is still open. */
  send(text: string): void {
    this.#buffer.send(text);
  }

  /** Whether the peer is too far behind for subscriptions to send more now. */
  get congested(): boolean {
    return this.#buffer.congested;
  }

  /** Resolves once the peer has caught up, or `signal` fires. */
  whenDrained(signal: AbortSignal): Promise<void> {
    return this.#buffer.whenDrained(signal);
  }

  /** @internal A frame arrived. */
  message(data: unknown): void {
    this.#heard = true;
    if (this.#ended) return;
    if (typeof data !== "string") {
      void this.close(CloseCode.UnsupportedData, "wsrpc accepts text frames only");
      return;
    }
    const { maxMessageSize } = this.#shared.config.limits;
    if (exceedsBytes(data, maxMessageSize)) {
      void this.close(
        CloseCode.MessageTooBig,
        `A message may be at most ${maxMessageSize} bytes`,
      );
      return;
    }
    if (this.#connection !== undefined) this.#connection.receive(data);
    else this.#handshake?.receive(data);
  }

  /** @internal The peer answered a ping. */
  alive(): void {
    this.#heard = true;
  }

  /** @internal The socket's send buffer emptied. */
  drained(): void {
    this.#buffer.recheck();
  }

  /** @internal Pings the peer, or drops it if it was silent since the last ping. */
  beat(): void {
    if (this.#heard) {
      this.#heard = false;
      this.#socket.ping?.();
      return;
    }
    this.#stop();
    if (this.#socket.terminate) this.#socket.terminate();
    else if (!this.#closing) {
      this.#closing = true;
      this.#socket.close(CloseCode.GoingAway, "The client stopped answering pings");
    }
  }

  /** @internal The socket has closed. */
  closed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop();
    this.#shared.liveness?.delete(this);
    this.#slot.release();
    this.#shared.sessions.delete(this);
    for (const resolve of this.#waiters?.splice(0) ?? []) resolve();
  }

  #connect(ctx: unknown): Connection {
    // The session is the connection's outlet: no extra object per connection.
    return new Connection(this, ctx, this.#shared.config);
  }

  /** Stops the handshake, the connection's work and the send buffer; once. */
  #stop(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#handshake?.dispose();
    this.#connection?.dispose();
    this.#buffer.dispose();
  }
}

/** A close reason that fits in a close frame: cut, with an ellipsis, if too long. */
function fitReason(reason: string): string {
  if (!exceedsBytes(reason, MAX_REASON_BYTES)) return reason;
  let cut = reason.slice(0, MAX_REASON_BYTES - 3);
  while (exceedsBytes(`${cut}…`, MAX_REASON_BYTES)) cut = cut.slice(0, -1);
  return `${cut}…`;
}
