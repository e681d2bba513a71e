/**
 * The wsrpc servers' fan-out topic: an in-process hub whose subscribers are
 * async generators, each with its own queue.
 *
 * @module
 */

type Deliver<T> = (event: T) => void;

/** A topic: `publish` hands events, in order, to every listening generator. */
export class Hub<T> {
  readonly #subscribers = new Set<Deliver<T>>();

  /** How many generators are listening. */
  get size(): number {
    return this.#subscribers.size;
  }

  /** Publishes `make(0)` … `make(count - 1)` to every subscriber, in order. */
  publish(count: number, make: (i: number) => T): void {
    for (let i = 0; i < count; i++) {
      const event = make(i);
      for (const deliver of this.#subscribers) deliver(event);
    }
  }

  /**
   * Joins the topic, yields `ready` (so the consumer knows it has joined),
   * then every published event, until `signal` aborts.
   */
  async *listen(ready: T, signal: AbortSignal): AsyncGenerator<T, void, undefined> {
    let queue: T[] = [];
    let wake: (() => void) | undefined;
    const deliver: Deliver<T> = (event) => {
      queue.push(event);
      wake?.();
    };
    const onAbort = (): void => wake?.();
    this.#subscribers.add(deliver);
    signal.addEventListener("abort", onAbort);
    try {
      yield ready;
      while (!signal.aborted) {
        if (queue.length === 0) {
          await new Promise<void>((resolve) => wake = resolve);
          wake = undefined;
          continue;
        }
        const batch = queue;
        queue = [];
        for (const event of batch) yield event;
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.#subscribers.delete(deliver);
    }
  }
}
