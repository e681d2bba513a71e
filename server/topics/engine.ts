/**
 * The seam between topics and where their events are kept: in this process
 * ({@linkcode memoryEngine}) or in Redis (`@wsrpc/core/redis`).
 *
 * @module
 */

import type { Position } from "./position.ts";

/** One event as an engine keeps it: its offset and its encoded payload. */
export interface StoredEvent {
  /** The event's offset in its stream. */
  readonly offset: number;
  /** The event, encoded by its topic. */
  readonly payload: string;
}

/** What an engine answers to a read of a stream's history. */
export interface HistoryPage {
  /** The stream's current epoch. */
  readonly epoch: string;
  /** The offset of the newest event, 0 when none was ever published. */
  readonly top: number;
  /** The offset of the oldest event still kept (`top + 1` when none is). */
  readonly first: number;
  /** The events asked for, oldest first, with no holes. */
  readonly events: readonly StoredEvent[];
}

/** How much history a topic keeps for each key. */
export interface HistoryLimits {
  /** The most events kept per topic key. */
  readonly maxLength: number;
  /** Milliseconds an event is kept for; `Infinity` for no age limit. */
  readonly maxAge: number;
}

/** Where an engine delivers what it hears. A topic hub is the only one. */
export interface EngineReceiver {
  /** A live event of a stream this process listens to. */
  event(stream: string, epoch: string, offset: number, payload: string): void;
  /**
   * The engine may have missed live events (its link was down): every
   * listener should read what it may have missed.
   */
  resync(): void;
}

/**
 * Keeps topic streams and carries their events between server instances.
 * Each stream is the history of one topic key. An engine assigns each
 * published event the next offset of its stream, keeps a bounded history,
 * and delivers the event to every process that listens to the stream.
 *
 * @example An engine that keeps nothing and delivers nowhere, for a test double
 * ```ts
 * import type { TopicEngine } from "@wsrpc/core/server";
 *
 * let top = 0;
 * const nowhere: TopicEngine = {
 *   connect() {},
 *   publish: () => Promise.resolve({ epoch: "e", offset: ++top }),
 *   read: () => Promise.resolve({ epoch: "e", top, first: top + 1, events: [] }),
 *   listen: () => Promise.resolve(),
 *   unlisten() {},
 *   close: () => Promise.resolve(),
 * };
 * ```
 */
export interface TopicEngine {
  /** Sets where live events go. Called once, by the hub that owns the engine. */
  connect(receiver: EngineReceiver): void;
  /**
   * Appends an event to a stream and delivers it to every listening process.
   *
   * @returns The position the event was given.
   * @throws {RpcError} `Unavailable` when the event could not be stored.
   */
  publish(stream: string, payload: string, limits: HistoryLimits): Promise<Position>;
  /**
   * Reads a stream's history: the events after offset `after`, at most
   * `limit` of them; or, with `after` undefined, the newest `limit` events.
   */
  read(stream: string, after: number | undefined, limit: number): Promise<HistoryPage>;
  /**
   * Starts delivering a stream's live events; resolves once that is in place.
   * `limits` are the stream's topic's, for what the engine keeps in memory.
   */
  listen(stream: string, limits: HistoryLimits): Promise<void>;
  /** Stops delivering a stream's live events. */
  unlisten(stream: string): void;
  /** Lets go of connections and timers. */
  close(): Promise<void>;
}
