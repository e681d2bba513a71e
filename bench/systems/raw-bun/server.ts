/**
 * The raw baseline on Bun: `Bun.serve` with its `websocket` handlers, text
 * frames through raw/dispatch.ts (JSON.parse, one reply per message, the
 * fan-out a Set of sockets), no framework. Bundled with `deno bundle`, run
 * by `bun`.
 *
 * @module
 */

import { announceOnNode, HOST } from "../announce_node.ts";
import { bun } from "../bun.ts";
import { RawDispatch } from "../raw/dispatch.ts";

/** The part of Bun's `ServerWebSocket` this server uses. */
interface BunSocket {
  send(text: string): number;
}

/** The part of Bun's `Server` this server uses. */
interface BunServer {
  upgrade(request: Request): boolean;
}

const raw = new RawDispatch<BunSocket>();
const server = bun.serve({
  hostname: HOST,
  port: 0,
  fetch: (request: Request, server: BunServer) =>
    server.upgrade(request) ? undefined : new Response("websocket only", { status: 426 }),
  websocket: {
    message: (socket: BunSocket, message: string | Uint8Array) =>
      raw.onMessage(
        socket,
        typeof message === "string" ? message : new TextDecoder().decode(message),
      ),
    close: (socket: BunSocket) => raw.onClose(socket),
  },
});
announceOnNode(server.port);
