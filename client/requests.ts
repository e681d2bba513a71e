/**
 * The request manager: numbers requests, matches replies to them, and routes
 * subscription events to their streams.
 *
 * @module
 */

import type { Codec } from "../shared/codec.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import { inputToParams, isRecord, type Meta, Method, type RequestFrame } from "../shared/wire.ts";
import type { SubscriptionSink } from "./subscription.ts";

interface Pending {
  resolve(value: unknown): void;
  reject(error: RpcError): void;
  /** Set while the request opens a subscription. */
  sink?: SubscriptionSink;
}

/** Sends requests through `send` and settles them from the frames it is given. */
export class RequestManager {
  readonly #send: (text: string) => void;
  readonly #codec: Codec;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #subscriptions = new Map<number, SubscriptionSink>();

  /**
   * @param send Sends a frame to the server.
   * @param codec Turns payloads into JSON and back.
   */
  constructor(send: (text: string) => void, codec: Codec) {
    this.#send = send;
    this.#codec = codec;
  }

  /** How many calls await a reply, and how many subscriptions are open. */
  get size(): { pending: number; subscriptions: number } {
    return { pending: this.#pending.size, subscriptions: this.#subscriptions.size };
  }

  /**
   * Calls a procedure.
   *
   * @param method The dotted path.
   * @param input The input, or `undefined`.
   * @returns The decoded result.
   */
  call(method: string, input: unknown): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#sendRequest(id, method, input, reject);
    });
  }

  /**
   * Opens a subscription.
   *
   * @param method The dotted path.
   * @param input The input, or `undefined`.
   * @param sink Receives the events.
   * @returns A function that ends the subscription.
   */
  subscribe(method: string, input: unknown, sink: SubscriptionSink): () => void {
    const id = this.#nextId++;
    this.#pending.set(id, {
      resolve: () => this.#subscriptions.set(id, sink),
      reject: (error) => sink.error(error),
      sink,
    });
    this.#sendRequest(id, method, input, (error) => {
      this.#pending.delete(id);
      sink.error(error);
    });
    return () => {
      const wasOpen = this.#subscriptions.delete(id);
      const wasPending = this.#pending.delete(id);
      if (wasOpen || wasPending) {
        this.#trySend({ jsonrpc: "2.0", method: Method.Unsubscribe, params: { subscription: id } });
      }
    };
  }

  /** Handles one frame from the server. */
  receive(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return;
    }
    if (Array.isArray(value)) { for (const item of value) this.#receiveOne(item); }
    else this.#receiveOne(value);
  }

  /**
   * Fails every pending call and ends every subscription.
   *
   * @param error The error pending calls reject with.
   * @param endSubscriptions `"error"` to fail subscriptions too, `"complete"` to end them quietly.
   */
  failAll(error: RpcError, endSubscriptions: "error" | "complete"): void {
    const pending = [...this.#pending.values()];
    const subscriptions = [...this.#subscriptions.values()];
    this.#pending.clear();
    this.#subscriptions.clear();
    for (const request of pending) {
      if (request.sink && endSubscriptions === "complete") request.sink.complete();
      else request.reject(error);
    }
    for (const sink of subscriptions) {
      if (endSubscriptions === "complete") sink.complete();
      else sink.error(error);
    }
  }

  #sendRequest(id: number, method: string, input: unknown, fail: (error: RpcError) => void): void {
    const frame: RequestFrame = { jsonrpc: "2.0", id, method };
    try {
      const params = inputToParams(input);
      if (params !== undefined) {
        const { json, meta } = this.#codec.encode(params);
        frame.params = json;
        if (meta !== undefined) frame.meta = meta;
      }
      this.#send(JSON.stringify(frame));
    } catch (cause) {
      this.#pending.delete(id);
      fail(
        cause instanceof RpcError
          ? cause
          : new RpcError(ErrorCode.InvalidParams, `The input of ${method} can't be sent`, {
            cause,
          }),
      );
    }
  }

  #trySend(frame: RequestFrame): void {
    try {
      this.#send(JSON.stringify(frame));
    } catch {
      // The connection is gone, and with it the server's side of the subscription.
    }
  }

  #receiveOne(frame: unknown): void {
    if (!isRecord(frame)) return;
    const meta = isRecord(frame.meta) ? frame.meta : undefined;
    if (typeof frame.id === "number" && ("result" in frame || "error" in frame)) {
      const request = this.#pending.get(frame.id);
      if (request === undefined) return;
      this.#pending.delete(frame.id);
      if ("error" in frame) request.reject(this.#toError(frame.error, meta));
      else request.resolve(this.#decode(frame.result, meta));
      return;
    }
    if (typeof frame.method !== "string" || !isRecord(frame.params)) return;
    const params = this.#decode(frame.params, meta);
    if (!isRecord(params) || typeof params.subscription !== "number") return;
    const sink = this.#subscriptions.get(params.subscription);
    if (sink === undefined) return;
    switch (frame.method) {
      case Method.Data:
        sink.data(params.data);
        break;
      case Method.Complete:
        this.#subscriptions.delete(params.subscription);
        sink.complete();
        break;
      case Method.Error:
        this.#subscriptions.delete(params.subscription);
        sink.error(this.#toError(params.error, undefined));
        break;
    }
  }

  #decode(json: unknown, meta: Meta | undefined): unknown {
    return meta === undefined ? json : this.#codec.decode(json, meta);
  }

  #toError(error: unknown, meta: Meta | undefined): RpcError {
    if (!isRecord(error) || typeof error.code !== "number" || typeof error.message !== "string") {
      return new RpcError(ErrorCode.InternalError, "The server sent a malformed error");
    }
    const data = "data" in error ? error.data : undefined;
    // The frame's `meta` describes `error.data` itself, from its root.
    return new RpcError(error.code, error.message, { data: this.#decode(data, meta) });
  }
}
