/**
 * The rpc-websockets client driver, on Deno: its `CommonClient` (the client
 * it builds its Node and browser clients on), default settings but for
 * reconnecting (off), on Deno's global WebSocket as the other drivers use:
 * a small factory does what its browser build's does (a `send` that calls
 * back at once). Calls are `client.call`; W3's stream and the fan-out are
 * its events (`client.subscribe(name)`, then `client.on(name, ...)`).
 *
 * @module
 */

import { CommonClient, type ICommonWebSocket } from "rpc-websockets";
import type { Connection, OnEvent, Payload, SystemDriver } from "../../workloads/system_driver.ts";
import { runDriver } from "../../workloads/run_driver.ts";
import { EVENTS } from "./events.ts";

/** rpc-websockets' socket on Deno's WebSocket, as its browser build wraps the browser's. */
function denoSocket(address: string): ICommonWebSocket {
  const socket = new WebSocket(address);
  return {
    send(data, optionsOrCallback, callback) {
      const done = typeof optionsOrCallback === "function" ? optionsOrCallback : callback;
      try {
        socket.send(data);
        done?.();
      } catch (error) {
        done?.(error instanceof Error ? error : new Error(String(error)));
      }
    },
    close: (code, reason) => socket.close(code, reason),
    addEventListener: (type, listener, options) => socket.addEventListener(type, listener, options),
  };
}

class RpcWebSocketsConnection implements Connection {
  readonly #client: CommonClient;
  /** Where W3's stream goes, once subscribed. */
  #stream: OnEvent | null = null;
  #streamSubscribed = false;

  constructor(client: CommonClient) {
    this.#client = client;
  }

  echo(payload: Payload): Promise<Payload> {
    return this.#client.call("echo", payload) as Promise<Payload>;
  }

  async events(n: number, onEvent: OnEvent): Promise<void> {
    if (!this.#streamSubscribed) {
      this.#client.on(EVENTS.stream, (event: Payload) => this.#stream?.(event));
      await this.#client.subscribe(EVENTS.stream);
      this.#streamSubscribed = true;
    }
    await new Promise<void>((resolve, reject) => {
      let received = 0;
      this.#stream = (event) => {
        onEvent(event);
        if (++received === n) {
          this.#stream = null;
          resolve();
        }
      };
      // The reply after the last event carries nothing the workload needs.
      this.#client.call("events", { n }).then(() => {
        if (n === 0) resolve();
      }, reject);
    });
  }

  /** Resolves once the server has the subscription: later publishes reach it. */
  async subscribe(onEvent: OnEvent): Promise<void> {
    this.#client.on(EVENTS.fanout, onEvent);
    await this.#client.subscribe(EVENTS.fanout);
  }

  async publish(count: number): Promise<void> {
    await this.#client.call("publish", { count });
  }

  close(): void {
    this.#client.close();
  }
}

function connect(url: string): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const client = new CommonClient(denoSocket, url, { reconnect: false });
    client.once("open", () => resolve(new RpcWebSocketsConnection(client)));
    client.once("error", () => reject(new Error(`could not connect to ${url}`)));
  });
}

const driver: SystemDriver = { connect };

if (import.meta.main) await runDriver(driver);
