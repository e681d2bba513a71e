/**
 * The request manager: numbers requests, matches replies to them, keeps what
 * waits for a connection, retries what may be retried, times calls out, and
 * re-establishes subscriptions after a reconnect.
 *
 * @module
 */

import type { Codec } from "../shared/codec.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import { CloseCode } from "../shared/close_codes.ts";
import { Deadlines } from "../shared/deadlines.ts";
import { exceedsBytes } from "../shared/utf8.ts";
import {
  inputToParams,
  isRecord,
  type Meta,
  Method,
  type RequestFrame,
  requestText,
} from "../shared/wire.ts";
import type { OpenSubscription, SubscriptionSink } from "./subscription.ts";

/** Where frames go. */
export interface FrameSink {
  /** Sends a frame now; `false` when there is no open connection to send it on. */
  send(text: string): boolean;
}

/** What one call may say about itself. */
export interface CallSettings {
  /** Milliseconds before the call fails with `Timeout`; `Infinity` for never. */
  timeout: number;
  /** Aborts the call. */
  signal?: AbortSignal | undefined;
  /** Whether the call may be sent again after a dropped connection. */
  idempotent: boolean;
  /**
   * Set when the caller can't tell a procedure from a subscription: a reply
   * that is the server's acknowledgement of a subscription (`{"subscription":
   * <this request's id>}`) makes the call that subscription, which resumes
   * after reconnects like any other.
   */
  adopt?: Adopt | undefined;
}

/**
 * Takes over a call the server acknowledged as a subscription: `open` attaches
 * the sink and must be called at once (the events may be in the same frame);
 * the call resolves with what `adopt` returns.
 */
export type Adopt = (open: OpenSubscription) => unknown;

/** Limits of the request manager, and what it may ask of the connection. */
export interface RequestManagerOptions {
  /** How many calls may wait for a connection before new ones are refused. */
  maxQueue: number;
  /** The largest frame the server takes, in UTF-8 bytes: larger calls fail before they are sent. */
  maxMessageSize: number;
  /** Why the connection is not open, if an attempt failed: named when a waiting call times out. */
  connectionError(): RpcError | undefined;
}

interface PendingCall {
  readonly kind: "call";
  readonly method: string;
  readonly text: string;
  readonly idempotent: boolean;
  readonly adopt: Adopt | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** Whether it went out on the current connection. */
  sent: boolean;
  detach: (() => void) | undefined;
}

interface ActiveSubscription {
  readonly kind: "subscription";
  readonly method: string;
  /** The length of its subscribe frame, to tell which frame a server found too large. */
  readonly length: number;
  readonly params: RequestFrame["params"];
  readonly meta: Meta | undefined;
  readonly sink: SubscriptionSink;
  /** The id of the request that opened it on the current connection. */
  requestId: number;
  /** The id of the last tracked event delivered, to resume from. */
  lastEventId: string | undefined;
}

/** Sends requests and settles them from the frames it is given. */
export class RequestManager {
  readonly #out: FrameSink;
  readonly #codec: Codec;
  readonly #options: RequestManagerOptions;
  /** The largest frame to send: the server's limit, or less once a server refused a frame. */
  #maxBytes: number;
  #nextId = 1;
  #waiting = 0;
  readonly #calls = new Map<number, PendingCall>();
  readonly #subscriptions = new Map<number, ActiveSubscription>();
  readonly #deadlines = new Deadlines<number>((id) => this.#expire(id), { keepArmed: true });
  #onIdle: (() => void) | undefined;
  /** The server said `rpc.reconnect` on this connection: it is going away. */
  #draining = false;

  /**
   * @param out Sends frames.
   * @param codec Turns payloads into JSON and back.
   * @param options Limits.
   */
  constructor(out: FrameSink, codec: Codec, options: RequestManagerOptions) {
    this.#out = out;
    this.#codec = codec;
    this.#options = options;
    this.#maxBytes = options.maxMessageSize;
  }

  /** How many calls await a reply, and how many subscriptions are open. */
  get size(): { calls: number; subscriptions: number } {
    return { calls: this.#calls.size, subscriptions: this.#subscriptions.size };
  }

  /** Called whenever the last call or subscription ends. */
  set onIdle(listener: (() => void) | undefined) {
    this.#onIdle = listener;
  }

  /**
   * Calls a procedure.
   *
   * @param method The dotted path.
   * @param input The input, or `undefined`.
   * @param settings Timeout, abort signal and whether it may be retried.
   * @returns The decoded result.
   */
  call(method: string, input: unknown, settings: CallSettings): Promise<unknown> {
    const { signal } = settings;
    if (signal?.aborted) return Promise.reject(abortError(method, signal));
    let text: string;
    const id = this.#nextId++;
    try {
      text = this.#frame(id, method, input);
    } catch (cause) {
      return Promise.reject(unsendable(method, cause));
    }
    if (exceedsBytes(text, this.#maxBytes)) return Promise.reject(this.#tooLarge(method, "call"));
    return new Promise((resolve, reject) => {
      const call: PendingCall = {
        kind: "call",
        method,
        text,
        idempotent: settings.idempotent,
        adopt: settings.adopt,
        resolve,
        reject,
        sent: false,
        detach: undefined,
      };
      if (this.#out.send(text)) call.sent = true;
      else if (this.#waiting >= this.#options.maxQueue) {
        reject(
          new RpcError(
            ErrorCode.Unavailable,
            `${this.#waiting} calls are already waiting for a connection; ${method} was not sent`,
          ),
        );
        return;
      } else this.#waiting++;
      this.#calls.set(id, call);
      if (Number.isFinite(settings.timeout)) this.#deadlines.set(id, settings.timeout);
      if (signal) {
        const onAbort = () => this.#settleEarly(id, abortError(method, signal));
        signal.addEventListener("abort", onAbort, { once: true });
        call.detach = () => signal.removeEventListener("abort", onAbort);
      }
    });
  }

  /**
   * Opens a subscription. It survives reconnects: the client resubscribes,
   * sending the id of the last tracked event it delivered.
   *
   * @param method The dotted path.
   * @param input The input, or `undefined`.
   * @param sink Receives the events.
   * @returns A function that ends the subscription.
   */
  subscribe(method: string, input: unknown, sink: SubscriptionSink): () => void {
    let encoded: { params: unknown; meta: Meta | undefined };
    let text: string;
    const requestId = this.#nextId++;
    try {
      encoded = this.#encodeInput(input);
      text = requestText(requestId, method, encoded.params, encoded.meta);
    } catch (cause) {
      queueMicrotask(() => sink.error(unsendable(method, cause)));
      return () => {};
    }
    if (exceedsBytes(text, this.#maxBytes)) {
      const error = this.#tooLarge(method, "subscription");
      queueMicrotask(() => sink.error(error));
      return () => {};
    }
    const subscription: ActiveSubscription = {
      kind: "subscription",
      method,
      length: text.length,
      params: encoded.params,
      meta: encoded.meta,
      sink,
      requestId,
      lastEventId: undefined,
    };
    this.#subscriptions.set(subscription.requestId, subscription);
    this.#sendSubscribe(subscription);
    return this.#unsubscriber(subscription);
  }

  /** The connection is open: resubscribe, then send every call that waits. */
  resume(): void {
    this.#draining = false;
    const subscriptions = [...this.#subscriptions.values()];
    this.#subscriptions.clear();
    for (const subscription of subscriptions) {
      subscription.requestId = this.#nextId++;
      this.#subscriptions.set(subscription.requestId, subscription);
      this.#sendSubscribe(subscription);
    }
    for (const call of this.#calls.values()) {
      if (call.sent) continue;
      if (!this.#out.send(call.text)) return;
      call.sent = true;
      this.#waiting--;
    }
  }

  /**
   * The connection dropped. Calls that were sent can't be answered any more:
   * idempotent ones wait to be sent again, the others fail with a retryable
   * `ConnectionLost`. Subscriptions wait to be resumed. After a `1009` close
   * (a frame too large for the server), the largest frame still unanswered is
   * the one refused: it fails with `PayloadTooLarge` and is never sent again,
   * and no frame as large is sent from then on.
   *
   * @param code The close code.
   */
  lost(code: number): void {
    if (code === CloseCode.MessageTooBig) this.#refuseLargest();
    for (const [id, call] of this.#calls) {
      if (!call.sent) continue;
      if (call.idempotent) {
        call.sent = false;
        this.#waiting++;
        continue;
      }
      this.#settleEarly(
        id,
        new RpcError(
          ErrorCode.ConnectionLost,
          `The connection was lost during the call to ${call.method}; it may or may not have run`,
        ),
      );
    }
  }

  /**
   * Fails every call and ends every subscription.
   *
   * @param error The error calls reject with.
   * @param subscriptions `"error"` to fail subscriptions too, `"complete"` to end them quietly.
   */
  failAll(error: RpcError, subscriptions: "error" | "complete"): void {
    const calls = [...this.#calls.values()];
    const streams = [...this.#subscriptions.values()];
    this.#calls.clear();
    this.#subscriptions.clear();
    this.#deadlines.clear();
    this.#waiting = 0;
    for (const call of calls) {
      call.detach?.();
      call.reject(error);
    }
    for (const { sink } of streams) {
      if (subscriptions === "complete") sink.complete();
      else sink.error(error);
    }
  }

  /** Handles one frame from the server. */
  receive(text: string): boolean {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return false;
    }
    let reconnect = false;
    if (Array.isArray(value)) {
      for (const item of value) reconnect = this.#receiveOne(item) || reconnect;
    } else reconnect = this.#receiveOne(value);
    return reconnect;
  }

  /** @returns `true` when the server asked the client to reconnect. */
  #receiveOne(frame: unknown): boolean {
    if (!isRecord(frame)) return false;
    const meta = isRecord(frame.meta) ? frame.meta : undefined;
    if (typeof frame.id === "number" && ("result" in frame || "error" in frame)) {
      this.#settle(frame.id, frame, meta);
      return false;
    }
    if (frame.method === Method.Reconnect) {
      this.#draining = true;
      return true;
    }
    if (typeof frame.method !== "string" || !isRecord(frame.params)) return false;
    const params = this.#decode(frame.params, meta);
    if (!isRecord(params) || typeof params.subscription !== "number") return false;
    const subscription = this.#subscriptions.get(params.subscription);
    if (subscription === undefined) return false;
    switch (frame.method) {
      case Method.Data:
        if (typeof params.id === "string") subscription.lastEventId = params.id;
        subscription.sink.data(params.data);
        break;
      case Method.Position:
        if (typeof params.id === "string") subscription.lastEventId = params.id;
        break;
      case Method.Gap:
        if (typeof params.id !== "string") break;
        subscription.lastEventId = params.id;
        subscription.sink.gap({ reason: String(params.reason), position: params.id });
        break;
      case Method.Complete:
        this.#subscriptions.delete(params.subscription);
        subscription.sink.complete();
        this.#checkIdle();
        break;
      case Method.Error:
        this.#subscriptions.delete(params.subscription);
        subscription.sink.error(this.#toError(params.error, undefined));
        this.#checkIdle();
        break;
    }
    return false;
  }

  #settle(id: number, frame: Record<string, unknown>, meta: Meta | undefined): void {
    const call = this.#calls.get(id);
    if (call !== undefined) {
      if ("error" in frame) {
        const error = this.#toError(frame.error, meta);
        // A server that is going away refused it before running it: send it
        // again after reconnecting. From a server that stays, it is the answer.
        if (error.code === ErrorCode.Unavailable && call.sent && this.#draining) {
          call.sent = false;
          this.#waiting++;
          return;
        }
        this.#forget(id, call);
        call.reject(error);
      } else if (call.adopt !== undefined && meta === undefined && isAck(frame.result, id)) {
        const subscription = this.#adopt(id, call, call.adopt);
        this.#forget(id, call);
        call.resolve(subscription);
      } else {
        this.#forget(id, call);
        call.resolve(this.#decode(frame.result, meta));
      }
      return;
    }
    const subscription = this.#subscriptions.get(id);
    if (subscription === undefined) {
      // A call that would have become a subscription, given up before its acknowledgement.
      if (isAck(frame.result, id)) this.#sendUnsubscribe(id);
      return;
    }
    if (!("error" in frame)) {
      subscription.sink.started();
      return;
    }
    const error = this.#toError(frame.error, meta);
    // Resubscribes after the reconnect, when the server is going away.
    if (error.code === ErrorCode.Unavailable && this.#draining) return;
    this.#subscriptions.delete(id);
    subscription.sink.error(error);
    this.#checkIdle();
  }

  /** Makes a call the server acknowledged as a subscription that subscription. */
  #adopt(id: number, call: PendingCall, adopt: Adopt): unknown {
    // Our own frame: its params and meta, to resubscribe with after a reconnect.
    const sent = JSON.parse(call.text) as RequestFrame;
    let opened = false;
    return adopt((sink) => {
      if (opened) throw new TypeError("An acknowledged subscription is opened once");
      opened = true;
      const subscription: ActiveSubscription = {
        kind: "subscription",
        method: call.method,
        // The subscribe frame is the call's own frame.
        length: call.text.length,
        params: sent.params,
        meta: sent.meta,
        sink,
        requestId: id,
        lastEventId: undefined,
      };
      this.#subscriptions.set(id, subscription);
      sink.started();
      return this.#unsubscriber(subscription);
    });
  }

  /** A function that ends a subscription on the server; safe to call more than once. */
  #unsubscriber(subscription: ActiveSubscription): () => void {
    return () => {
      const id = subscription.requestId;
      if (this.#subscriptions.get(id) !== subscription) return;
      this.#subscriptions.delete(id);
      this.#sendUnsubscribe(id);
      this.#checkIdle();
    };
  }

  /** Ends a call before its reply: it timed out or was aborted. */
  #settleEarly(id: number, error: unknown): void {
    const call = this.#calls.get(id);
    if (call === undefined) return;
    this.#forget(id, call);
    if (call.sent) this.#out.send(requestText(undefined, Method.Cancel, { id }));
    call.reject(error);
  }

  #expire(id: number): void {
    const call = this.#calls.get(id);
    if (call === undefined) return;
    // A call that never went out timed out for want of a connection: say why there was none.
    const why = call.sent ? undefined : this.#options.connectionError();
    const message = why === undefined
      ? `The call to ${call.method} timed out`
      : `The call to ${call.method} timed out: ${lowerFirst(why.message)}`;
    this.#settleEarly(id, new RpcError(ErrorCode.Timeout, message, { cause: why }));
  }

  /** Fails the largest unanswered frame, which the server refused with 1009. */
  #refuseLargest(): void {
    let largest: [number, PendingCall | ActiveSubscription] | undefined;
    for (const entry of this.#calls) {
      if (entry[1].sent && entry[1].text.length > size(largest?.[1])) largest = entry;
    }
    for (const entry of this.#subscriptions) {
      if (entry[1].length > size(largest?.[1])) largest = entry;
    }
    if (largest === undefined) return;
    const [id, culprit] = largest;
    const text = culprit.kind === "call"
      ? culprit.text
      : requestText(id, culprit.method, culprit.params, culprit.meta, culprit.lastEventId);
    const bytes = new TextEncoder().encode(text).length;
    this.#maxBytes = Math.min(this.#maxBytes, Math.max(0, bytes - 1));
    const error = new RpcError(
      ErrorCode.PayloadTooLarge,
      `The server closed the connection (1009): the ${culprit.kind} ${culprit.method} was more ` +
        `than it accepts; it was not sent again`,
    );
    if (culprit.kind === "call") {
      this.#forget(id, culprit);
      culprit.reject(error);
    } else {
      this.#subscriptions.delete(id);
      culprit.sink.error(error);
      this.#checkIdle();
    }
  }

  #tooLarge(method: string, kind: string): RpcError {
    return new RpcError(
      ErrorCode.PayloadTooLarge,
      `The ${kind} ${method} was not sent: its frame is over ${this.#maxBytes} bytes, ` +
        `the most the server takes (maxMessageSize)`,
      { data: { maxMessageSize: this.#maxBytes } },
    );
  }

  #forget(id: number, call: PendingCall): void {
    this.#calls.delete(id);
    this.#deadlines.delete(id);
    call.detach?.();
    if (!call.sent) this.#waiting--;
    this.#checkIdle();
  }

  #checkIdle(): void {
    if (this.#calls.size === 0 && this.#subscriptions.size === 0) this.#onIdle?.();
  }

  #sendUnsubscribe(id: number): void {
    this.#out.send(requestText(undefined, Method.Unsubscribe, { subscription: id }));
  }

  #sendSubscribe(subscription: ActiveSubscription): void {
    const { requestId, method, params, meta, lastEventId } = subscription;
    // Sent now, or by `resume` once the connection opens.
    this.#out.send(requestText(requestId, method, params, meta, lastEventId));
  }

  #frame(id: number, method: string, input: unknown): string {
    const { params, meta } = this.#encodeInput(input);
    return requestText(id, method, params, meta);
  }

  #encodeInput(input: unknown): { params: unknown; meta: Meta | undefined } {
    const params = inputToParams(input);
    if (params === undefined) return { params: undefined, meta: undefined };
    const { json, meta } = this.#codec.encode(params);
    return { params: json, meta };
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

function abortError(method: string, signal: AbortSignal): DOMException {
  const error = new DOMException(`The call to ${method} was aborted`, "AbortError");
  Object.defineProperty(error, "cause", { value: signal.reason });
  return error;
}

function size(entry: PendingCall | ActiveSubscription | undefined): number {
  if (entry === undefined) return -1;
  return entry.kind === "call" ? entry.text.length : entry.length;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Whether a result is exactly the server's acknowledgement of subscription `id`. */
function isAck(result: unknown, id: number): boolean {
  if (!isRecord(result) || result.subscription !== id) return false;
  for (const key in result) if (key !== "subscription") return false;
  return true;
}

function unsendable(method: string, cause: unknown): RpcError {
  return new RpcError(ErrorCode.InvalidParams, `The input of ${method} can't be sent`, { cause });
}
