/**
 * The raw baseline on Node: a `ws` `WebSocketServer` of its own, text frames
 * through raw/dispatch.ts (JSON.parse, one reply per message, the fan-out a
 * Set of sockets), no framework. Bundled with `deno bundle`, run by `node`.
 *
 * @module
 */

// @ts-types="@types/ws"
import { type WebSocket, WebSocketServer } from "ws";
import { announceOnNode, HOST } from "../announce_node.ts";
import { RawDispatch } from "../raw/dispatch.ts";

const raw = new RawDispatch<WebSocket>();
const wss = new WebSocketServer({ host: HOST, port: 0 });
wss.on("connection", (socket) => {
  socket.on("message", (data) => raw.onMessage(socket, String(data)));
  socket.on("close", () => raw.onClose(socket));
  socket.on("error", () => raw.onClose(socket));
});
wss.on("listening", () => {
  const address = wss.address();
  if (address === null || typeof address === "string") {
    throw new Error(`unexpected address ${address}`);
  }
  announceOnNode(address.port);
});
