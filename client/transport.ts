/**
 * The client's WebSocket: opens on first use, holds frames until it is open,
 * and reports what it receives and when it closes.
 *
 * @module
 */

import { ErrorCode, RpcError } from "../shared/errors.ts";

/** A `WebSocket` constructor, such as the global one. */
export type WebSocketConstructor = new (
  url: string | URL,
  protocols?: string | string[],
) => WebSocket;

/** What the transport reports to its owner. */
export interface TransportEvents {
  /** A text frame arrived. */
  message(text: string): void;
  /** The socket closed, or failed to open. */
  close(code: number, reason: string): void;
}

/** One WebSocket connection to the server. */
export class Transport {
  readonly #url: string | URL;
  readonly #events: TransportEvents;
  readonly #WebSocket: WebSocketConstructor;
  #socket: WebSocket | undefined;
  #queue: string[] = [];
  #closed = false;

  /**
   * @param url The server's `ws:` or `wss:` URL.
   * @param events Where frames and the close go.
   * @param WebSocketImpl The `WebSocket` constructor to use.
   */
  constructor(url: string | URL, events: TransportEvents, WebSocketImpl: WebSocketConstructor) {
    this.#url = url;
    this.#events = events;
    this.#WebSocket = WebSocketImpl;
  }

  /** Sends a frame now, or once the socket is open. */
  send(text: string): void {
    const socket = this.#socket ?? this.#connect();
    if (socket.readyState === WebSocket.OPEN) socket.send(text);
    else this.#queue.push(text);
  }

  /** Closes the socket for good. */
  close(): void {
    this.#closed = true;
    this.#queue = [];
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, "Client closed");
  }

  #connect(): WebSocket {
    if (this.#closed) throw new RpcError(ErrorCode.ConnectionLost, "The client is closed");
    const socket = new this.#WebSocket(this.#url);
    this.#socket = socket;
    socket.onopen = () => {
      const queued = this.#queue;
      this.#queue = [];
      for (const text of queued) socket.send(text);
    };
    socket.onmessage = (event: MessageEvent) => {
      if (typeof event.data === "string") this.#events.message(event.data);
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.#socket === socket) this.#socket = undefined;
      this.#queue = [];
      this.#events.close(event.code, event.reason);
    };
    // A failed connect is followed by a close event, which reports it.
    socket.onerror = () => {};
    return socket;
  }
}
