/**
 * An in-memory chat hub: keeps each room's recent messages and fans new ones
 * out to everyone listening to that room.
 *
 * @module
 */

import type { Message } from "./shared/api.ts";

/** How many recent messages a room keeps for people who join later. */
const DEFAULT_BACKLOG = 50;

type Listener = (message: Message) => void;

/** Rooms of listeners and their recent messages, all in memory. */
export class ChatHub {
  readonly #backlogSize: number;
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #backlogs = new Map<string, Message[]>();

  /** @param backlogSize How many recent messages each room keeps. */
  constructor(backlogSize: number = DEFAULT_BACKLOG) {
    this.#backlogSize = backlogSize;
  }

  /** How many listeners a room has now. */
  listenerCount(room: string): number {
    return this.#listeners.get(room)?.size ?? 0;
  }

  /**
   * Stores a message in its room's backlog and hands it to the room's listeners.
   *
   * @param message The message, already validated.
   */
  publish(message: Message): void {
    const backlog = this.#backlogs.get(message.room) ?? [];
    backlog.push(message);
    if (backlog.length > this.#backlogSize) backlog.shift();
    this.#backlogs.set(message.room, backlog);
    for (const listener of this.#listeners.get(message.room) ?? []) listener(message);
  }

  /**
   * Forgets a room's backlog: people who join later don't see it.
   *
   * @param room The room.
   * @returns How many messages were forgotten.
   */
  clear(room: string): number {
    const forgotten = this.#backlogs.get(room)?.length ?? 0;
    this.#backlogs.delete(room);
    return forgotten;
  }

  /**
   * Yields a room's backlog, then each new message, until `signal` aborts.
   * Joining and copying the backlog happen together, so no message is missed
   * or seen twice.
   *
   * @param room The room to listen to.
   * @param signal Ends the listening; the listener is removed in `finally`.
   */
  async *listen(room: string, signal: AbortSignal): AsyncGenerator<Message, void, undefined> {
    const queue: Message[] = [...(this.#backlogs.get(room) ?? [])];
    let wake: (() => void) | undefined;
    const listener: Listener = (message) => {
      queue.push(message);
      wake?.();
    };
    const onAbort = (): void => wake?.();
    const listeners = this.#listeners.get(room) ?? new Set<Listener>();
    listeners.add(listener);
    this.#listeners.set(room, listeners);
    signal.addEventListener("abort", onAbort);
    try {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => wake = resolve);
        wake = undefined;
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(room);
    }
  }
}
