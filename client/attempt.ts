/**
 * One try at a connection: one socket, from its opening to its end. Each
 * attempt reports to the transport until it ends or is abandoned, and never
 * after, so no code has to ask whether a socket is still the current one.
 *
 * @module
 */

import {
  CLOSE_BAD_CONNECTION_PARAMS,
  CLOSE_FORBIDDEN,
  CLOSE_HEARTBEAT_TIMEOUT,
  CLOSE_NORMAL,
  CLOSE_POLICY_VIOLATION,
  CLOSE_UNAUTHORIZED,
  CLOSE_UNSUPPORTED_DATA,
} from "../shared/close_codes.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import { PING_TEXT } from "../shared/wire.ts";
import { type Heartbeat, startHeartbeat } from "./heartbeat.ts";
import type { ClientWebSocket, HeartbeatOptions, WebSocketConstructor } from "./transport.ts";

/** How an attempt ended. */
export interface AttemptEnd {
  /** Whether it had opened (and sent its hello) before it ended. */
  readonly opened: boolean;
  /** The close code: a server's close, 4000 for a dead link, or 0 when none came. */
  readonly code: number;
  /** What happened, for the user: names the URL, says why, keeps the cause. */
  readonly error: RpcError;
  /** Whether trying again would only fail the same way. */
  readonly final: boolean;
}

/** Where an attempt reports. */
export interface AttemptEvents {
  /** The socket opened and the hello went out: ready to send. */
  open(): void;
  /** A text frame arrived. */
  message(text: string): void;
  /** The attempt ended; it reports nothing after this. */
  ended(end: AttemptEnd): void;
}

/** What an attempt needs. */
export interface AttemptOptions {
  readonly WebSocket: WebSocketConstructor;
  readonly heartbeat: HeartbeatOptions | false;
  /** Makes the first frame, if there is one. */
  readonly hello?: (() => Promise<string>) | undefined;
}

/** Close codes after which connecting again would only be refused again, and the code they mean. */
const FINAL_CLOSE_CODES: ReadonlyMap<number, number> = new Map([
  [CLOSE_UNSUPPORTED_DATA, ErrorCode.InvalidRequest],
  [CLOSE_POLICY_VIOLATION, ErrorCode.Forbidden],
  [CLOSE_BAD_CONNECTION_PARAMS, ErrorCode.InvalidParams],
  [CLOSE_UNAUTHORIZED, ErrorCode.Unauthorized],
  [CLOSE_FORBIDDEN, ErrorCode.Forbidden],
]);

/** `WebSocket.OPEN`, which Node 20 has no global for. */
const OPEN = 1;

/** One socket's life. */
export class ConnectionAttempt {
  /** The URL tried, for the messages. */
  readonly #url: string;
  readonly #events: AttemptEvents;
  #socket: ClientWebSocket | undefined;
  #opened = false;
  #ended = false;
  #openTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: Heartbeat | undefined;
  /** What the socket's error event said, if anything (Deno says why; browsers don't). */
  #errorText = "";

  /**
   * Opens the socket at once.
   *
   * @param url Where to connect.
   * @param options The constructor, heartbeat and hello.
   * @param events Where to report.
   */
  constructor(url: string | URL, options: AttemptOptions, events: AttemptEvents) {
    this.#url = String(url);
    this.#events = events;
    let socket: ClientWebSocket;
    try {
      socket = new options.WebSocket(url);
    } catch (cause) {
      // Reported once the caller holds the attempt.
      queueMicrotask(() => this.#end(0, unusable(this.#url, cause), true));
      return;
    }
    this.#socket = socket;
    const { heartbeat } = options;
    if (heartbeat !== false) {
      const timeout = heartbeat.timeout ?? 10_000;
      // A handshake that gets no answer is as dead as a silent connection.
      this.#openTimer = setTimeout(() => {
        const error = lost(this.#url, `the server did not answer within ${timeout} ms`);
        this.#end(CLOSE_HEARTBEAT_TIMEOUT, error);
      }, timeout);
    }
    socket.onmessage = (event) => {
      this.#heartbeat?.heard();
      if (typeof event.data === "string") this.#events.message(event.data);
    };
    socket.onerror = (event) => {
      if (typeof event === "object" && event !== null && "message" in event) {
        if (typeof event.message === "string") this.#errorText = event.message;
      }
    };
    socket.onclose = (event) => this.#closed(event.code, event.reason);
    socket.onopen = async () => {
      if (options.hello) {
        let hello: string;
        try {
          hello = await options.hello();
        } catch (cause) {
          // The user's connectionParams failed: count it as a failed attempt.
          return this.#end(CLOSE_NORMAL, lost(this.#url, "connectionParams failed", false, cause));
        }
        if (this.#ended || socket.readyState !== OPEN) return;
        socket.send(hello);
      }
      clearTimeout(this.#openTimer);
      this.#opened = true;
      if (heartbeat !== false) {
        this.#heartbeat = startHeartbeat({
          interval: heartbeat.interval ?? 15_000,
          timeout: heartbeat.timeout ?? 10_000,
        }, {
          ping: () => this.send(PING_TEXT),
          dead: () => {
            const error = lost(this.#url, "the server stopped answering", true);
            this.#end(CLOSE_HEARTBEAT_TIMEOUT, error);
          },
        });
      }
      this.#events.open();
    };
  }

  /** Sends a frame. */
  send(text: string): void {
    this.#socket?.send(text);
  }

  /** Closes the socket and reports nothing more. */
  abandon(code: number, reason: string): void {
    this.#ended = true;
    this.#release(code, reason);
  }

  #closed(code: number, reason: string): void {
    const final = FINAL_CLOSE_CODES.get(code);
    if (final !== undefined) {
      const said = reason || `the server refused the connection (${code})`;
      return this.#end(code, new RpcError(final, said), true);
    }
    const error = this.#opened
      ? lost(this.#url, `it closed (${describeClose(code, reason)})`, true)
      : lost(this.#url, this.#whyNotOpened(code, reason));
    this.#end(code, error);
  }

  #whyNotOpened(code: number, reason: string): string {
    const text = this.#errorText.replace(/^NetworkError: failed to connect to WebSocket: /, "");
    // Deno says "Invalid status code", the npm package ws "Unexpected server response".
    const status = /(?:Invalid status code:?|Unexpected server response:) (\d{3})/.exec(text)?.[1];
    if (status !== undefined) return httpRefusal(Number(status));
    if (/tcp connect error|refused/i.test(text)) {
      return "connection refused (is the server running?)";
    }
    if (text !== "") return text;
    if (code !== 0 && code !== 1006) return `closed (${describeClose(code, reason)})`;
    // Browsers say nothing more about a failed handshake.
    return "the connection failed (the server may be down, the URL wrong, or the page's origin refused)";
  }

  #end(code: number, error: RpcError, final = false): void {
    if (this.#ended) return;
    this.#ended = true;
    const opened = this.#opened;
    this.#release(code, error.message);
    this.#events.ended({ opened, code, error, final });
  }

  #release(code: number, reason: string): void {
    clearTimeout(this.#openTimer);
    this.#heartbeat?.stop();
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket === undefined) return;
    socket.onopen =
      socket.onmessage =
      socket.onclose =
      socket.onerror =
        null;
    if (socket.readyState <= OPEN) {
      try {
        // A close reason may hold at most 123 bytes.
        socket.close(code === 0 || code === 1006 ? CLOSE_NORMAL : code, reason.slice(0, 100));
      } catch {
        // Already closing, or a code the socket won't send.
        try {
          socket.close();
        } catch {
          // Already closing.
        }
      }
    }
  }
}

/** The connection failed (`opened`: after it opened), and why. */
function lost(url: string, why: string, opened = false, cause?: unknown): RpcError {
  const what = opened ? `The connection to ${url} was lost` : `Could not connect to ${url}`;
  return new RpcError(ErrorCode.ConnectionLost, `${what}: ${why}`, { cause });
}

/** A URL the WebSocket constructor refused, or a permission it lacks. */
function unusable(url: string, cause: unknown): RpcError {
  const { name, message } = cause instanceof Error ? cause : { name: "", message: String(cause) };
  const denied = name === "NotCapable" || name === "PermissionDenied";
  return lost(url, denied ? `permission denied (${message})` : message, false, cause);
}

function httpRefusal(status: number): string {
  switch (status) {
    case 403:
      return "the server refused it with 403 (an origin it does not allow, or no access)";
    case 404:
      return "the server answered 404 (is the path right?)";
    case 426:
      return "the server answered 426";
    case 429:
    case 503:
      return `the server is busy (${status}); trying again`;
    default:
      return `the server answered ${status} instead of upgrading to a WebSocket`;
  }
}

function describeClose(code: number, reason: string): string {
  return reason === "" ? `code ${code}` : `code ${code}: ${reason}`;
}
