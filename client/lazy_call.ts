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

/** Hears nothing: for a subscription that is ended as soon as it is taken over. */
const IGNORE: SubscriptionSink = {
  data() {},
  error() {},
  complete() {},
  gap() {},
  started() {},
};

/**
 * A call that is always sent, whether or not it is awaited: opened as a
 * subscription if it is read (`for await`, `subscribe`, `started`) in the
 * tick it was made, otherwise sent as a procedure call on the next
 * microtask. A subscription sent that way is acknowledged by the server as
 * one; the request manager then turns the call into that subscription, whose
 * events wait to be read, and `await` gives the stream.
 */
export class LazyCall<T> implements PromiseLike<T>, ClientSubscription<T> {
  readonly #method: string;
  readonly #call: (adopt: Adopt) => Promise<unknown>;
  readonly #open: OpenSubscription;
  readonly #options: SubscribeOptions | undefined;
  /** Sent as a procedure call: its result, or the stream it became. */
  #promise: Promise<unknown> | undefined;
  #stream: Stream<T> | undefined;
  /** The server acknowledged the call as a subscription: attaches a sink to it. */
  #adopted: OpenSubscription | undefined;
  /** A stream read before the acknowledgement came: attaches it once it comes. */
  #waiting: ((open: OpenSubscription) => void) | undefined;

  /**
   * @param parts How to send it, as a call or as a subscription.
   * @param options The subscribe options, if it turns out to be a subscription.
   * @throws {RangeError} When `maxBuffered` is not above 0, as a subscription's stream would.
   */
  constructor(parts: LazyCallParts, options?: SubscribeOptions) {
    // Checked now: the stream may be made when the server's acknowledgement comes.
    bufferCapacity(options);
    this.#method = parts.method;
    this.#call = parts.call;
    this.#open = parts.open;
    this.#options = options;
    // Not read in this tick: a procedure call (or a subscription the server says it is).
    queueMicrotask(() => {
      if (this.#stream === undefined) this.#send();
    });
  }

  then<TResult1 = T, TResult2 = never>(
    onfulfilled?: ((value: T) => TResult1 | PromiseLike<TResult1>) | null,
    onrejected?: ((reason: unknown) => TResult2 | PromiseLike<TResult2>) | null,
  ): Promise<TResult1 | TResult2> {
    return (this.#result() as Promise<T>).then(onfulfilled, onrejected);
  }

  /** Like `Promise.prototype.catch`. */
  catch<TResult = never>(
    onrejected?: ((reason: unknown) => TResult | PromiseLike<TResult>) | null,
  ): Promise<T | TResult> {
    return this.then(undefined, onrejected);
  }

  /** Like `Promise.prototype.finally`. */
  finally(onfinally?: (() => void) | null): Promise<T> {
    return (this.#result() as Promise<T>).finally(onfinally);
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
    const stream = this.#asStream();
    stream.listen();
    return stream.started;
  }

  /** What `await` gives: the call's result, or the stream it was read as. */
  #result(): Promise<unknown> {
    if (this.#promise === undefined && this.#stream !== undefined) {
      return Promise.resolve(this.#stream); // a stream is not thenable: no loop
    }
    return this.#send();
  }

  #send(): Promise<unknown> {
    this.#promise ??= this.#call((open) => this.#adopt(open));
    return this.#promise;
  }

  /**
   * The stream: a subscription of its own if nothing was sent yet, otherwise
   * the one the call becomes.
   */
  #asStream(): Stream<T> {
    this.#stream ??= new Stream<T>(
      this.#promise === undefined ? this.#open : (sink) => this.#openAfterCall(sink),
      this.#options,
    );
    return this.#stream;
  }

  /** Called by the request manager, at once, when the server acknowledged the call. */
  #adopt(open: OpenSubscription): Stream<T> {
    let used = false;
    const adopted: OpenSubscription = (sink) => {
      used = true;
      return open(sink);
    };
    this.#adopted = adopted;
    const stream = this.#asStream();
    if (this.#waiting) this.#waiting(adopted);
    else stream.listen(); // its events wait in the stream until it is read
    // Unsubscribed before the acknowledgement came: end it on the server too.
    if (!used) open(IGNORE)();
    return stream;
  }

  /** Opens the stream of a call already sent: attaches to what the server says it is. */
  #openAfterCall(sink: SubscriptionSink): () => void {
    if (this.#adopted) return this.#adopted(sink);
    let stop: (() => void) | undefined;
    let stopped = false;
    this.#waiting = (open) => {
      const end = open(sink);
      if (stopped) end();
      else stop = end;
    };
    this.#promise?.then(() => {
      if (this.#adopted !== undefined) return;
      const message =
        `${this.#method} answered as a procedure, so it can't be read as a subscription`;
      sink.error(new RpcError(ErrorCode.InvalidRequest, message));
    }, (error) => {
      // An abort signal ends a subscription as if the server completed it.
      if (error instanceof DOMException && error.name === "AbortError") sink.complete();
      else sink.error(RpcError.from(error));
    });
    return () => {
      stopped = true;
      stop?.();
    };
  }
}
