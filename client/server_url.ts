/**
 * Where the client connects: one URL, a list to fail over along, or a
 * function; checked when the client is made.
 *
 * @module
 */

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

/**
 * Checks a server URL when the client is made, so that a typo fails at once
 * and names the URL, instead of every call timing out.
 *
 * @throws {TypeError} For a URL that is not a WebSocket URL, or an empty list.
 */
export function checkServerUrl(url: ServerUrl): void {
  if (typeof url === "function") return;
  const urls = list(url);
  if (urls.length === 0) throw new TypeError("The list of server URLs is empty");
  for (const one of urls) checkOne(one);
}

/**
 * The URL for one attempt, checked.
 *
 * @param url What the client was given.
 * @param attempt Attempts since the last open connection, from 0.
 * @param turn How many times a list has moved on.
 */
export function pickServerUrl(url: ServerUrl, attempt: number, turn: number): URL {
  if (typeof url === "function") return checkOne(url(attempt));
  const urls = list(url);
  return checkOne(urls[turn % urls.length]!);
}

function list(
  url: Exclude<ServerUrl, (attempt: number) => string | URL>,
): readonly (string | URL)[] {
  return typeof url === "string" || url instanceof URL ? [url] : url;
}

/**
 * The URL, resolved against the page for a relative one in a browser.
 *
 * @throws {TypeError} When it is not a WebSocket URL.
 */
function checkOne(url: string | URL): URL {
  let parsed: URL;
  try {
    const page = (globalThis as { location?: { href: string } }).location?.href;
    parsed = new URL(url, page);
    if (page !== undefined && !/^[a-z][a-z0-9+.-]*:/i.test(String(url))) {
      parsed.protocol = parsed.protocol === "https:" ? "wss:" : "ws:";
    }
  } catch {
    throw new TypeError(
      `"${url}" is not a WebSocket URL: give a full one, such as ws://localhost:8000/rpc`,
    );
  }
  if (parsed.protocol === "http:" || parsed.protocol === "https:") {
    const ws = parsed.protocol === "https:" ? "wss:" : "ws:";
    throw new TypeError(
      `"${url}" is not a WebSocket URL: use ${ws}//${parsed.host}${parsed.pathname}`,
    );
  }
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
    throw new TypeError(`"${url}" is not a WebSocket URL: it must start with ws:// or wss://`);
  }
  return parsed;
}
