/**
 * One upgraded socket, from the handshake to the close: checks each frame's
 * kind and size, holds the connection back until its context is made, and
 * cleans up once, however it ends.
 *
 * @module
 */

import { CloseCode } from "../shared/close_codes.ts";
import type { Release } from "./admission.ts";
import { Connection, type ConnectionConfig, type Outlet } from "./connection.ts";
import { exceedsBytes } from "../shared/utf8.ts";
import type { Deadlines } from "../shared/deadlines.ts";
import { Handshake, type HandshakeSetup } from "./handshake.ts";
import { SendBuffer } from "./send_buffer.ts";

/** How a session gets its context: made already, or by a first-frame handshake. */
export type SessionStart = { ctx: unknown } | { handshake: HandshakeSetup };

/** What a session needs. */
export interface SessionOptions {
  /** What every connection shares. */
  config: ConnectionConfig;
  /** The context, or how to make it. */
  start: SessionStart;
  /** Gives back the connection's slot. */
  release: Release;
  /** Abandons sessions whose socket never opens: see {@linkcode Session.abandon}. */
  opening: Deadlines<Session>;
  /** Called once the socket has closed. */
  onClosed: (session: Session) => void;
}

/** Close reasons are limited to 123 bytes of UTF-8. */
const MAX_REASON_BYTES = 123;

/** The server side of one WebSocket. */
export class Session implements Outlet {
  readonly #socket: WebSocket;
  readonly #options: SessionOptions;
  readonly #buffer: SendBuffer;
  #handshake: Handshake | undefined;
  #connection: Connection | undefined;
  #ended = false;
  #closed = false;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Takes over a socket just returned by `Deno.upgradeWebSocket`.
   *
   * @param socket The socket.
   * @param options The shared config, how to get the context, and the cleanup hooks.
   */
  constructor(socket: WebSocket, options: SessionOptions) {
    this.#socket = socket;
    this.#options = options;
    const { limits } = options.config;
    this.#buffer = new SendBuffer(
      socket,
      limits,
      (reason) => this.close(CloseCode.SlowConsumer, reason),
    );
    const { start } = options;
    if ("ctx" in start) this.#connection = this.#connect(start.ctx);
    else {
      this.#handshake = new Handshake(start.handshake, {
        ready: (ctx, held) => {
          this.#handshake = undefined;
          const connection = this.#connect(ctx);
          this.#connection = connection;
          for (const text of held) connection.receive(text);
        },
        refuse: (code, reason) => this.close(code, reason),
      });
    }
    options.opening.set(this, limits.handshakeTimeout);
    socket.onopen = () => options.opening.delete(this);
    socket.onmessage = (event: MessageEvent) => this.#receive(event.data);
    socket.onclose = () => this.#end();
    socket.onerror = () => {};
  }

  /**
   * Gives up on a socket that has not opened in time: a client that leaves
   * during the upgrade leaves a socket that never opens and never closes
   * (Deno sends no event), and its slot must be freed.
   */
  abandon(): void {
    this.#end();
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
    const closed = new Promise<void>((resolve) => {
      if (this.#socket.readyState === WebSocket.CLOSED) return resolve();
      this.#socket.addEventListener("close", () => resolve(), { once: true });
    });
    this.#stop();
    if (this.#socket.readyState < WebSocket.CLOSING && this.#closeTimer === undefined) {
      // Closing from inside a message event, with more frames already read,
      // makes Deno end the TCP connection without the close frame; a
      // moment later it sends it.
      this.#closeTimer = setTimeout(() => this.#closeSocket(code, fitReason(reason)), 0);
    }
    return closed;
  }

  #closeSocket(code: number, reason: string): void {
    const socket = this.#socket;
    // Deno ignores a close before the socket has opened.
    if (socket.readyState === WebSocket.CONNECTING) {
      socket.addEventListener("open", () => socket.close(code, reason), { once: true });
    } else if (socket.readyState === WebSocket.OPEN) socket.close(code, reason);
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

  #connect(ctx: unknown): Connection {
    // The session is the connection's outlet: no extra object per connection.
    return new Connection(this, ctx, this.#options.config);
  }

  #receive(data: unknown): void {
    if (this.#ended) return;
    if (typeof data !== "string") {
      void this.close(CloseCode.UnsupportedData, "wsrpc accepts text frames only");
      return;
    }
    const { maxMessageSize } = this.#options.config.limits;
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

  /** Stops the handshake, the connection's work and the send buffer; once. */
  #stop(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#handshake?.dispose();
    this.#connection?.dispose();
    this.#buffer.dispose();
  }

  #end(): void {
    // Deno may report a close twice.
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#closeTimer);
    this.#options.opening.delete(this);
    this.#stop();
    this.#options.release();
    this.#options.onClosed(this);
  }
}

/** A close reason that fits in a close frame: cut, with an ellipsis, if too long. */
function fitReason(reason: string): string {
  if (!exceedsBytes(reason, MAX_REASON_BYTES)) return reason;
  let cut = reason.slice(0, MAX_REASON_BYTES - 3);
  while (exceedsBytes(`${cut}…`, MAX_REASON_BYTES)) cut = cut.slice(0, -1);
  return `${cut}…`;
}
