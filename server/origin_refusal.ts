/**
 * What a page whose origin the server refuses gets, and what the server's
 * owner is told. Browsers hide the HTTP status of a failed WebSocket
 * handshake from the page (it sees only 1006), so the refusal is an upgrade
 * closed at once with 4403 and a reason that names the origin; and the server
 * logs it, with the option that would allow it.
 *
 * @module
 */

import { CloseCode } from "../shared/close_codes.ts";
import type { Slot } from "./admission.ts";
import { normalizeOrigin, type OriginPolicy } from "./origin.ts";
import type { Admitted } from "./socket.ts";

/** The settings of {@linkcode OriginRefusals}. */
export interface OriginRefusalsOptions {
  /** The server's `origins` option, to say what is allowed and how to allow more. */
  policy: OriginPolicy | undefined;
  /** Milliseconds a refused socket may take to open before its slot is given back. */
  openTimeout: number;
  /** Seconds within which a refused socket whose peer died is dropped; 0 for never. */
  idleTimeout?: number;
  /** Where log lines go. Defaults to `console.warn`. */
  log?: (line: string) => void;
  /** The clock, in milliseconds. Defaults to `Date.now`. */
  now?: () => number;
}

/** How long the log stays quiet about an origin it has named. */
const LOG_INTERVAL = 60_000;
/** At most this many origins are named per interval, however many there are. */
const MAX_LINES = 10;
/** Close reasons are limited to 123 bytes of UTF-8. */
const MAX_REASON_BYTES = 123;
/** An origin is cut to this many characters in a reason or a log line. */
const MAX_SHOWN = 100;

/**
 * Refuses connections from pages whose origin is not allowed, and logs each
 * refused origin at most once a minute, and at most ten origins a minute.
 *
 * @example A refusal is logged once
 * ```ts
 * import { OriginRefusals } from "./origin_refusal.ts";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const log = (line: string) => lines.push(line);
 * const refusals = new OriginRefusals({ policy: undefined, openTimeout: 1000, log });
 * const request = new Request("https://api.example.com/rpc", {
 *   headers: { origin: "https://app.example.com" },
 * });
 * refusals.report(request);
 * refusals.report(request);
 * assert.equal(lines.length, 1);
 * assert.match(lines[0]!, /origins: \["https:\/\/app\.example\.com"\]/);
 * ```
 */
export class OriginRefusals {
  readonly #policy: OriginPolicy | undefined;
  readonly #openTimeout: number;
  readonly #idleTimeout: number;
  readonly #log: (line: string) => void;
  readonly #now: () => number;
  /** When each origin was last named, oldest first: the lines of the last interval. */
  readonly #named = new Map<string, number>();
  #silencedAt = -Infinity;

  /** @param options The policy, the open timeout, and where the log goes. */
  constructor(options: OriginRefusalsOptions) {
    this.#policy = options.policy;
    this.#openTimeout = options.openTimeout;
    this.#idleTimeout = options.idleTimeout ?? 0;
    this.#log = options.log ?? ((line) => console.warn(line));
    this.#now = options.now ?? Date.now;
  }

  /**
   * Logs a refusal, unless its origin was logged within the last minute or
   * ten origins were.
   *
   * @param request The refused upgrade request, with its `Origin` header.
   */
  report(request: Request): void {
    const origin = request.headers.get("origin") ?? "";
    const key = shown(normalizeOrigin(origin));
    const now = this.#now();
    for (const [named, at] of this.#named) {
      if (now - at < LOG_INTERVAL) break;
      this.#named.delete(named);
    }
    if (this.#named.has(key)) return;
    if (this.#named.size >= MAX_LINES) {
      if (now - this.#silencedAt < LOG_INTERVAL) return;
      this.#silencedAt = now;
      this.#log(
        `wsrpc: refused WebSockets from more origins; at most ${MAX_LINES} origins are logged a minute`,
      );
      return;
    }
    this.#named.set(key, now);
    this.#log(refusalLine(key, request, this.#policy));
  }

  /**
   * Admits the connection only to close it with 4403 as soon as its socket
   * opens. Nothing is read from it. The connection's slot is given back when
   * the socket has closed, or when it never opens.
   *
   * @param request The refused upgrade request.
   * @param slot The connection's slot, given back once it has closed.
   * @returns The connection to upgrade to; it answers a plain 403 if the
   *   request can't be upgraded.
   */
  refuse(request: Request, slot: Slot): Admitted {
    const reason = refusalReason(request.headers.get("origin") ?? "");
    return {
      idleTimeout: this.#idleTimeout,
      openTimeout: this.#openTimeout,
      unupgradable: {
        status: 403,
        body: `403 ${reason}\n`,
        headers: { "content-type": "text/plain; charset=utf-8" },
      },
      open: (socket) => {
        socket.close(CloseCode.Forbidden, reason);
        return { message() {}, alive() {}, drained() {}, closed: () => slot.release() };
      },
      abandon: () => slot.release(),
    };
  }
}

/**
 * The close reason for a refused origin, such as `Origin https://evil.example
 * is not allowed`, cut to fit a close frame.
 *
 * @example
 * ```ts
 * import { refusalReason } from "./origin_refusal.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(refusalReason("https://evil.example"), "Origin https://evil.example is not allowed");
 * ```
 *
 * @param origin The `Origin` header.
 * @returns The reason, at most 123 bytes of UTF-8.
 */
export function refusalReason(origin: string): string {
  let cut = shown(origin);
  const reason = () => `Origin ${cut} is not allowed`;
  const encoder = new TextEncoder();
  while (encoder.encode(reason()).length > MAX_REASON_BYTES) cut = `${cut.slice(0, -2)}…`;
  return reason();
}

/** The log line: the origin, what is allowed, and the option that would allow it. */
function refusalLine(origin: string, request: Request, policy: OriginPolicy | undefined): string {
  const start = `wsrpc: refused a WebSocket from origin ${origin}`;
  const quoted = JSON.stringify(origin);
  if (typeof policy === "function") {
    return `${start} (your origins function returned false). To allow it: return true for ${quoted} from it`;
  }
  let allowed: string;
  let list: string;
  if (policy === undefined || policy === "*") {
    const host = shown(request.headers.get("host") ?? new URL(request.url).host);
    allowed = `same origin as the host ${host}`;
    list = quoted;
  } else {
    const quotedAll = policy.map((entry) => JSON.stringify(shown(entry)));
    allowed = quotedAll.length === 0 ? "none" : quotedAll.join(", ");
    list = quotedAll.length <= 3 ? [...quotedAll, quoted].join(", ") : `..., ${quoted}`;
  }
  return `${start} (allowed: ${allowed}). To allow it: createHandler(api, { origins: [${list}], ... })`;
}

/** Text from a header, safe to show: control characters escaped, cut if long. */
function shown(text: string): string {
  const safe = text.replace(
    // deno-lint-ignore no-control-regex
    /[\u0000-\u001f\u007f-\u009f]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return safe.length > MAX_SHOWN ? `${safe.slice(0, MAX_SHOWN - 1)}…` : safe;
}
