/**
 * The raw baseline server: Deno.serve + Deno.upgradeWebSocket, JSON.parse and
 * JSON.stringify, one reply per message, no framework. Runs on Deno.
 *
 * @module
 */

import { announce, HOST } from "../announce.ts";
import type { RawNotification, RawReply, RawRequest } from "./wire.ts";

/** The sockets subscribed to the fan-out topic. */
const subscribers = new Set<WebSocket>();

function reply(socket: WebSocket, id: number, result: unknown): void {
  const message: RawReply = { jsonrpc: "2.0", id, result };
  socket.send(JSON.stringify(message));
}

function event(sub: number, a: number): string {
  const message: RawNotification = {
    jsonrpc: "2.0",
    method: "event",
    params: { sub, data: { a, s: "hello" } },
  };
  return JSON.stringify(message);
}

function onMessage(socket: WebSocket, text: string): void {
  const request = JSON.parse(text) as RawRequest;
  switch (request.method) {
    case "echo":
      reply(socket, request.id, request.params);
      return;
    case "events":
      // The send loop: N messages for one request.
      for (let i = 0; i < request.params.n; i++) socket.send(event(request.id, i));
      reply(socket, request.id, request.params.n);
      return;
    case "subscribe":
      subscribers.add(socket);
      reply(socket, request.id, true);
      return;
    case "publish":
      for (let i = 0; i < request.params.count; i++) {
        const text = event(0, i);
        for (const subscriber of subscribers) subscriber.send(text);
      }
      reply(socket, request.id, request.params.count);
      return;
  }
}

function handle(request: Request): Response {
  if (request.headers.get("upgrade") !== "websocket") {
    return new Response("websocket only", { status: 426 });
  }
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.onmessage = (message: MessageEvent<string>) => onMessage(socket, message.data);
  socket.onclose = () => subscribers.delete(socket);
  socket.onerror = () => subscribers.delete(socket);
  return response;
}

Deno.serve({ hostname: HOST, port: 0, onListen: ({ port }) => announce(port) }, handle);
