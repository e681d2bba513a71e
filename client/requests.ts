/**
 * The request manager: numbers requests, matches replies to them, keeps what
 * waits for a connection, retries what may be retried, times calls out, and
 * re-establishes subscriptions after a reconnect.
 *
 * @module
 */

import { type Codec, sentAsIs, superjsonCodec } from "../shared/codec.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import { CLOSE_MESSAGE_TOO_BIG } from "../shared/close_codes.ts";
import { dueAt, EarliestTimer } from "../shared/deadlines.ts";
import { exceedsBytes } from "../shared/utf8.ts";
import { inputToParams, isRecord, type Meta, Method, requestText } from "../shared/wire.ts";
import { CallTable } from "./call_table.ts";
import { parseFrame } from "./parse_frame.ts";
import type { OpenSubscription, SubscriptionSink } from "./subscription.ts";

/** Where frames go. */
export interface FrameSink {
  /** Sends a frame now; `false` when there is no open connection to send it on. */
  send(text: string): boolean;
  /** The server is going away: send nothing more on this connection. */
  drain(): void;
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
 * the sink, at once or never (the events may be in the same frame; never ends
 * it on the server); the call resolves with what `adopt` returns.
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
  /** Called whenever the last call or subscription ends. */
  onIdle(): void;
}

/** What calls and subscriptions both keep: their frame, and what it was made from. */
interface Request {
  /** The id of the request that carries it on the current connection. */
  id: number;
  readonly method: string;
  /** The encoded input, and its meta: a subscription is sent again with them. */
  params: unknown;
  meta: Meta | undefined;
  /** The frame as it was last sent (or is to be sent). */
  text: string;
}

/** A call that awaits its reply: one object, its frame filled in by `#encode`. */
class PendingCall implements Request {
  readonly id: number;
  readonly method: string;
  readonly idempotent: boolean;
  readonly adopt: Adopt | undefined;
  params: unknown = undefined;
  meta: Meta | undefined = undefined;
  text = "";
  resolve: (value: unknown) => void = ignore;
  reject: (error: unknown) => void = ignore;
  /** Whether it went out on the current connection. */
  sent = false;
  /** When it times out, as a `Date.now()` time; `Infinity` for never. */
  expiresAt = Infinity;
  /** Stops listening to the call's abort signal. */
  detach: (() => void) | undefined = undefined;

  constructor(id: number, method: string, settings: CallSettings) {
    this.id = id;
    this.method = method;
    this.idempotent = settings.idempotent;
    this.adopt = settings.adopt;
  }
}

/** A subscription; its `id` is a new request's after each reconnect. */
interface ActiveSubscription extends Request {
  readonly sink: SubscriptionSink;
  /** The id of the last tracked event delivered, to resume from. */
  lastEventId?: string | undefined;
}

/** Sends requests and settles them from the frames it is given. */
export class RequestManager {
  readonly #out: FrameSink;
  readonly #codec: Codec;
  /** Whether events may share a meta object: the default codec only reads one. */
  readonly #shareMeta: boolean;
  readonly #options: RequestManagerOptions;
  /** The largest frame to send: the server's limit, or less once a server refused a frame. */
  #maxBytes: number;
  #nextId = 1;
  #waiting = 0;
  readonly #calls = new CallTable<PendingCall>();
  readonly #subscriptions = new Map<number, ActiveSubscription>();
  /**
   * One timer for every call's timeout, set for the earliest. Each call
   * carries its own deadline, so a call that is answered in time costs no
   * bookkeeping beyond its entry in `#calls`.
   */
  readonly #timeouts = new EarliestTimer((now) => this.#expireDue(now));
  /** The server said `rpc.reconnect` on this connection: it is going away. */
  #draining = false;

  /**
   * @param out Sends frames.
   * @param codec Turns payloads into JSON and back.
   * @param options Limits, and what to ask or tell the client.
   */
  constructor(out: FrameSink, codec: Codec, options: RequestManagerOptions) {
    this.#out = out;
    this.#codec = codec;
    this.#shareMeta = codec === superjsonCodec;
    this.#options = options;
    this.#maxBytes = options.maxMessageSize;
  }

  /** Whether no call awaits a reply and no subscription is open. */
  get idle(): boolean {
    return this.#calls.size === 0 && this.#subscriptions.size === 0;
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
    const id = this.#nextId++;
    const call = new PendingCall(id, method, settings);
    const refused = this.#encode(call, input, "call");
    if (refused) return Promise.reject(refused);
    return new Promise((resolve, reject) => {
      const { timeout } = settings;
      call.resolve = resolve;
      call.reject = reject;
      call.sent = this.#out.send(call.text);
      if (Number.isFinite(timeout)) call.expiresAt = Date.now() + timeout;
      if (!call.sent) {
        if (this.#waiting >= this.#options.maxQueue) {
          const message =
            `${this.#waiting} calls are already waiting for a connection; ${method} was not sent`;
          return reject(new RpcError(ErrorCode.Unavailable, message));
        }
        this.#waiting++;
      }
      this.#calls.add(call);
      this.#timeouts.arm(call.expiresAt);
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
    const id = this.#nextId++;
    const subscription: ActiveSubscription = {
      method,
      params: undefined,
      meta: undefined,
      text: "",
      sink,
      id,
    };
    const refused = this.#encode(subscription, input, "subscription");
    if (refused) {
      queueMicrotask(() => sink.error(refused));
      return () => {};
    }
    // Sent now, or by `resume` once the connection opens.
    this.#out.send(subscription.text);
    return this.#keep(subscription);
  }

  /** The connection is open: resubscribe, then send every call that waits. */
  resume(): void {
    this.#draining = false;
    const subscriptions = [...this.#subscriptions.values()];
    this.#subscriptions.clear();
    for (const subscription of subscriptions) {
      const { method, params, meta, lastEventId } = subscription;
      subscription.id = this.#nextId++;
      subscription.text = requestText(subscription.id, method, params, meta, lastEventId);
      this.#out.send(subscription.text);
      this.#keep(subscription);
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
    if (code === CLOSE_MESSAGE_TOO_BIG) this.#refuseLargest();
    for (const call of this.#calls.values()) {
      if (!call.sent) continue;
      if (call.idempotent) this.#requeue(call);
      else {
        this.#settleEarly(
          call.id,
          new RpcError(
            ErrorCode.ConnectionLost,
            `The connection was lost during the call to ${call.method}; it may or may not have run`,
          ),
        );
      }
    }
  }

  /**
   * Fails every call and ends every subscription.
   *
   * @param error The error calls reject with.
   * @param subscriptions `"error"` to fail subscriptions too, `"complete"` to end them quietly.
   */
  failAll(error: RpcError, subscriptions: "error" | "complete"): void {
    const calls = this.#calls.values();
    const streams = [...this.#subscriptions.values()];
    this.#calls.clear();
    this.#subscriptions.clear();
    this.#timeouts.clear();
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
  receive(text: string): void {
    let value: unknown;
    try {
      value = parseFrame(text, this.#shareMeta);
    } catch {
      return;
    }
    if (!Array.isArray(value)) this.#receiveOne(value);
    else for (const frame of value) this.#receiveOne(frame);
  }

  #receiveOne(frame: unknown): void {
    if (!isRecord(frame)) return;
    const meta = isRecord(frame.meta) ? frame.meta : undefined;
    if (typeof frame.id === "number" && ("result" in frame || "error" in frame)) {
      return this.#settle(frame.id, frame, meta);
    }
    if (frame.method === Method.Reconnect) {
      this.#draining = true;
      return this.#out.drain();
    }
    if (!isRecord(frame.params)) return;
    const params = this.#decode(frame.params, meta);
    if (!isRecord(params) || typeof params.subscription !== "number") return;
    const subscription = this.#subscriptions.get(params.subscription);
    if (subscription === undefined) return;
    const { sink } = subscription;
    // An event, a position or a gap: where to resume from.
    const position = typeof params.id === "string" ? params.id : undefined;
    if (position !== undefined) subscription.lastEventId = position;
    switch (frame.method) {
      case Method.Data:
        return sink.data(params.data);
      case Method.Gap:
        if (position !== undefined) sink.gap({ reason: String(params.reason), position });
        return;
      case Method.Complete:
        return this.#end(subscription);
      case Method.Error:
        return this.#end(subscription, this.#toError(params.error, undefined));
    }
  }

  #settle(id: number, frame: Record<string, unknown>, meta: Meta | undefined): void {
    const error = "error" in frame ? this.#toError(frame.error, meta) : undefined;
    // A server that is going away refused it before running it: send it
    // again after reconnecting. From a server that stays, it is the answer.
    const retry = error?.code === ErrorCode.Unavailable && this.#draining;
    const call = this.#calls.get(id);
    if (call !== undefined) {
      if (retry && call.sent) return this.#requeue(call);
      let result: unknown;
      if (!error && call.adopt && meta === undefined && isAck(frame.result, id)) {
        // The call's own frame opened the subscription: resubscribe with its params and meta.
        const { method, params, meta, text } = call;
        let opened = false;
        result = call.adopt((sink) => {
          opened = true;
          sink.started();
          return this.#keep({ method, params, meta, text, sink, id });
        });
        // Taken over by no one (given up before the acknowledgement): end it on the server.
        if (!opened) this.#sendUnsubscribe(id);
      } else if (!error) result = this.#decode(frame.result, meta);
      this.#forget(call);
      if (error) call.reject(error);
      else call.resolve(result);
      return;
    }
    const subscription = this.#subscriptions.get(id);
    // A call that would have become a subscription, given up before its acknowledgement.
    if (subscription === undefined) {
      if (isAck(frame.result, id)) this.#sendUnsubscribe(id);
    } else if (!error) subscription.sink.started();
    else if (!retry) this.#end(subscription, error); // else resubscribes after the reconnect
  }

  /**
   * Keeps a subscription under its current id; returns a function that ends
   * it on the server, safe to call more than once.
   */
  #keep(subscription: ActiveSubscription): () => void {
    this.#subscriptions.set(subscription.id, subscription);
    return () => {
      if (this.#subscriptions.get(subscription.id) !== subscription) return;
      this.#end(subscription, null);
      this.#sendUnsubscribe(subscription.id);
    };
  }

  /** Ends a subscription: completed, failed with `error`, or quietly (`null`). */
  #end(subscription: ActiveSubscription, error?: RpcError | null): void {
    this.#subscriptions.delete(subscription.id);
    if (error) subscription.sink.error(error);
    else if (error === undefined) subscription.sink.complete();
    this.#checkIdle();
  }

  /** Ends a call before its reply: it timed out or was aborted. */
  #settleEarly(id: number, error: unknown): void {
    const call = this.#calls.get(id);
    if (call === undefined) return;
    this.#forget(call);
    if (call.sent) this.#out.send(requestText(undefined, Method.Cancel, { id }));
    call.reject(error);
  }

  /** Times out every call whose deadline has passed; returns the next deadline. */
  #expireDue(now: number): number {
    const calls = this.#calls.values().map((call): [number, PendingCall] => [call.id, call]);
    const { due, next } = dueAt(calls, now, (call) => call.expiresAt);
    for (const id of due) this.#expire(id);
    return next;
  }

  #expire(id: number): void {
    const call = this.#calls.get(id);
    if (call === undefined) return;
    // A call that never went out timed out for want of a connection: say why there was none.
    const why = call.sent ? undefined : this.#options.connectionError();
    const message = `The call to ${call.method} timed out` +
      (why ? `: ${why.message.charAt(0).toLowerCase()}${why.message.slice(1)}` : "");
    this.#settleEarly(id, new RpcError(ErrorCode.Timeout, message, { cause: why }));
  }

  /** Fails the largest unanswered frame, which the server refused with 1009. */
  #refuseLargest(): void {
    let culprit: PendingCall | ActiveSubscription | undefined;
    for (const request of [...this.#calls.values(), ...this.#subscriptions.values()]) {
      const sent = "sink" in request || request.sent;
      if (sent && request.text.length > (culprit?.text.length ?? -1)) culprit = request;
    }
    if (culprit === undefined) return;
    const bytes = new TextEncoder().encode(culprit.text).length;
    this.#maxBytes = Math.min(this.#maxBytes, Math.max(0, bytes - 1));
    const kind = "sink" in culprit ? "subscription" : "call";
    const error = new RpcError(
      ErrorCode.PayloadTooLarge,
      `The server closed the connection (1009): the ${kind} ${culprit.method} was more ` +
        `than it accepts; it was not sent again`,
    );
    if ("sink" in culprit) this.#end(culprit, error);
    else {
      this.#forget(culprit);
      culprit.reject(error);
    }
  }

  /** A sent call waits to be sent again after the reconnect. */
  #requeue(call: PendingCall): void {
    call.sent = false;
    this.#waiting++;
  }

  #forget(call: PendingCall): void {
    this.#calls.delete(call.id);
    call.detach?.();
    if (!call.sent) this.#waiting--;
    this.#checkIdle();
  }

  #checkIdle(): void {
    if (this.idle) this.#options.onIdle();
  }

  #sendUnsubscribe(id: number): void {
    this.#out.send(requestText(undefined, Method.Unsubscribe, { subscription: id }));
  }

  /** Fills in a request's frame, or says why it can't be sent. */
  #encode(request: Request, input: unknown, kind: string): RpcError | undefined {
    const { id, method } = request;
    try {
      const params = inputToParams(input);
      // The default codec's common case goes without its `{ json, meta }`.
      if (sentAsIs(this.#codec, params)) request.params = params;
      else if (params !== undefined) {
        ({ json: request.params, meta: request.meta } = this.#codec.encode(params));
      }
      request.text = requestText(id, method, request.params, request.meta);
    } catch (cause) {
      return new RpcError(ErrorCode.InvalidParams, `The input of ${method} can't be sent`, {
        cause,
      });
    }
    if (!exceedsBytes(request.text, this.#maxBytes)) return undefined;
    return new RpcError(
      ErrorCode.PayloadTooLarge,
      `The ${kind} ${method} was not sent: its frame is over ${this.#maxBytes} bytes, ` +
        `the most the server takes (maxMessageSize)`,
      { data: { maxMessageSize: this.#maxBytes } },
    );
  }

  #decode(json: unknown, meta: Meta | undefined): unknown {
    return meta === undefined ? json : this.#codec.decode(json, meta);
  }

  #toError(error: unknown, meta: Meta | undefined): RpcError {
    if (!isRecord(error) || typeof error.code !== "number" || typeof error.message !== "string") {
      return new RpcError(ErrorCode.InternalError, "The server sent a malformed error");
    }
    // The frame's `meta` describes `error.data` itself, from its root.
    return new RpcError(error.code, error.message, { data: this.#decode(error.data, meta) });
  }
}

/** A settle function that does nothing: a call's own are set when its promise is made. */
function ignore(): void {}

function abortError(method: string, signal: AbortSignal): DOMException {
  const error = new DOMException(`The call to ${method} was aborted`, "AbortError");
  Object.defineProperty(error, "cause", { value: signal.reason });
  return error;
}

/** Whether a result is exactly the server's acknowledgement of subscription `id`. */
function isAck(result: unknown, id: number): boolean {
  if (!isRecord(result) || result.subscription !== id) return false;
  for (const key in result) if (key !== "subscription") return false;
  return true;
}
