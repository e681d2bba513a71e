/**
 * The result of a call made by a client that has only the contract's type:
 * a promise-like for a procedure and a stream for a subscription, sent on
 * first use as one or the other.
 *
 * @module
 */

import type { OpenSubscription, StreamOptions } from "./subscription.ts";
import {
  type ClientSubscription,
  type Observer,
  Stream,
  type Unsubscribable,
} from "./subscription.ts";

/** A call that is sent once it is awaited (a procedure) or read (a subscription). */
export class LazyCall<T> implements PromiseLike<T>, ClientSubscription<T> {
  readonly #call: () => Promise<T>;
  readonly #open: OpenSubscription;
  readonly #streamOptions: StreamOptions | undefined;
  #promise: Promise<T> | undefined;
  #stream: Stream<T> | undefined;

  /**
   * @param call Sends the call as a procedure.
   * @param open Opens it as a subscription.
   * @param streamOptions A subscription's `onGap` and `maxBuffered`.
   */
  constructor(
    call: () => Promise<unknown>,
    open: OpenSubscription,
    streamOptions?: StreamOptions,
  ) {
    this.#call = call as () => Promise<T>;
    this.#open = open;
    this.#streamOptions = streamOptions;
  }

  then<TResult1 = T, TResult2 = never>(
    onfulfilled?: ((value: T) => TResult1 | PromiseLike<TResult1>) | null,
    onrejected?: ((reason: unknown) => TResult2 | PromiseLike<TResult2>) | null,
  ): Promise<TResult1 | TResult2> {
    this.#promise ??= this.#call();
    return this.#promise.then(onfulfilled, onrejected);
  }

  /** Like `Promise.prototype.catch`. */
  catch<TResult = never>(
    onrejected?: ((reason: unknown) => TResult | PromiseLike<TResult>) | null,
  ): Promise<T | TResult> {
    return this.then(undefined, onrejected);
  }

  /** Like `Promise.prototype.finally`. */
  finally(onfinally?: (() => void) | null): Promise<T> {
    this.#promise ??= this.#call();
    return this.#promise.finally(onfinally);
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.#asStream()[Symbol.asyncIterator]();
  }

  subscribe(observer: Observer<T>): Unsubscribable {
    return this.#asStream().subscribe(observer);
  }

  unsubscribe(): void {
    this.#stream?.unsubscribe();
  }

  #asStream(): Stream<T> {
    this.#stream ??= new Stream<T>(this.#open, this.#streamOptions);
    return this.#stream;
  }
}
