/**
 * The chat example's server: serves the page, the browser bundle and the
 * wsrpc endpoint from one `Deno.serve`.
 *
 * Run it with `deno task dev`, then open http://127.0.0.1:8000/.
 * `PORT` and `HOST` (or `--port` and `--host`) change where it listens.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { bundleBrowserApp } from "./bundle.ts";
import { ChatHub } from "./hub.ts";
import { ADMIN_COOKIE, createChatRpc } from "./rpc.ts";

/** The options of {@linkcode startChatServer}. */
export interface ChatServerOptions {
  /** The port to listen on; `0` picks a free one. Defaults to 8000. */
  port?: number;
  /** The address to listen on. Defaults to `127.0.0.1`. */
  hostname?: string;
  /** Milliseconds between two ticks of the `ticks` subscription. Defaults to 1000. */
  tickInterval?: number;
  /** The admin secret: `/admin?token=…` with it sets the admin cookie. Defaults to a random one. */
  adminToken?: string;
}

/** A running chat server. */
export interface ChatServer extends AsyncDisposable {
  /** The page's URL, such as `http://127.0.0.1:8000/`. */
  url: string;
  /** The port it listens on, useful after asking for port `0`. */
  port: number;
  /** Opening this URL makes the browser an admin's: it may clear rooms. */
  adminUrl: string;
  /** Stops listening, closes open WebSockets (code 1001) and waits for the server to finish. */
  close(): Promise<void>;
}

const PAGE = new URL("./public/index.html", import.meta.url);
const APP = new URL("./public/app.ts", import.meta.url);

/**
 * Bundles the browser app, then serves `/` (the page), `/client.js` (the
 * bundle), `/rpc` (the wsrpc endpoint) and `/admin?token=…` (sets the admin
 * cookie, then back to `/`). Anything else is a 404.
 *
 * @param options Where to listen, and the tick interval.
 * @returns The running server, once it listens.
 */
export async function startChatServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  const { port = 8000, hostname = "127.0.0.1", tickInterval = 1000 } = options;
  const adminToken = options.adminToken ?? crypto.randomUUID();
  const [page, bundle] = await Promise.all([Deno.readTextFile(PAGE), bundleBrowserApp(APP)]);
  const rpc = createChatRpc({ hub: new ChatHub(), tickInterval, adminToken });

  const server = Deno.serve({ port, hostname, onListen: () => {} }, (request, info) => {
    switch (new URL(request.url).pathname) {
      case "/":
        return text(page, "text/html");
      case "/client.js":
        return text(bundle, "text/javascript");
      case "/rpc":
        return rpc(request, info);
      case "/admin":
        return signInAsAdmin(request, adminToken);
      default:
        return new Response("404 Not Found\n", { status: 404 });
    }
  });

  const close = async (): Promise<void> => {
    await server.shutdown();
  };
  const url = `http://${displayHost(hostname)}:${server.addr.port}/`;
  return {
    url,
    port: server.addr.port,
    adminUrl: `${url}admin?token=${encodeURIComponent(adminToken)}`,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A text response that browsers must not cache, so a restart serves a fresh bundle. */
function text(body: string, type: string): Response {
  return new Response(body, {
    headers: { "content-type": `${type}; charset=utf-8`, "cache-control": "no-store" },
  });
}

/**
 * Sets the admin cookie when the token is right. `HttpOnly` keeps it from
 * scripts; `SameSite=Strict` keeps other sites from sending it.
 */
function signInAsAdmin(request: Request, adminToken: string): Response {
  if (new URL(request.url).searchParams.get("token") !== adminToken) {
    return new Response("403 Wrong admin token\n", { status: 403 });
  }
  return new Response(null, {
    status: 303,
    headers: {
      location: "/",
      "set-cookie": `${ADMIN_COOKIE}=${adminToken}; Path=/; HttpOnly; SameSite=Strict`,
    },
  });
}

/** A host to put in a URL: a wildcard address becomes `localhost`. */
function displayHost(hostname: string): string {
  if (hostname === "0.0.0.0" || hostname === "::") return "localhost";
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

/** Reads a port number, or fails with a message that names where it came from. */
function parsePort(value: string, from: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`${from} must be a port number from 0 to 65535, not "${value}"`);
  }
  return port;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { port: { type: "string" }, host: { type: "string" } },
  });
  const port = values.port ?? (Deno.env.get("PORT") || undefined);
  const server = await startChatServer({
    port: port === undefined
      ? undefined
      : parsePort(port, values.port === undefined ? "PORT" : "--port"),
    hostname: values.host ?? (Deno.env.get("HOST") || undefined),
  });
  console.log(`Chat example: ${server.url}`);
  console.log(`Admin (may clear rooms): ${server.adminUrl}`);
}
