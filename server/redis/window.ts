/**
 * What one instance remembers of each stream it listens to, so that many
 * subscribers resuming at once cost one read of Redis, not one each.
 *
 * @module
 */

import type { HistoryLimits, HistoryPage, StoredEvent } from "../topics/engine.ts";

/** Reads a page from Redis. */
export type FetchPage = (
  stream: string,
  after: number | undefined,
  limit: number,
) => Promise<HistoryPage>;

interface Window {
  readonly limits: HistoryLimits;
  /** Whether `events` is known to hold every event from its first to `top`. */
  valid: boolean;
  epoch: string;
  top: number;
  /** Contiguous events, oldest first, ending at `top` (when valid). */
  events: StoredEvent[];
  /** When each event arrived here, for the age limit. */
  arrived: number[];
}

/**
 * The recent events of each listened stream, kept from live events and from
 * reads, and reads in flight shared by everyone who asks the same thing.
 * A window is trusted only while its stream is listened to and nothing was
 * missed: a hole in the live events, or a lost link, throws it away.
 */
export class HistoryWindows {
  readonly #fetch: FetchPage;
  readonly #maxEvents: number;
  readonly #windows = new Map<string, Window>();
  readonly #inFlight = new Map<string, Promise<HistoryPage>>();

  /**
   * @param fetch Reads a page from Redis.
   * @param maxEvents The most events remembered per stream.
   */
  constructor(fetch: FetchPage, maxEvents: number) {
    this.#fetch = fetch;
    this.#maxEvents = maxEvents;
  }

  /** Starts remembering a stream (it is now listened to). */
  track(stream: string, limits: HistoryLimits): void {
    if (this.#windows.has(stream)) return;
    this.#windows.set(stream, { limits, valid: false, epoch: "", top: 0, events: [], arrived: [] });
  }

  /** Forgets a stream (it is no longer listened to). */
  untrack(stream: string): void {
    this.#windows.delete(stream);
  }

  /** Distrusts every window: live events may have been missed. */
  invalidateAll(): void {
    for (const window of this.#windows.values()) reset(window);
  }

  /** A live event: extends the window, or throws it away if it leaves a hole. */
  live(stream: string, epoch: string, offset: number, payload: string): void {
    const window = this.#windows.get(stream);
    if (window === undefined) return;
    const last = window.events.at(-1)?.offset ?? (window.valid ? window.top : undefined);
    if (last !== undefined && (window.epoch !== epoch || offset !== last + 1)) {
      if (offset <= last && window.epoch === epoch) return; // already known
      reset(window);
    }
    window.epoch = epoch;
    window.events.push({ offset, payload });
    window.arrived.push(Date.now());
    if (window.valid) window.top = offset;
    this.#bound(window);
  }

  /** Reads a page: from the window when it has it, else from Redis, once per question. */
  read(stream: string, after: number | undefined, limit: number): Promise<HistoryPage> {
    const window = this.#windows.get(stream);
    if (window !== undefined) {
      this.#bound(window);
      const local = answer(window, after, limit);
      if (local !== undefined) return Promise.resolve(local);
    }
    const key = `${after ?? "newest"} ${limit} ${stream}`;
    let page = this.#inFlight.get(key);
    if (page === undefined) {
      page = this.#fetch(stream, after, limit);
      this.#inFlight.set(key, page);
      page.then((read) => this.#absorb(stream, after, read), () => {}).finally(() => {
        this.#inFlight.delete(key);
      });
    }
    return page;
  }

  /** Makes a window from a page that reaches the newest event, keeping live events past it. */
  #absorb(stream: string, after: number | undefined, page: HistoryPage): void {
    const window = this.#windows.get(stream);
    if (
      window === undefined ||
      (window.valid && window.epoch === page.epoch && window.top >= page.top)
    ) {
      return;
    }
    const events = page.events;
    const reachesTop = events.length === 0
      ? (after === undefined || after === page.top)
      : events.at(-1)!.offset === page.top;
    if (!reachesTop) return;
    const now = Date.now();
    const later = window.epoch === page.epoch
      ? window.events.filter((event) => event.offset > page.top)
      : [];
    if (later.length > 0 && later[0]!.offset !== page.top + 1) return; // a hole after the page
    const laterArrived = window.arrived.slice(window.arrived.length - later.length);
    window.valid = true;
    window.epoch = page.epoch;
    window.events = [...events, ...later];
    window.arrived = [...events.map(() => now), ...laterArrived];
    window.top = window.events.at(-1)?.offset ?? page.top;
    this.#bound(window);
  }

  #bound(window: Window): void {
    const max = Math.min(this.#maxEvents, window.limits.maxLength);
    let drop = Math.max(0, window.events.length - max);
    if (Number.isFinite(window.limits.maxAge)) {
      const oldest = Date.now() - window.limits.maxAge;
      while (drop < window.arrived.length && window.arrived[drop]! < oldest) drop++;
    }
    if (drop === 0) return;
    window.events.splice(0, drop);
    window.arrived.splice(0, drop);
  }
}

function reset(window: Window): void {
  window.valid = false;
  window.events = [];
  window.arrived = [];
}

/** The page a window can give for a read, if it holds all of it. */
function answer(window: Window, after: number | undefined, limit: number): HistoryPage | undefined {
  if (!window.valid) return undefined;
  const { epoch, top, events } = window;
  const first = events[0]?.offset ?? top + 1;
  if (after === undefined) {
    if (limit > events.length && first > 1) return undefined;
    return { epoch, top, first, events: limit > 0 ? events.slice(-limit) : [] };
  }
  if (after > top || after + 1 < first) return undefined;
  const start = after + 1 - first;
  return { epoch, top, first, events: events.slice(start, start + limit) };
}
