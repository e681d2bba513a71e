/**
 * The raw baseline's client driver: Deno's WebSocket, JSON.stringify and
 * JSON.parse, a Map of pending ids. Runs on Deno.
 *
 * @module
 */

import type { Connection, OnEvent, Payload, SystemDriver } from "../../workloads/system_driver.ts";
import { runDriver } from "../../workloads/run_driver.ts";
import type { RawRequest, RawServerMessage } from "./wire.ts";

interface Pending {
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
}

class RawConnection implements Connection {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, Pending>();
  readonly #streams = new Map<number, OnEvent>();
  #fanout: OnEvent | null = null;
  #nextId = 1;

  constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (message: MessageEvent<string>) => this.#onMessage(message.data);
    socket.onclose = () => this.#failAll(new Error("socket closed"));
  }

  #onMessage(text: string): void {
    const message = JSON.parse(text) as RawServerMessage;
    if ("method" in message) {
      const { sub, data } = message.params;
      const handler = sub === 0 ? this.#fanout : this.#streams.get(sub);
      handler?.(data);
      return;
    }
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    pending.resolve(message.result);
  }

  #failAll(error: Error): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  #call(request: RawRequest): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#pending.set(request.id, { resolve, reject });
      this.#socket.send(JSON.stringify(request));
    });
  }

  echo(payload: Payload): Promise<Payload> {
    const id = this.#nextId++;
    return this.#call({ jsonrpc: "2.0", id, method: "echo", params: payload }) as Promise<
      Payload
    >;
  }

  events(n: number, onEvent: OnEvent): Promise<void> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      let received = 0;
      this.#streams.set(id, (event) => {
        onEvent(event);
        if (++received === n) {
          this.#streams.delete(id);
          resolve();
        }
      });
      // The reply after the last event carries nothing the workload needs.
      this.#call({ jsonrpc: "2.0", id, method: "events", params: { n } }).then(() => {
        if (n === 0) resolve();
      }, reject);
    });
  }

  async subscribe(onEvent: OnEvent): Promise<void> {
    this.#fanout = onEvent;
    await this.#call({ jsonrpc: "2.0", id: this.#nextId++, method: "subscribe" });
  }

  async publish(count: number): Promise<void> {
    await this.#call({ jsonrpc: "2.0", id: this.#nextId++, method: "publish", params: { count } });
  }

  close(): void {
    this.#socket.onclose = null;
    this.#failAll(new Error("connection closed by the client"));
    this.#socket.close();
  }
}

function connect(url: string): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.onopen = () => resolve(new RawConnection(socket));
    socket.onerror = () => reject(new Error(`could not connect to ${url}`));
  });
}

const driver: SystemDriver = { connect };

if (import.meta.main) await runDriver(driver);
