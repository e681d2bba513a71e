/**
 * The client's WebSocket, kept alive: it connects on demand, reconnects with
 * backoff after a drop, notices a silent server, and reports its state.
 *
 * @module
 */

import {
  CLOSE_NORMAL,
  CLOSE_TOO_MANY_REQUESTS,
  CLOSE_TRY_AGAIN_LATER,
} from "../shared/close_codes.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import { type AttemptEnd, ConnectionAttempt } from "./attempt.ts";
import { backoffDelay, type ReconnectOptions } from "./backoff.ts";
import { pickServerUrl, type ServerUrl } from "./server_url.ts";

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
) => ClientWebSocket;

/**
 * An event handler property of a {@linkcode ClientWebSocket}, or `null`.
 * Written as a method's type so that its parameter is checked both ways
 * ("bivariance"): the DOM's handlers take a `MessageEvent`, `ws`'s its own
 * event type, and both carry what wsrpc reads.
 *
 * @example
 * ```ts
 * import type { EventHandler } from "@wsrpc/core/client";
 * import assert from "node:assert/strict";
 *
 * const seen: unknown[] = [];
 * const onmessage: EventHandler<{ readonly data: unknown }> = (event) => seen.push(event.data);
 * onmessage?.({ data: "hi" });
 * assert.deepEqual(seen, ["hi"]);
 * ```
 */
export type EventHandler<TEvent> = { bivariance(event: TEvent): void }["bivariance"] | null;

/**
 * What the client uses of a WebSocket: the global `WebSocket` of browsers,
 * Deno, Bun and Node 22 fits, and so does the one of the npm package `ws`.
 *
 * @example A socket that never connects, for a test
 * ```ts
 * import type { ClientWebSocket } from "@wsrpc/core/client";
 * import assert from "node:assert/strict";
 *
 * const socket: ClientWebSocket = {
 *   readyState: 0,
 *   send() {},
 *   close() {},
 *   onopen: null,
 *   onmessage: null,
 *   onclose: null,
 *   onerror: null,
 * };
 * assert.equal(socket.readyState, 0);
 * ```
 */
export interface ClientWebSocket {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Sends a text frame. */
  send(data: string): void;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
  /** Called once the socket is open. */
  onopen: EventHandler<unknown>;
  /** Called with each frame: `data` is a string for a text frame. */
  onmessage: EventHandler<{ readonly data: unknown }>;
  /** Called once the socket has closed. */
  onclose: EventHandler<{ readonly code: number; readonly reason: string }>;
  /** Called when the socket fails; some runtimes say why in `message`. */
  onerror: EventHandler<unknown>;
}

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
  /** An open connection dropped, with its close code; a reconnect follows. */
  lost(code: number): void;
  /** The transport is closed for good. */
  closed(error: RpcError): void;
}

/** Hears each state, with the error that led to it, if any. */
export type StateListener = (state: ConnectionState, error: RpcError | undefined) => void;

/** Where the backoff starts after the server says "too many" or "try again later". */
const SLOW_DOWN_ATTEMPTS = 4;

/** One logical connection to the server, made of as many attempts as it takes. */
export class Transport {
  readonly #options: TransportOptions;
  readonly #events: TransportEvents;
  readonly #listeners = new Set<StateListener>();
  readonly #failureListeners = new Set<(error: RpcError) => void>();
  #state: ConnectionState = "idle";
  #attempt: ConnectionAttempt | undefined;
  /** The attempt frames go out on: open, and not told by the server to move. */
  #live: ConnectionAttempt | undefined;
  /** Failed attempts in a row. */
  #failures = 0;
  /** How many times a list of URLs has moved on. */
  #turn = 0;
  #everOpened = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #lastError: RpcError | undefined;

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

  /** Why the last attempt failed or the last connection ended; `undefined` until one did. */
  get lastError(): RpcError | undefined {
    return this.#lastError;
  }

  /** Failed attempts in a row since the last open connection. */
  get attempt(): number {
    return this.#failures;
  }

  /**
   * Listens to state changes.
   *
   * @returns A function that stops listening.
   */
  onStateChange(listener: StateListener): () => void {
    return listen(this.#listeners, listener);
  }

  /**
   * Listens to each failed connection attempt (one that never opened).
   *
   * @returns A function that stops listening.
   */
  onAttemptFailed(listener: (error: RpcError) => void): () => void {
    return listen(this.#failureListeners, listener);
  }

  /** Starts connecting, if not connected or connecting already. */
  connect(): void {
    if (this.#state === "idle") this.#try();
  }

  /**
   * Sends a frame if the connection is open and the server hasn't asked the
   * client to move; otherwise starts connecting if idle.
   *
   * @returns Whether the frame was sent. If not, the caller keeps it for `open`.
   */
  send(text: string): boolean {
    const live = this.#live;
    if (live) live.send(text);
    else this.connect();
    return live !== undefined;
  }

  /**
   * The server is going away: send nothing more on this connection, and
   * reconnect once it closes.
   */
  drain(): void {
    this.#live = undefined;
  }

  /** Closes the socket because nothing is using it; the next call reconnects. */
  suspend(): void {
    if (this.#state !== "open") return;
    this.#drop(CLOSE_NORMAL, "Idle");
    // Nothing dropped: the next call connects afresh, not as a reconnect.
    this.#everOpened = false;
    this.#setState("idle", undefined);
  }

  /** Closes for good. */
  close(): void {
    if (this.#state === "closed") return;
    clearTimeout(this.#retryTimer);
    this.#drop(CLOSE_NORMAL, "Client closed");
    this.#setState("closed", undefined);
  }

  #try(): void {
    this.#retryTimer = undefined;
    // "connecting" only for the very first attempt; every retry after a failure or a drop is "reconnecting".
    const state = this.#everOpened || this.#failures > 0 ? "reconnecting" : "connecting";
    this.#setState(state, this.#lastError);
    let url: URL;
    try {
      url = pickServerUrl(this.#options.url, this.#failures, this.#turn);
    } catch (cause) {
      this.#finish(RpcError.from(cause));
      return;
    }
    const attempt: ConnectionAttempt = new ConnectionAttempt(url, this.#options, {
      open: () => {
        this.#failures = 0;
        this.#everOpened = true;
        this.#live = attempt;
        this.#setState("open", undefined);
        this.#events.open();
      },
      message: (text) => this.#events.message(text),
      ended: (end) => {
        if (this.#attempt === attempt) this.#ended(end);
      },
    });
    this.#attempt = attempt;
  }

  /** An attempt ended: lost, refused or failed. Tries again, unless that is over. */
  #ended({ opened, code, error, final }: AttemptEnd): void {
    this.#attempt = this.#live = undefined;
    this.#lastError = error;
    if (!opened) { for (const listener of [...this.#failureListeners]) listener(error); }
    if (final) return this.#finish(error);
    if (opened) this.#events.lost(code);
    const { reconnect } = this.#options;
    const maxAttempts = reconnect ? reconnect.maxAttempts ?? Infinity : 0;
    // Told to slow down: start the backoff further along, as if a few attempts had failed.
    if (code === CLOSE_TOO_MANY_REQUESTS || code === CLOSE_TRY_AGAIN_LATER) {
      this.#failures = Math.max(this.#failures, Math.min(SLOW_DOWN_ATTEMPTS, maxAttempts - 1));
    }
    if (this.#state === "closed") return;
    if (!reconnect) return this.#finish(error);
    if (this.#failures >= maxAttempts) {
      return this.#finish(
        new RpcError(
          ErrorCode.ConnectionLost,
          `Gave up reconnecting after ${this.#failures} attempts: ${error.message}`,
          { cause: error },
        ),
      );
    }
    const delay = backoffDelay(this.#failures++, reconnect, this.#options.random);
    this.#turn++; // with a list, the next attempt tries the next instance
    this.#setState("reconnecting", error);
    this.#retryTimer = setTimeout(() => this.#try(), delay);
  }

  #finish(error: RpcError): void {
    this.#lastError = error;
    this.#drop(CLOSE_NORMAL, "Client closed");
    this.#setState("closed", error);
    this.#events.closed(error);
  }

  /** Abandons the current attempt, closing its socket without waiting for its close event. */
  #drop(code: number, reason: string): void {
    const attempt = this.#attempt;
    this.#attempt = this.#live = undefined;
    attempt?.abandon(code, reason);
  }

  #setState(state: ConnectionState, error: RpcError | undefined): void {
    if (this.#state === state) return;
    this.#state = state;
    for (const listener of [...this.#listeners]) listener(state, error);
  }
}

/** Adds a listener; returns a function that removes it. */
function listen<T>(listeners: Set<T>, listener: T): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
