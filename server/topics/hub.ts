/**
 * The topic hub of one process: which streams it listens to, and the local
 * subscribers of each. A live event is decoded once here and handed to every
 * local subscriber of its stream.
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
import { formatPosition } from "./position.ts";
import { TopicEvent } from "./topic_event.ts";

/** Turns a stored payload back into the event. */
export type Decode = (payload: string) => unknown;

/**
 * A live event as the engine delivered it, shared by all local subscribers;
 * decoded on first use.
 */
export class LiveEntry {
  readonly epoch: string;
  readonly offset: number;
  readonly #payload: string;
  readonly #decode: Decode;
  #event: TopicEvent<unknown> | undefined;

  constructor(epoch: string, offset: number, payload: string, decode: Decode) {
    this.epoch = epoch;
    this.offset = offset;
    this.#payload = payload;
    this.#decode = decode;
  }

  /** The event, decoded once for every subscriber. */
  get event(): TopicEvent<unknown> {
    return this.#event ??= new TopicEvent(
      formatPosition({ epoch: this.epoch, offset: this.offset }),
      this.#decode(this.#payload),
    );
  }
}

/** A local subscriber of a stream. */
export interface StreamListener {
  /** A live event of its stream. */
  push(entry: LiveEntry): void;
  /** Live events may have been missed: read the history again. */
  resync(): void;
  /** The topics were closed: end. */
  end(): void;
}

interface Channel {
  readonly decode: Decode;
  readonly listeners: Set<StreamListener>;
  readonly listening: Promise<void>;
}

/** Routes an engine's live events to this process's subscribers. */
export class TopicHub implements EngineReceiver {
  readonly #engine: TopicEngine;
  readonly #channels = new Map<string, Channel>();
  /** Events read from the history, decoded once while an engine hands out the same object. */
  readonly #replayed = new WeakMap<StoredEvent, TopicEvent<unknown>>();

  /** @param engine Where streams are kept. */
  constructor(engine: TopicEngine) {
    this.#engine = engine;
    engine.connect(this);
  }

  /** The engine, for publishing and reading. */
  get engine(): TopicEngine {
    return this.#engine;
  }

  event(stream: string, epoch: string, offset: number, payload: string): void {
    const channel = this.#channels.get(stream);
    if (channel === undefined) return;
    const entry = new LiveEntry(epoch, offset, payload, channel.decode);
    for (const listener of channel.listeners) listener.push(entry);
  }

  resync(): void {
    for (const channel of this.#channels.values()) {
      for (const listener of channel.listeners) listener.resync();
    }
  }

  /**
   * Adds a local subscriber to a stream. Resolves once the engine delivers
   * the stream's live events here, so that a history read made after it
   * leaves no hole before the live events.
   */
  join(
    stream: string,
    listener: StreamListener,
    decode: Decode,
    limits: HistoryLimits,
  ): Promise<void> {
    let channel = this.#channels.get(stream);
    if (channel === undefined) {
      const made: Channel = {
        decode,
        listeners: new Set(),
        listening: this.#engine.listen(stream, limits),
      };
      // Each joiner sees the failure and joins again later, on a new channel.
      made.listening.catch(() => {
        if (this.#channels.get(stream) === made) this.#channels.delete(stream);
      });
      this.#channels.set(stream, made);
      channel = made;
    }
    channel.listeners.add(listener);
    return channel.listening;
  }

  /** Removes a local subscriber; the last one to leave stops the listening. */
  leave(stream: string, listener: StreamListener): void {
    const channel = this.#channels.get(stream);
    if (channel === undefined || !channel.listeners.delete(listener)) return;
    if (channel.listeners.size > 0) return;
    this.#channels.delete(stream);
    this.#engine.unlisten(stream);
  }

  /** Reads a stream's history. */
  read(stream: string, after: number | undefined, limit: number): Promise<HistoryPage> {
    return this.#engine.read(stream, after, limit);
  }

  /**
   * The event of a stored one, made once per stored object: an engine that
   * serves many resumes from one read hands every subscriber the same objects.
   */
  eventOf(stored: StoredEvent, epoch: string, decode: Decode): TopicEvent<unknown> {
    let event = this.#replayed.get(stored);
    if (event === undefined || !event.id.startsWith(`${epoch}:`)) {
      event = new TopicEvent(
        formatPosition({ epoch, offset: stored.offset }),
        decode(stored.payload),
      );
      this.#replayed.set(stored, event);
    }
    return event;
  }

  /** How many streams this process listens to, and how many local subscribers they have. */
  get size(): { streams: number; subscribers: number } {
    let subscribers = 0;
    for (const channel of this.#channels.values()) subscribers += channel.listeners.size;
    return { streams: this.#channels.size, subscribers };
  }

  /** Ends every subscriber and lets go of the engine. */
  async close(): Promise<void> {
    const channels = [...this.#channels.entries()];
    this.#channels.clear();
    for (const [stream, channel] of channels) {
      this.#engine.unlisten(stream);
      for (const listener of channel.listeners) listener.end();
    }
    await this.#engine.close();
  }
}
