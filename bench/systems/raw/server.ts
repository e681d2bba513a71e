/**
 * The raw baseline server: Deno.serve + Deno.upgradeWebSocket, JSON.parse and
 * JSON.stringify, one reply per message, no framework (raw/dispatch.ts).
 * Runs on Deno.
 *
 * @module
 */

import { announce, HOST } from "../announce.ts";
import { RawDispatch } from "./dispatch.ts";

const raw = new RawDispatch<WebSocket>();

function handle(request: Request): Response {
  if (request.headers.get("upgrade") !== "websocket") {
    return new Response("websocket only", { status: 426 });
  }
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.onmessage = (message: MessageEvent<string>) => raw.onMessage(socket, message.data);
  socket.onclose = () => raw.onClose(socket);
  socket.onerror = () => raw.onClose(socket);
  return response;
}

Deno.serve({ hostname: HOST, port: 0, onListen: ({ port }) => announce(port) }, handle);
