/**
 * The client's WebSocket, kept alive: it connects on demand, reconnects with
 * backoff after a drop, notices a silent server, and reports its state.
 *
 * @module
 */

import { CloseCode } from "../shared/close_codes.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import { backoffDelay, type ReconnectOptions } from "./backoff.ts";
import { unrefTimer } from "../shared/unref.ts";

/**
 * A `WebSocket` constructor, such as the global one.
 *
 * @example Count the sockets a client opens, in a test
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createClient, type WebSocketConstructor } from "@wsrpc/core/client";
 * import assert from "node:assert/strict";
 *
 * let opened = 0;
 * const Counting: WebSocketConstructor = class extends WebSocket {
 *   constructor(url: string | URL, protocols?: string | string[]) {
 *     super(url, protocols);
 *     opened++;
 *   }
 * };
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const client = createClient(api, { url: "ws://localhost:8000/rpc", WebSocket: Counting });
 * client.close();
 * assert.equal(opened, 0); // closed before any call: no socket was ever opened
 * ```
 */
export type WebSocketConstructor = new (
  url: string | URL,
  protocols?: string | string[],
) => WebSocket;

/**
 * Where the connection stands:
 * - `idle`: not connected, and will connect on the next call;
 * - `connecting`: opening for the first time;
 * - `open`: connected;
 * - `reconnecting`: the connection dropped, and the client is waiting or trying again;
 * - `closed`: closed for good, by `close()`, a refusal, or too many failed attempts.
 *
 * @example Show the connection in a status bar
 * ```ts
 * import type { ConnectionState } from "@wsrpc/core/client";
 * import assert from "node:assert/strict";
 *
 * function label(state: ConnectionState): string {
 *   if (state === "closed") return "Offline";
 *   if (state === "connecting" || state === "reconnecting") return "Connecting…";
 *   return "Online"; // "open", or "idle": it connects on the next call
 * }
 * assert.equal(label("reconnecting"), "Connecting…");
 * // With a client: client.connection.onStateChange((state) => render(label(state)));
 * ```
 */
export type ConnectionState = "idle" | "connecting" | "open" | "reconnecting" | "closed";

/**
 * How the client notices a server that has gone silent.
 *
 * @example Notice a dead server within about ten seconds
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createClient, type HeartbeatOptions } from "@wsrpc/core/client";
 *
 * // Ping after 5 s of silence; reconnect if nothing comes 5 s later.
 * const heartbeat: HeartbeatOptions = { interval: 5_000, timeout: 5_000 };
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const client = createClient(api, { url: "ws://localhost:8000/rpc", heartbeat });
 * client.close();
 * ```
 */
export interface HeartbeatOptions {
  /** After this many ms without a frame from the server, send a ping. Defaults to 15,000. */
  interval?: number;
  /**
   * If nothing arrives this many ms after the ping, reconnect. A connection
   * attempt that hasn't opened after this long (handshake and
   * `connectionParams` together) is abandoned and tried again too.
   * Defaults to 10,000.
   */
  timeout?: number;
}

/**
 * Where the client connects: one URL, a list to fail over along, or a
 * function asked before each attempt.
 *
 * @example Fail over between two instances
 * ```ts
 * import type { ServerUrl } from "@wsrpc/core/client";
 *
 * const url: ServerUrl = ["wss://a.example.com/rpc", "wss://b.example.com/rpc"];
 * const nearest: ServerUrl = (attempt) =>
 *   attempt < 3 ? "wss://eu.example.com/rpc" : "wss://us.example.com/rpc";
 * ```
 */
export type ServerUrl =
  | string
  | URL
  | readonly (string | URL)[]
  | ((attempt: number) => string | URL);

/** What the transport needs to know. */
export interface TransportOptions {
  /** The server's URL, a list to fail over along, or a function asked before each attempt. */
  url: ServerUrl;
  /** The `WebSocket` constructor. */
  WebSocket: WebSocketConstructor;
  /** Reconnect settings, or `false` to never reconnect. */
  reconnect: ReconnectOptions | false;
  /** Heartbeat settings, or `false` for none. */
  heartbeat: HeartbeatOptions | false;
  /** Makes the first frame of every connection, if there is one. */
  hello?: () => Promise<string>;
  /** Random numbers in [0, 1), for jitter. */
  random?: () => number;
}

/** What the transport tells its owner. */
export interface TransportEvents {
  /** The connection is open and ready: resend what is waiting. */
  open(): void;
  /** A text frame arrived. */
  message(text: string): void;
  /** An open connection dropped; a reconnect follows. */
  lost(): void;
  /** The transport is closed for good. */
  closed(error: RpcError): void;
}

/** Close codes after which reconnecting would only be refused again. */
const FINAL_CLOSE_CODES: ReadonlyMap<number, number> = new Map([
  [CloseCode.UnsupportedData, ErrorCode.InvalidRequest],
  [CloseCode.PolicyViolation, ErrorCode.Forbidden],
  [CloseCode.BadConnectionParams, ErrorCode.InvalidParams],
  [CloseCode.Unauthorized, ErrorCode.Unauthorized],
  [CloseCode.Forbidden, ErrorCode.Forbidden],
]);

/** Where the backoff starts after the server says "too many" or "try again later". */
const SLOW_DOWN_ATTEMPTS = 4;

const PING = JSON.stringify({ jsonrpc: "2.0", id: "wsrpc:ping", method: "rpc.ping" });

/** One logical connection to the server, made of as many sockets as it takes. */
export class Transport {
  readonly #options: TransportOptions;
  readonly #events: TransportEvents;
  readonly #listeners = new Set<(state: ConnectionState) => void>();
  #state: ConnectionState = "idle";
  #socket: WebSocket | undefined;
  #sendable = false;
  #attempts = 0;
  #everOpened = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  #openTimer: ReturnType<typeof setTimeout> | undefined;
  #lastHeard = 0;
  #pinged = false;
  /** Where the list of URLs stands: moved on after each failed or dropped connection. */
  #urlIndex = 0;

  /**
   * @param options Where and how to connect.
   * @param events Where frames and changes go.
   */
  constructor(options: TransportOptions, events: TransportEvents) {
    this.#options = options;
    this.#events = events;
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /**
   * Listens to state changes.
   *
   * @returns A function that stops listening.
   */
  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts connecting, if not connected or connecting already. */
  connect(): void {
    if (this.#state === "idle") this.#attempt();
  }

  /**
   * Sends a frame if the connection is open and the server hasn't asked the
   * client to move; otherwise starts connecting if idle.
   *
   * @returns Whether the frame was sent. If not, the caller keeps it for `open`.
   */
  send(text: string): boolean {
    if (this.#sendable) {
      this.#socket?.send(text);
      return true;
    }
    this.connect();
    return false;
  }

  /**
   * The server is going away: send nothing more on this socket, and
   * reconnect once it closes.
   */
  drain(): void {
    this.#sendable = false;
  }

  /** Closes the socket because nothing is using it; the next call reconnects. */
  suspend(): void {
    if (this.#state !== "open") return;
    this.#dropSocket(CloseCode.Normal, "Idle");
    // Nothing dropped: the next call connects afresh, not as a reconnect.
    this.#everOpened = false;
    this.#setState("idle");
  }

  /** Closes for good. */
  close(): void {
    if (this.#state === "closed") return;
    clearTimeout(this.#retryTimer);
    this.#dropSocket(CloseCode.Normal, "Client closed");
    this.#setState("closed");
  }

  #attempt(): void {
    this.#retryTimer = undefined;
    // "connecting" only for the very first attempt; every retry after a failure or a drop is "reconnecting".
    this.#setState(this.#everOpened || this.#attempts > 0 ? "reconnecting" : "connecting");
    let socket: WebSocket;
    let url: string | URL = "";
    try {
      url = this.#url();
      socket = new this.#options.WebSocket(url);
    } catch (cause) {
      this.#finish(new RpcError(ErrorCode.ConnectionLost, `Can't connect to ${url}`, { cause }));
      return;
    }
    this.#socket = socket;
    const { heartbeat } = this.#options;
    if (heartbeat !== false) {
      // A handshake that gets no answer is as dead as a silent connection.
      this.#openTimer = setTimeout(() => {
        if (this.#socket !== socket) return;
        this.#dropSocket(CloseCode.HeartbeatTimeout, "The server did not answer");
        this.#retry();
      }, heartbeat.timeout ?? 10_000);
    }
    socket.onmessage = (event: MessageEvent) => {
      this.#lastHeard = Date.now();
      this.#pinged = false;
      if (typeof event.data === "string") this.#events.message(event.data);
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.#socket === socket) this.#dropped(event.code, event.reason);
    };
    // A failed connect is followed by a close event, which reports it.
    socket.onerror = () => {};
    socket.onopen = async () => {
      if (this.#options.hello) {
        let hello: string;
        try {
          hello = await this.#options.hello();
        } catch {
          // The user's connectionParams failed: count it as a failed attempt.
          if (this.#socket === socket) this.#dropSocket(CloseCode.Normal, "No connection params");
          if (this.#state !== "closed") this.#retry();
          return;
        }
        if (this.#socket !== socket || socket.readyState !== WebSocket.OPEN) return;
        socket.send(hello);
      }
      clearTimeout(this.#openTimer);
      this.#attempts = 0;
      this.#everOpened = true;
      this.#sendable = true;
      this.#startHeartbeat();
      this.#setState("open");
      this.#events.open();
    };
  }

  /** The URL for this attempt. */
  #url(): string | URL {
    const { url } = this.#options;
    if (typeof url === "function") return url(this.#attempts);
    if (typeof url === "string" || url instanceof URL) return url;
    if (url.length === 0) throw new TypeError("The list of server URLs is empty");
    return url[this.#urlIndex % url.length]!;
  }

  #dropped(code: number, reason: string): void {
    const wasOpen = this.#sendable || this.#state === "open";
    this.#socket = undefined;
    this.#sendable = false;
    this.#stopHeartbeat();
    const finalCode = FINAL_CLOSE_CODES.get(code);
    if (finalCode !== undefined) {
      this.#finish(new RpcError(finalCode, reason || `The server closed the connection (${code})`));
      return;
    }
    if (wasOpen) this.#events.lost();
    // Told to slow down: start the backoff further along, as if a few attempts had failed.
    const { reconnect } = this.#options;
    if (reconnect && (code === CloseCode.TooManyRequests || code === CloseCode.TryAgainLater)) {
      const limit = (reconnect.maxAttempts ?? Infinity) - 1;
      this.#attempts = Math.max(this.#attempts, Math.min(SLOW_DOWN_ATTEMPTS, limit));
    }
    if (this.#state !== "closed") this.#retry();
  }

  #retry(): void {
    const { reconnect } = this.#options;
    if (reconnect === false) {
      this.#finish(new RpcError(ErrorCode.ConnectionLost, "The connection closed"));
      return;
    }
    const maxAttempts = reconnect.maxAttempts ?? Infinity;
    if (this.#attempts >= maxAttempts) {
      this.#finish(
        new RpcError(
          ErrorCode.ConnectionLost,
          `Gave up reconnecting after ${this.#attempts} attempts`,
        ),
      );
      return;
    }
    const delay = backoffDelay(this.#attempts, reconnect, this.#options.random);
    this.#attempts++;
    this.#urlIndex++; // with a list, the next attempt tries the next instance
    this.#setState("reconnecting");
    this.#retryTimer = setTimeout(() => this.#attempt(), delay);
  }

  #finish(error: RpcError): void {
    this.#dropSocket(CloseCode.Normal, "Client closed");
    this.#setState("closed");
    this.#events.closed(error);
  }

  /** Forgets the current socket, closing it without waiting for its close event. */
  #dropSocket(code: number, reason: string): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#sendable = false;
    this.#stopHeartbeat();
    if (socket === undefined) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    if (socket.readyState <= WebSocket.OPEN) {
      try {
        socket.close(code, reason);
      } catch {
        // Already closing.
      }
    }
  }

  #startHeartbeat(): void {
    const { heartbeat } = this.#options;
    if (heartbeat === false) return;
    const interval = heartbeat.interval ?? 15_000;
    const timeout = heartbeat.timeout ?? 10_000;
    this.#lastHeard = Date.now();
    this.#pinged = false;
    this.#heartbeatTimer = setInterval(() => {
      const silence = Date.now() - this.#lastHeard;
      if (silence >= interval + timeout) {
        // Half-open: the socket looks fine but nothing comes through.
        this.#dropSocket(CloseCode.HeartbeatTimeout, "The server stopped answering");
        this.#events.lost();
        this.#retry();
      } else if (silence >= interval && !this.#pinged) {
        this.#pinged = true;
        this.#socket?.send(PING);
      }
    }, Math.max(25, Math.min(interval, timeout) / 4));
    // The heartbeat alone must not keep a Deno process alive.
    unrefTimer(this.#heartbeatTimer);
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
    clearTimeout(this.#openTimer);
    this.#openTimer = undefined;
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    for (const listener of [...this.#listeners]) listener(state);
  }
}
