/**
 * rpc-websockets (the JSON-RPC 2.0 peer) on Node: its `Server` (a `ws`
 * WebSocketServer of its own), default settings. Calls are registered
 * methods; what the other systems stream is sent as its events, the only
 * server push it has: `server.event(name)` declares one, a client subscribes
 * with `rpc.on`, and `server.emit(name, data)` sends a notification to every
 * subscriber. So the fan-out is the event "fanout", and W3's stream the event
 * "stream" that the method "events" emits `n` times (W3 has one connection:
 * the events reach it alone). Bundled with `deno bundle`, run by `node`.
 *
 * @module
 */

import { Server } from "rpc-websockets";
import { announceOnNode, HOST } from "../announce_node.ts";
import { plainPayload } from "../../workloads/system_driver.ts";
import { EVENTS } from "./events.ts";

/** A method's params, as the driver sends them. */
type Params = Record<string, unknown>;

const server = new Server({ host: HOST, port: 0 });
server.event(EVENTS.stream);
server.event(EVENTS.fanout);
server.register("echo", (params: Params) => params);
server.register("events", (params: Params) => {
  const n = Number(params.n);
  for (let i = 0; i < n; i++) server.emit(EVENTS.stream, plainPayload(i));
  return n;
});
server.register("publish", (params: Params) => {
  const count = Number(params.count);
  for (let i = 0; i < count; i++) server.emit(EVENTS.fanout, plainPayload(i));
  return count;
});
server.on("listening", () => {
  const address = server.wss.address();
  if (address === null || typeof address === "string") {
    throw new Error(`unexpected address ${address}`);
  }
  announceOnNode(address.port);
});
