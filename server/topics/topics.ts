/**
 * `createTopics`: the topics of one server process, on one engine.
 *
 * @module
 */

import type { TopicEngine } from "./engine.ts";
import { TopicHub } from "./hub.ts";
import { memoryEngine } from "./memory_engine.ts";
import { Topic, type TopicOptions } from "./topic.ts";

/** Options of {@linkcode createTopics}. */
export interface TopicsOptions {
  /**
   * Where events are kept and how they reach other instances:
   * {@linkcode memoryEngine} (the default: one process), or `redisEngine` from
   * `@wsrpc/core/redis` for several instances.
   */
  engine?: TopicEngine | undefined;
}

/**
 * The topics of a server process. Make one per process, and declare each
 * topic once with {@linkcode Topics.topic}.
 *
 * @example
 * ```ts
 * import { createTopics, type Topics } from "@wsrpc/core/server";
 *
 * const topics: Topics = createTopics();
 * const alerts = topics.topic<{ level: number }>("alerts");
 * await alerts.publish("ops", { level: 2 });
 * await topics.close();
 * ```
 */
export interface Topics {
  /**
   * Declares a topic.
   *
   * @param name Letters, digits, `_`, `.` and `-`; unique within the engine.
   * @param options The schema, history limits and subscriber bounds.
   * @returns The topic.
   * @throws {TypeError} For a bad name, or a name declared twice.
   */
  topic<T>(name: string, options?: TopicOptions<T>): Topic<T>;
  /** How many streams this process listens to, and their local subscribers. */
  readonly size: { streams: number; subscribers: number };
  /** Ends every subscriber in this process and closes the engine. */
  close(): Promise<void>;
}

/**
 * Makes the topics of a server process.
 *
 * @example Several instances on one Redis
 * ```ts ignore
 * import { createTopics } from "@wsrpc/core/server";
 * import { redisEngine } from "@wsrpc/core/redis";
 *
 * const topics = createTopics({ engine: redisEngine({ url: "redis://127.0.0.1:6379" }) });
 * ```
 *
 * @param options The engine.
 * @returns The topics.
 */
export function createTopics(options: TopicsOptions = {}): Topics {
  const hub = new TopicHub(options.engine ?? memoryEngine());
  const names = new Set<string>();
  return {
    topic<T>(name: string, topicOptions?: TopicOptions<T>): Topic<T> {
      if (names.has(name)) throw new TypeError(`The topic "${name}" is declared twice`);
      const topic = new Topic<T>(hub, name, topicOptions);
      names.add(name);
      return topic;
    },
    get size() {
      return hub.size;
    },
    close: () => hub.close(),
  };
}
