/**
 * The chat example's server: serves the page, the browser bundle and the
 * wsrpc endpoint from one `Deno.serve`.
 *
 * Run it with `deno task dev`, then open http://localhost:8000/: one process,
 * its rooms on the memory engine. `PORT` (8000) and `HOST` (127.0.0.1), or
 * `--port` and `--host`, change where it listens; a port that is taken is said
 * in one line. `ADMIN_TOKEN` sets the admin secret. With `--redis=redis://…`
 * it is one instance of several on that Redis, as `deno task dev:cluster` runs
 * it.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createTopics, memoryEngine } from "@wsrpc/core/server";
import { redisEngine } from "@wsrpc/core/redis";
import { bundleBrowserApp } from "./bundle.ts";
import { assertPortsFree, PortInUse, portTaken } from "./port.ts";
import { ADMIN_COOKIE, createChatRpc, isAdmin, roomsReady, roomsTopic } from "./rpc.ts";

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
  /**
   * Keep the rooms on this Redis (`redis://host:port`), so that several
   * instances share them. Without it, they live in this process's memory.
   */
  redisUrl?: string;
}

/** A running chat server. */
export interface ChatServer extends AsyncDisposable {
  /**
   * The page's URL, such as `http://localhost:8000/`: a loopback address is
   * said as `localhost`, the host the README tells people to open (the admin
   * cookie belongs to one host).
   */
  url: string;
  /** The port it listens on, useful after asking for port `0`. */
  port: number;
  /** Opening this URL makes the browser an admin's: it may clear rooms. */
  adminUrl: string;
  /** Who served the page, as the page says it: "instance :8001 · rooms on Redis". */
  servedBy: string;
  /**
   * Shuts wsrpc down gracefully (clients are told to reconnect), stops
   * listening, and lets go of the topics and their engine.
   */
  close(): Promise<void>;
}

const PAGE = new URL("./public/index.html", import.meta.url);
const APP = new URL("./public/app.ts", import.meta.url);
/** Where the page says who served it. */
const SERVED_BY = "<!-- served by -->";
/** Where the page says whose it is; an admin's page says `admin`. */
const MEMBER_ROLE = 'data-role="member"';
/** How long an instance waits for Redis when it starts. */
const REDIS_TIMEOUT = 5_000;

/** The browser bundle, made once per process however many servers it starts. */
let bundling: Promise<string> | undefined;

/**
 * Bundles the browser app, then serves `/` (the page), `/client.js` (the
 * bundle), `/rpc` (the wsrpc endpoint) and `/admin?token=…` (sets the admin
 * cookie, then back to `/`). Anything else is a 404.
 *
 * @param options Where to listen, the tick interval, the admin token and the Redis to use.
 * @returns The running server, once it listens (and, with Redis, once Redis answers).
 * @throws {PortInUse} When another server holds the port.
 * @throws {Error} When Redis does not answer within 5 seconds.
 */
export async function startChatServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  const { port = 8000, hostname = "127.0.0.1", tickInterval = 1000, redisUrl } = options;
  // Before the bundle and Redis, which take a while: a taken port fails at once.
  assertPortsFree(hostname, port);
  const adminToken = options.adminToken ?? crypto.randomUUID();
  let closing = false;
  let label = `${hostname}:${port}`;
  const engine = redisUrl === undefined ? memoryEngine() : redisEngine({
    url: redisUrl,
    prefix: "wsrpc-chat",
    log: (message) => {
      // A stopping instance's links drop on purpose: don't report that.
      if (!closing) console.error(`[${label}] ${message}`);
    },
  });
  const topics = createTopics({ engine });
  const rooms = roomsTopic(topics);
  const bundled = bundling ??= bundleBrowserApp(APP);
  bundled.catch(() => bundling = undefined); // the next start tries again
  let page: string, bundle: string;
  try {
    [page, bundle] = await Promise.all([
      Deno.readTextFile(PAGE),
      bundled,
      redisUrl === undefined ? undefined : roomsReady(rooms, REDIS_TIMEOUT).catch((cause) => {
        const waited = `waited ${REDIS_TIMEOUT / 1000} s`;
        throw new Error(`Can't reach Redis at ${redisUrl} (${waited})`, { cause });
      }),
    ]);
  } catch (error) {
    await topics.close();
    throw error;
  }
  const rpc = createChatRpc({ rooms, tickInterval, adminToken });

  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({ port, hostname, onListen: () => {} }, (request, info) => {
      switch (new URL(request.url).pathname) {
        case "/":
          return text(isAdmin(request, adminToken) ? adminPage : page, "text/html");
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
  } catch (error) {
    await topics.close();
    // Taken since the check above.
    if (error instanceof Deno.errors.AddrInUse) throw portTaken(port, { hostname });
    throw error;
  }
  label = `:${server.addr.port}`;
  const servedBy = redisUrl === undefined
    ? `${displayHost(hostname)}:${server.addr.port} · one process, rooms in memory`
    : `instance :${server.addr.port} · rooms on Redis, shared by every instance`;
  page = page.replace(SERVED_BY, escapeHtml(servedBy));
  const adminPage = page.replace(MEMBER_ROLE, 'data-role="admin"');

  const close = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    await rpc.shutdown({ timeout: 1_000 });
    await server.shutdown();
    await topics.close();
  };
  const url = `http://${displayHost(hostname)}:${server.addr.port}/`;
  return {
    url,
    port: server.addr.port,
    adminUrl: `${url}admin?token=${encodeURIComponent(adminToken)}`,
    servedBy,
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

/**
 * A host to put in a URL: a loopback or wildcard address becomes `localhost`,
 * which reaches it from this machine and is what the README says to open.
 */
function displayHost(hostname: string): string {
  if (["127.0.0.1", "::1", "0.0.0.0", "::", "localhost"].includes(hostname)) return "localhost";
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Reads a port number, or fails with a message that names where it came from. */
function parsePort(value: string, from: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`${from} must be a port number from 0 to 65535, not "${value}"`);
  }
  return port;
}

/** Starts the server from the command line and the environment. */
async function startFromCommandLine(): Promise<ChatServer> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { port: { type: "string" }, host: { type: "string" }, redis: { type: "string" } },
  });
  const port = values.port ?? (Deno.env.get("PORT") || undefined);
  return await startChatServer({
    port: port === undefined
      ? undefined
      : parsePort(port, values.port === undefined ? "PORT" : "--port"),
    hostname: values.host ?? (Deno.env.get("HOST") || undefined),
    redisUrl: values.redis,
    // Instances of one cluster share one: a browser sends its cookie to every port of a host.
    adminToken: Deno.env.get("ADMIN_TOKEN") || undefined,
  });
}

if (import.meta.main) {
  const server = await startFromCommandLine().catch((error) => {
    // One line that says what to do; a stack would only hide it.
    console.error(
      error instanceof PortInUse
        ? error.message
        : `The chat example could not start: ${error instanceof Error ? error.message : error}`,
    );
    Deno.exit(1);
  });
  console.log(`Chat example: ${server.url}`);
  console.log(`Admin (may clear rooms): ${server.adminUrl}`);
  // Stop cleanly: clients are told to reconnect, and Redis links close.
  const stop = async () => {
    await server.close();
    Deno.exit(0);
  };
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
}
