/**
 * Test helpers: a real server on 127.0.0.1 port 0, and a raw WebSocket that
 * speaks JSON frames.
 *
 * @module
 */

import type { RpcHandler } from "../server/mod.ts";

/** A running test server. */
export interface TestServer extends AsyncDisposable {
  /** The port it listens on. */
  port: number;
  /** The WebSocket URL of the RPC endpoint. */
  url: string;
  /** The HTTP URL of the server's root. */
  httpUrl: string;
  /** Stops the server and waits for it. */
  close(): Promise<void>;
}

/**
 * Serves an RPC handler at `/rpc` on a free port of 127.0.0.1, or on a
 * given port (to restart a server where its clients expect it).
 *
 * @param rpc The handler from `createHandler`.
 * @param options The port to listen on; 0 (the default) for a free one.
 * @returns The server, to be closed at the end of the test.
 */
export function serve(rpc: RpcHandler, options: { port?: number } = {}): TestServer {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: options.port ?? 0, onListen: () => {} },
    (request, info) =>
      new URL(request.url).pathname === "/rpc"
        ? rpc(request, info)
        : new Response("Not found", { status: 404 }),
  );
  const { port } = server.addr;
  const close = async () => {
    await server.shutdown();
  };
  return {
    port,
    url: `ws://127.0.0.1:${port}/rpc`,
    httpUrl: `http://127.0.0.1:${port}/`,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A WebSocket that sends and reads raw JSON-RPC frames. */
export class RawSocket implements AsyncDisposable {
  readonly socket: WebSocket;
  readonly #inbox: unknown[] = [];
  #wake: (() => void) | undefined;
  readonly closed: Promise<CloseEvent>;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.onmessage = (event) => {
      this.#inbox.push(typeof event.data === "string" ? JSON.parse(event.data) : event.data);
      this.#wake?.();
    };
    this.closed = new Promise((resolve) => {
      socket.addEventListener("close", (event) => {
        resolve(event);
        this.#wake?.();
      });
    });
  }

  /** Opens a socket (with extra handshake headers, if given) and waits until it is open. */
  static async open(url: string, headers?: HeadersInit): Promise<RawSocket> {
    const socket = new WebSocket(url, headers === undefined ? undefined : { headers });
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error(`Could not connect to ${url}`));
    });
    return new RawSocket(socket);
  }

  /** Sends a value as JSON, or a string as it is. */
  send(frame: unknown): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The next frame from the server, parsed. Fails after `timeout` ms. */
  async next(timeout = 2000): Promise<unknown> {
    const deadline = Date.now() + timeout;
    while (this.#inbox.length === 0) {
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error("The socket closed");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("No frame arrived in time");
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
      this.#wake = undefined;
    }
    return this.#inbox.shift();
  }

  /** Sends a frame and returns the next frame received. */
  async request(frame: unknown): Promise<unknown> {
    this.send(frame);
    return await this.next();
  }

  /** Throws away every frame that arrives until none has come for `quiet` ms. */
  async drain(quiet = 50): Promise<void> {
    while (true) {
      try {
        await this.next(quiet);
      } catch {
        return;
      }
    }
  }

  /** Asserts that nothing arrives within `ms` milliseconds. */
  async expectSilence(ms = 100): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (this.#inbox.length > 0) {
      throw new Error(`Expected no frame, got ${JSON.stringify(this.#inbox[0])}`);
    }
  }

  /** Closes the socket and waits for the close. */
  async close(): Promise<void> {
    if (this.socket.readyState < WebSocket.CLOSING) this.socket.close();
    await this.closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
