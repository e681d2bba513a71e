/**
 * The socket.io events of the socketio-redis system, shared by its server and
 * its client driver: what each side emits, with what, and what it is acked with.
 *
 * @module
 */

import type { Payload } from "../../workloads/system_driver.ts";

/** The room every fan-out subscriber joins. */
export const ROOM = "fanout";

/** What the server emits to the clients. */
export interface ServerToClient {
  /** One fan-out event, broadcast to {@linkcode ROOM}. */
  event(payload: Payload): void;
}

/** What a client emits to the server; each is acked. */
export interface ClientToServer {
  /** Join {@linkcode ROOM}; acked once joined. */
  subscribe(ack: () => void): void;
  /** Broadcast `count` events to {@linkcode ROOM}; acked once they are emitted. */
  publish(count: number, ack: (count: number) => void): void;
}
