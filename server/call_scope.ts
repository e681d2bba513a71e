/**
 * The abort signal of one call, made only if the handler asks for it.
 *
 * @module
 */

/** Tracks whether a call was cancelled, and hands its handler a signal. */
export class CallScope {
  #controller: AbortController | undefined;
  #reason: unknown;
  #cancelled = false;

  /** Fires when the call is cancelled or its connection closes. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#cancelled) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Whether {@linkcode cancel} was called. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** Cancels the call: its signal fires, now or when it is first read. */
  cancel(reason: unknown): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}
