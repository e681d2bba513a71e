/**
 * The origin check, against cross-site WebSocket hijacking: a page on another
 * site can open a WebSocket to this server, and the browser sends the user's
 * cookies with it. Browsers always send an `Origin` header on a WebSocket
 * handshake, and a page can't change it.
 *
 * @module
 */

/**
 * Which pages may open a connection:
 * - `undefined` (the default): pages of the same origin as the server (the
 *   `Origin` header's host is the request's `Host`), and, when the server is
 *   reached at a loopback address (`localhost`, `127.0.0.1`, `[::1]`, in
 *   development), pages of any loopback origin, such as a dev server on
 *   another port;
 * - a list: exactly these origins, such as `["https://app.example.com"]`
 *   (`"null"` allows sandboxed and `file:` pages);
 * - a function: returns whether the origin may connect;
 * - `"*"`: any page. Only for servers that use no cookies or other ambient
 *   credentials.
 *
 * A request without an `Origin` header does not come from a browser page
 * (browsers always send one) and is never refused by this check.
 *
 * A refused page's socket is upgraded and closed at once with 4403 and the
 * reason `Origin https://evil.example is not allowed` (a browser hides the
 * status of a refused handshake from the page, which would see only 1006),
 * and the server logs the refusal with `console.warn`, with the `origins`
 * option that would allow it: at most once a minute per origin.
 *
 * @example Only the app's own site may connect
 * ```ts
 * import * as z from "zod";
 * import { procedure, router } from "@wsrpc/core";
 * import { createHandler, type OriginPolicy } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * const origins: OriginPolicy = ["https://app.example.com"];
 * const api = router({ hello: procedure({ input: z.string(), output: z.string() }) });
 * const rpc = createHandler(api, { origins, handlers: { hello: ({ input }) => input } });
 * const headers = { upgrade: "websocket", origin: "https://evil.example" };
 * // Under Deno.serve the socket opens and closes with 4403; this Request can't
 * // be upgraded, so the refusal is a plain 403.
 * const response = await rpc(new Request("https://api.example.com/rpc", { headers }));
 * assert.equal(response.status, 403);
 * assert.equal(await response.text(), "403 Origin https://evil.example is not allowed\n");
 * ```
 */
export type OriginPolicy =
  | "*"
  | readonly string[]
  | ((origin: string, request: Request) => boolean);

/**
 * Whether a request's origin may open a connection.
 *
 * @example Same origin by default
 * ```ts
 * import { isOriginAllowed } from "./origin.ts";
 * import assert from "node:assert/strict";
 *
 * const from = (origin: string) =>
 *   new Request("https://chat.example.com/rpc", { headers: { origin } });
 * assert.equal(isOriginAllowed(from("https://chat.example.com"), undefined), true);
 * assert.equal(isOriginAllowed(from("https://evil.example"), undefined), false);
 * ```
 *
 * @param request The upgrade request.
 * @param policy The server's `origins` option.
 * @returns `true` when the connection may go ahead.
 */
export function isOriginAllowed(request: Request, policy: OriginPolicy | undefined): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  if (policy === "*") return true;
  if (typeof policy === "function") return policy(origin, request);
  if (policy !== undefined) {
    const normalized = normalizeOrigin(origin);
    return policy.some((allowed) => normalizeOrigin(allowed) === normalized);
  }
  return isSameOrLocalOrigin(origin, request);
}

function isSameOrLocalOrigin(origin: string, request: Request): boolean {
  const from = parseUrl(origin);
  if (from === undefined) return false;
  const host = (request.headers.get("host") ?? new URL(request.url).host).toLowerCase();
  if (from.host === host) return true;
  const to = parseUrl(`http://${host}`);
  return to !== undefined && isLoopback(to.hostname) && isLoopback(from.hostname);
}

/**
 * The serialized origin, lowercased and without a default port; "null", and
 * anything that is not a URL, stays as it is.
 *
 * @example
 * ```ts
 * import { normalizeOrigin } from "./origin.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(normalizeOrigin("https://APP.example.com:443"), "https://app.example.com");
 * ```
 *
 * @param origin An `Origin` header, or an entry of an `origins` list.
 * @returns The origin to compare.
 */
export function normalizeOrigin(origin: string): string {
  if (origin === "null") return origin;
  return parseUrl(origin)?.origin ?? origin;
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname.endsWith(".localhost") ||
    hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}
