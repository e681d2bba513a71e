/**
 * What the raw baselines do with a message, on any runtime: `JSON.parse`, one
 * reply per request with `JSON.stringify`, and the fan-out through a `Set` of
 * the subscribed sockets in this one process. Deno's (raw/server.ts), Node's
 * on `ws` (ws-node/) and Bun's (raw-bun/) differ only in how they get a
 * socket and its text.
 *
 * @module
 */

import type { RawNotification, RawReply, RawRequest } from "./wire.ts";

/** What the raw servers use of a socket: every runtime's has it. */
export interface TextSocket {
  send(text: string): unknown;
}

/** The raw server's state: the fan-out subscribers. */
export class RawDispatch<TSocket extends TextSocket> {
  /** The sockets subscribed to the fan-out topic. */
  readonly #subscribers = new Set<TSocket>();

  /** Handles one text frame from `socket`. */
  onMessage(socket: TSocket, text: string): void {
    const request = JSON.parse(text) as RawRequest;
    switch (request.method) {
      case "echo":
        reply(socket, request.id, request.params);
        return;
      case "events":
        // The send loop: N messages for one request.
        for (let i = 0; i < request.params.n; i++) socket.send(event(request.id, i));
        reply(socket, request.id, request.params.n);
        return;
      case "subscribe":
        this.#subscribers.add(socket);
        reply(socket, request.id, true);
        return;
      case "publish":
        for (let i = 0; i < request.params.count; i++) {
          const text = event(0, i);
          for (const subscriber of this.#subscribers) subscriber.send(text);
        }
        reply(socket, request.id, request.params.count);
        return;
    }
  }

  /** Forgets a socket that closed. */
  onClose(socket: TSocket): void {
    this.#subscribers.delete(socket);
  }
}

function reply(socket: TextSocket, id: number, result: unknown): void {
  const message: RawReply = { jsonrpc: "2.0", id, result };
  socket.send(JSON.stringify(message));
}

function event(sub: number, a: number): string {
  const message: RawNotification = {
    jsonrpc: "2.0",
    method: "event",
    params: { sub, data: { a, s: "hello" } },
  };
  return JSON.stringify(message);
}
