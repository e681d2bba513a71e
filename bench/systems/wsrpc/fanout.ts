/**
 * The wsrpc servers' fan-out: one key of a topic made with the library's
 * `createTopics`, on the memory engine or on Redis, subscribed to and
 * published to as an application would.
 *
 * @module
 */

import { createTopics, type Topic, type TopicEngine, type TopicYield } from "@wsrpc/core/server";

/** The topic key every fan-out subscriber listens to. */
const KEY = "all";

/** A fan-out topic of events of type `T`. */
export class FanOut<T> {
  readonly #topic: Topic<T>;
  readonly #ready: T;
  readonly #make: (i: number) => T;

  /**
   * @param engine Where the topic's events are kept and carried.
   * @param ready The marker a fresh subscriber gets once it has joined.
   * @param make Makes the i-th published event.
   */
  constructor(engine: TopicEngine, ready: T, make: (i: number) => T) {
    this.#topic = createTopics({ engine }).topic<T>("fanout");
    this.#ready = ready;
    this.#make = make;
  }

  /**
   * Resolves once the engine answers (on Redis: both of its connections are
   * up): a subscriber of another key has joined and read its history. Then
   * publishes the ready marker, so that the fan-out key's newest event is it
   * until the workload publishes.
   */
  async started(): Promise<void> {
    const probe = this.#topic.subscribe("startup");
    try {
      await probe.next();
    } finally {
      await probe.return?.();
    }
    await this.#topic.publish(KEY, this.#ready);
  }

  /**
   * The subscription handler's body: the topic's subscriber itself, so that
   * live events go straight from the topic to each socket. A fresh
   * subscriber starts with the newest event (`replay: 1`), the ready marker,
   * which it gets once it has joined; one that resumes gets the events after
   * `lastEventId`.
   */
  listen(lastEventId: string | undefined, signal: AbortSignal): AsyncIterable<TopicYield<T>> {
    const replay = lastEventId === undefined ? 1 : 0;
    return this.#topic.subscribe(KEY, { lastEventId, signal, replay });
  }

  /**
   * Publishes events 0 … count-1, back to back (the Redis engine pipelines
   * them on its connection, in order); resolves to the newest one's position.
   */
  async publish(count: number): Promise<string> {
    const positions: Promise<string>[] = [];
    for (let i = 0; i < count; i++) positions.push(this.#topic.publish(KEY, this.#make(i)));
    return (await Promise.all(positions)).at(-1) ?? "";
  }
}
