/**
 * The in-process topic engine: streams kept in this process's memory.
 *
 * @module
 */

import type {
  EngineReceiver,
  HistoryLimits,
  HistoryPage,
  StoredEvent,
  TopicEngine,
} from "./engine.ts";
import { newEpoch, type Position } from "./position.ts";

interface KeptEvent extends StoredEvent {
  /** When it was published (ms since the epoch). */
  readonly at: number;
}

interface MemoryStream {
  top: number;
  /** The newest events, oldest first; may hold a little more than the limit. */
  readonly events: KeptEvent[];
  limits: HistoryLimits;
}

/**
 * The engine of one server process: each topic key's history lives in this
 * process's memory, bounded as its topic says. It is the default. One epoch
 * covers the whole process, so a client that resumes after a restart is told
 * it missed events (a gap) instead of getting offsets of another life.
 *
 * @example
 * ```ts
 * import { createTopics, memoryEngine } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * const topics = createTopics({ engine: memoryEngine() });
 * const news = topics.topic<string>("news");
 * const position = await news.publish("world", "hello");
 * assert.match(position, /^[0-9a-z]+:1$/);
 * await topics.close();
 * ```
 *
 * @returns An engine for {@linkcode createTopics}.
 */
export function memoryEngine(): TopicEngine {
  return new MemoryEngine();
}

class MemoryEngine implements TopicEngine {
  readonly #epoch = newEpoch();
  readonly #streams = new Map<string, MemoryStream>();
  readonly #listened = new Set<string>();
  #receiver: EngineReceiver | undefined;

  connect(receiver: EngineReceiver): void {
    this.#receiver = receiver;
  }

  publish(stream: string, payload: string, limits: HistoryLimits): Promise<Position> {
    let kept = this.#streams.get(stream);
    if (kept === undefined) {
      kept = { top: 0, events: [], limits };
      this.#streams.set(stream, kept);
    }
    kept.limits = limits;
    const offset = ++kept.top;
    kept.events.push({ offset, payload, at: Date.now() });
    trim(kept);
    if (this.#listened.has(stream)) this.#receiver?.event(stream, this.#epoch, offset, payload);
    return Promise.resolve({ epoch: this.#epoch, offset });
  }

  read(stream: string, after: number | undefined, limit: number): Promise<HistoryPage> {
    const kept = this.#streams.get(stream);
    if (kept === undefined) {
      return Promise.resolve({ epoch: this.#epoch, top: 0, first: 1, events: [] });
    }
    trim(kept);
    const first = firstKept(kept);
    const from = Math.max(first, after === undefined ? kept.top - limit + 1 : after + 1);
    const start = kept.events.findIndex((event) => event.offset >= from);
    const events = start < 0 || limit <= 0
      ? []
      // The kept objects themselves, so that the hub decodes each one once for every reader.
      : kept.events.slice(start, start + limit);
    return Promise.resolve({ epoch: this.#epoch, top: kept.top, first, events });
  }

  listen(stream: string): Promise<void> {
    this.#listened.add(stream);
    return Promise.resolve();
  }

  unlisten(stream: string): void {
    this.#listened.delete(stream);
  }

  close(): Promise<void> {
    this.#listened.clear();
    return Promise.resolve();
  }
}

/** The oldest offset within the stream's limits. */
function firstKept(kept: MemoryStream): number {
  const byLength = kept.top - kept.limits.maxLength + 1;
  const oldest = kept.events[0]?.offset ?? kept.top + 1;
  return Math.max(oldest, byLength, 1);
}

/** Drops what the limits no longer keep; lets the array run over a little to stay cheap. */
function trim(kept: MemoryStream): void {
  const { events, limits } = kept;
  if (Number.isFinite(limits.maxAge)) {
    const oldest = Date.now() - limits.maxAge;
    let stale = 0;
    while (stale < events.length && events[stale]!.at < oldest) stale++;
    if (stale > 0) events.splice(0, stale);
  }
  const over = events.length - limits.maxLength;
  if (over > 0 && over >= Math.min(64, limits.maxLength)) events.splice(0, over);
}
