/**
 * One subscriber of one topic key: replays what it missed, then follows the
 * live events, with no hole and no repeat between the two.
 *
 * @module
 */

import { BoundedQueue } from "../../shared/bounded_queue.ts";
import { ErrorCode, RpcError } from "../../shared/errors.ts";
import { Checkpoint, Gap, type GapReason } from "../stream_marks.ts";
import type { HistoryLimits, HistoryPage, StoredEvent } from "./engine.ts";
import type { Decode, LiveEntry, StreamListener, TopicHub } from "./hub.ts";
import { formatPosition, parsePosition } from "./position.ts";
import type { TopicEvent } from "./topic_event.ts";
import { withResolvers } from "../../shared/resolvers.ts";

/** What a subscriber yields. */
export type TopicYield<T> = TopicEvent<T> | Gap | Checkpoint;

/**
 * Where a subscriber's live events can go straight to, when the subscription
 * reads the subscriber itself (its handler returned it): the hub's fan-out
 * then sends each event in its own loop, with no async step per subscriber.
 */
export interface DirectSink {
  /**
   * Sends one live event now, if it can.
   *
   * @returns `false` when it can't (the client is behind, say): the event
   *   then waits in the subscriber's queue, for the subscription to read.
   */
  deliver(event: TopicEvent<unknown>): boolean;
}

/** How a subscriber behaves; the topic's settings and the subscribe options. */
export interface CursorSettings {
  readonly hub: TopicHub;
  readonly stream: string;
  readonly decode: Decode;
  /** The topic's history limits. */
  readonly limits: HistoryLimits;
  /** The most events replayed on resume; more missed is a gap. */
  readonly maxReplay: number;
  /** The most live events held for a subscriber that is not reading. */
  readonly maxLag: number;
  /** The client's last position, if it resumes. */
  readonly lastEventId: string | undefined;
  /** How many recent events a fresh subscriber starts with. */
  readonly replay: number;
  readonly signal: AbortSignal | undefined;
}

const DONE: IteratorResult<never> = { value: undefined, done: true };
const RETRY_FIRST = 100;
const RETRY_MAX = 5_000;

/**
 * A subscriber, as an async iterator. It listens first, then reads the
 * history, and drops live events it already replayed (by offset). A hole in
 * the live events (a lost notification, or a subscriber that fell more than
 * `maxLag` behind) is filled from the history; what the history no longer
 * holds is a {@linkcode Gap}, never a silent skip.
 */
export class Cursor<T> implements AsyncIterableIterator<TopicYield<T>>, StreamListener {
  readonly #settings: CursorSettings;
  #epoch = "";
  #last = 0;
  #started = false;
  #done = false;
  /** Whether live events may have been missed since `#last`. */
  #behind = false;
  #failures = 0;
  /** Live events not read yet; past `maxLag` they are dropped and read from the history. */
  readonly #queue: BoundedQueue<LiveEntry>;
  readonly #outbox: TopicYield<T>[] = [];
  #wake: (() => void) | undefined;
  /** Waiting in `next` for a live event, with nothing queued: the state direct delivery needs. */
  #parked = false;
  #direct: DirectSink | undefined;
  readonly #onAbort = () => void this.return();
  readonly #ended = withResolvers<never>();

  constructor(settings: CursorSettings) {
    this.#settings = settings;
    this.#queue = new BoundedQueue(settings.maxLag);
    this.#ended.promise.catch(() => {});
    settings.signal?.addEventListener("abort", this.#onAbort, { once: true });
    if (settings.signal?.aborted) this.#onAbort();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * Lets live events go straight to `sink` while its reader waits in `next`
   * with nothing queued. Replays, catch-ups and gaps still come through
   * `next`, and nothing overtakes what waits there.
   *
   * @param sink Where live events may go.
   */
  deliverTo(sink: DirectSink): void {
    this.#direct = sink;
  }

  async next(): Promise<IteratorResult<TopicYield<T>>> {
    if (!this.#started) await this.#start();
    while (true) {
      const out = this.#outbox.shift();
      if (out !== undefined) return { value: out, done: false };
      if (this.#done) return DONE;
      if (this.#behind) {
        await this.#catchUp();
        continue;
      }
      const entry = this.#queue.shift();
      if (entry === undefined) {
        this.#parked = true;
        await new Promise<void>((resolve) => this.#wake = resolve);
        this.#parked = false;
        this.#wake = undefined;
        continue;
      }
      if (entry.epoch !== this.#epoch || entry.offset > this.#last + 1) {
        this.#behind = true; // made again, or a hole: the history says which
        continue;
      }
      if (entry.offset <= this.#last) continue; // already replayed
      this.#last = entry.offset;
      return { value: entry.event as TopicEvent<T>, done: false };
    }
  }

  return(): Promise<IteratorResult<TopicYield<T>>> {
    this.end();
    return Promise.resolve(DONE);
  }

  end(): void {
    if (this.#done) return;
    this.#done = true;
    this.#queue.clear();
    this.#outbox.length = 0;
    this.#settings.signal?.removeEventListener("abort", this.#onAbort);
    this.#settings.hub.leave(this.#settings.stream, this);
    this.#ended.reject(new RpcError(ErrorCode.Cancelled, "The subscription ended"));
    this.#wake?.();
  }

  push(entry: LiveEntry): void {
    if (this.#done) return;
    if (
      this.#parked && this.#direct !== undefined && !this.#behind &&
      this.#queue.length === 0 && this.#outbox.length === 0 &&
      entry.epoch === this.#epoch && entry.offset === this.#last + 1 &&
      this.#direct.deliver(entry.event)
    ) {
      this.#last = entry.offset;
      return;
    }
    // Too far behind to hold in memory: drop what waits and read it all from
    // the history when it catches up.
    if (!this.#queue.push(entry)) {
      this.#queue.clear();
      this.#behind = true;
    }
    this.#wake?.();
  }

  resync(): void {
    this.#behind = true;
    this.#failures = 0;
    this.#wake?.();
  }

  async #start(): Promise<void> {
    this.#started = true;
    const { hub, stream, decode, limits, lastEventId, replay } = this.#settings;
    let resumeFrom = undefined;
    if (lastEventId !== undefined) {
      resumeFrom = parsePosition(lastEventId);
      if (resumeFrom === undefined) {
        this.end();
        throw new RpcError(
          ErrorCode.InvalidParams,
          "The lastEventId is not a position of this topic",
        );
      }
    }
    while (!this.#done) {
      try {
        await this.#until(hub.join(stream, this, decode, limits));
        break;
      } catch {
        hub.leave(stream, this);
        await this.#retryDelay();
      }
    }
    if (resumeFrom !== undefined) {
      this.#epoch = resumeFrom.epoch;
      this.#last = resumeFrom.offset;
      this.#behind = true; // `next` catches up before anything else
      return;
    }
    let page: HistoryPage | undefined;
    while (!this.#done && page === undefined) {
      page = await this.#read(undefined, replay);
    }
    if (page === undefined) return;
    this.#epoch = page.epoch;
    this.#last = page.top;
    for (const stored of page.events) this.#outbox.push(this.#event(stored));
    if (this.#outbox.length === 0) this.#outbox.push(new Checkpoint(this.#position()));
  }

  /** Reads what was missed since `#last`: the events, or a gap. */
  async #catchUp(): Promise<void> {
    this.#behind = false;
    const { maxReplay } = this.#settings;
    const page = await this.#read(this.#last, maxReplay);
    if (page === undefined) {
      this.#behind = !this.#done;
      return;
    }
    if (page.epoch !== this.#epoch || this.#last > page.top) return this.#gap("epoch", page);
    if (page.top === this.#last) return;
    if (this.#last + 1 < page.first) return this.#gap("trimmed", page);
    if (page.top - this.#last > maxReplay) return this.#gap("limit", page);
    for (const stored of page.events) {
      if (stored.offset !== this.#last + 1) continue;
      this.#last = stored.offset;
      this.#outbox.push(this.#event(stored));
    }
    if (this.#last < page.top) this.#behind = true;
  }

  #gap(reason: GapReason, page: HistoryPage): void {
    this.#epoch = page.epoch;
    this.#last = page.top;
    this.#outbox.push(new Gap(reason, this.#position()));
  }

  /** One history read; `undefined` (after a pause) when the engine failed. */
  async #read(after: number | undefined, limit: number): Promise<HistoryPage | undefined> {
    try {
      const page = await this.#until(this.#settings.hub.read(this.#settings.stream, after, limit));
      this.#failures = 0;
      return this.#done ? undefined : page;
    } catch {
      await this.#retryDelay();
      return undefined;
    }
  }

  /** Waits before trying the engine again; a resync or the end cuts it short. */
  async #retryDelay(): Promise<void> {
    if (this.#done) return;
    const delay = Math.min(RETRY_MAX, RETRY_FIRST * 2 ** this.#failures++);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, delay);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  /** Settles with the promise, or rejects as soon as the cursor ends. */
  #until<R>(promise: Promise<R>): Promise<R> {
    return Promise.race([promise, this.#ended.promise]);
  }

  #event(stored: StoredEvent): TopicEvent<T> {
    const { hub, decode } = this.#settings;
    return hub.eventOf(stored, this.#epoch, decode) as TopicEvent<T>;
  }

  #position(): string {
    return formatPosition({ epoch: this.#epoch, offset: this.#last });
  }
}
