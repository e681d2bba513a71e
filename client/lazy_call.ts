/**
 * The result of a call made by a client that has only the contract's type:
 * a promise-like for a procedure and a stream for a subscription. The client
 * can't tell which it is, so it decides by how the call is used.
 *
 * @module
 */

import { ErrorCode, RpcError } from "../shared/errors.ts";
import type { SubscribeOptions } from "./options.ts";
import type { Adopt } from "./requests.ts";
import {
  bufferCapacity,
  type ClientSubscription,
  endOnAbort,
  type Observer,
  type OpenSubscription,
  Stream,
  type SubscriptionSink,
  type Unsubscribable,
} from "./subscription.ts";

/** How a lazy call is sent, one way or the other. */
export interface LazyCallParts {
  /** The dotted path, for error messages. */
  method: string;
  /**
   * Sends it as a procedure call; `adopt` takes it over if the server answers
   * that it is a subscription.
   */
  call: (adopt: Adopt) => Promise<unknown>;
  /** Opens it as a subscription. */
  open: OpenSubscription;
}

/**
 * A call that is always sent, whether or not it is awaited: opened as a
 * subscription if it is read (`for await`, `subscribe`, `started`) in the
 * tick it was made, otherwise sent as a procedure call on the next
 * microtask. A subscription sent that way is acknowledged by the server as
 * one; the request manager then turns the call into that subscription, whose
 * events wait to be read, and `await` gives the stream.
 */
export class LazyCall<T> implements PromiseLike<T>, ClientSubscription<T> {
  readonly #parts: LazyCallParts;
  readonly #options: SubscribeOptions | undefined;
  /** Sent as a procedure call: its result, or the stream it became. */
  #promise: Promise<unknown> | undefined;
  #stream: Stream<T> | undefined;
  /**
   * Sent as a procedure call and read as a stream: attaches the stream's sink
   * to the subscription the server acknowledged (at once if it did already).
   */
  #attach: ((open: OpenSubscription) => void) | undefined;
  /** The server acknowledged the call as a subscription: attaches a sink to it. */
  #adopted: OpenSubscription | undefined;

  /**
   * @param parts How to send it, as a call or as a subscription.
   * @param options The subscribe options, if it turns out to be a subscription.
   * @throws {RangeError} When `maxBuffered` is not above 0, as a subscription's stream would.
   */
  constructor(parts: LazyCallParts, options?: SubscribeOptions) {
    // Checked now: the stream may be made when the server's acknowledgement comes.
    bufferCapacity(options);
    this.#parts = parts;
    this.#options = options;
    // Not read in this tick: a procedure call (or a subscription the server says it is).
    queueMicrotask(() => this.#stream ?? this.#send());
  }

  then<TResult1 = T, TResult2 = never>(
    onfulfilled?: ((value: T) => TResult1 | PromiseLike<TResult1>) | null,
    onrejected?: ((reason: unknown) => TResult2 | PromiseLike<TResult2>) | null,
  ): Promise<TResult1 | TResult2> {
    // Read as a stream before anything was sent: `await` gives that stream (not thenable: no loop).
    const result = this.#promise ?? (this.#stream ? Promise.resolve(this.#stream) : this.#send());
    return (result as Promise<T>).then(onfulfilled, onrejected);
  }

  /** Like `Promise.prototype.catch`. */
  catch<TResult = never>(
    onrejected?: ((reason: unknown) => TResult | PromiseLike<TResult>) | null,
  ): Promise<T | TResult> {
    return this.then(undefined, onrejected);
  }

  /** Like `Promise.prototype.finally`. */
  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onfinally);
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.#asStream()[Symbol.asyncIterator]();
  }

  subscribe(observer: Observer<T>): Unsubscribable {
    return this.#asStream().subscribe(observer);
  }

  unsubscribe(): void {
    this.#asStream().unsubscribe();
  }

  get started(): Promise<void> {
    return this.#asStream().started;
  }

  #send(): Promise<unknown> {
    return this.#promise ??= this.#parts.call((acknowledged) => {
      // The request manager hands over the subscription the server acknowledged;
      // it ends on the signal, as one opened directly does.
      const open = endOnAbort(acknowledged, this.#options?.signal);
      this.#adopted = open;
      const stream = this.#asStream();
      // Its events wait in the stream until it is read. A stream unsubscribed
      // before the acknowledgement came doesn't open: it ends on the server.
      if (this.#attach) this.#attach(open);
      else stream.listen();
      return stream;
    });
  }

  /**
   * The stream: a subscription of its own if nothing was sent yet, otherwise
   * the one the call becomes.
   */
  #asStream(): Stream<T> {
    return this.#stream ??= new Stream<T>(
      this.#promise ? (sink) => this.#openAfterCall(sink) : this.#parts.open,
      this.#options,
    );
  }

  /** Opens the stream of a call already sent: attaches to what the server says it is. */
  #openAfterCall(sink: SubscriptionSink): () => void {
    let stop: (() => void) | undefined;
    let stopped = false;
    this.#attach = (open) => {
      stop = open(sink);
      if (stopped) stop();
    };
    if (this.#adopted) this.#attach(this.#adopted);
    else {
      this.#promise!.then(() => {
        if (this.#adopted) return;
        const message =
          `${this.#parts.method} answered as a procedure, so it can't be read as a subscription`;
        sink.error(new RpcError(ErrorCode.InvalidRequest, message));
      }, (error) => {
        // An abort signal ends a subscription as if the server completed it.
        if (error instanceof DOMException && error.name === "AbortError") sink.complete();
        else sink.error(RpcError.from(error));
      });
    }
    return () => {
      stopped = true;
      stop?.();
    };
  }
}
