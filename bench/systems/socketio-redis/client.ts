/**
 * The socket.io + Redis adapter client driver, on Node (bundled with
 * `deno bundle`, run with `node`): one `socket.io-client` `io(url)` per
 * connection, with `forceNew` so that each is a connection of its own (by
 * default `io` shares one per url) and `transports: ["websocket"]` so that it
 * speaks WebSocket from the start, as every other driver does. W6 only.
 *
 * @module
 */

import { io, type Socket } from "socket.io-client";
import type { Connection, OnEvent, Payload, SystemDriver } from "../../workloads/system_driver.ts";
import { runW6DriverOnNode } from "./node_process.ts";
import type { ClientToServer, ServerToClient } from "./wire.ts";

/** The workloads other than W6 ask for what this system does not serve. */
function notServed(what: string): Promise<never> {
  return Promise.reject(new Error(`socketio-redis runs W6 only, not ${what}`));
}

class SocketIoConnection implements Connection {
  readonly #socket: Socket<ServerToClient, ClientToServer>;

  constructor(socket: Socket<ServerToClient, ClientToServer>) {
    this.#socket = socket;
  }

  echo(_payload: Payload): Promise<Payload> {
    return notServed("echo");
  }

  events(_n: number, _onEvent: OnEvent): Promise<void> {
    return notServed("events");
  }

  /** Resolves once the server acked the join: later broadcasts to the room reach this socket. */
  subscribe(onEvent: OnEvent): Promise<void> {
    this.#socket.on("event", onEvent);
    return new Promise((resolve) => this.#socket.emit("subscribe", resolve));
  }

  async publish(count: number): Promise<void> {
    await this.#socket.emitWithAck("publish", count);
  }

  close(): void {
    this.#socket.disconnect();
  }
}

function connect(url: string): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket: Socket<ServerToClient, ClientToServer> = io(url, {
      forceNew: true,
      transports: ["websocket"],
    });
    socket.once("connect", () => resolve(new SocketIoConnection(socket)));
    socket.once("connect_error", (error) => {
      socket.disconnect();
      reject(new Error(`could not connect to ${url}: ${error.message}`));
    });
  });
}

const driver: SystemDriver = { connect };

await runW6DriverOnNode(driver);
