/**
 * The client's heartbeat: after a silence it pings the server, and when the
 * silence goes on it declares the connection dead.
 *
 * @module
 */

import { unrefTimer } from "../shared/unref.ts";

/** What the heartbeat does when the server is quiet. */
export interface HeartbeatEvents {
  /** The server has been quiet for `interval`: ask it something. */
  ping(): void;
  /** Nothing came for `interval + timeout`: the link is dead. */
  dead(): void;
}

/** Watches one open connection for silence. */
export class Heartbeat {
  readonly #interval: number;
  readonly #timeout: number;
  readonly #events: HeartbeatEvents;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastHeard = 0;
  #pinged = false;

  /**
   * Starts watching at once.
   *
   * @param settings Milliseconds of silence before a ping, and after it before giving up.
   * @param events What to do then.
   */
  constructor(settings: { interval: number; timeout: number }, events: HeartbeatEvents) {
    this.#interval = settings.interval;
    this.#timeout = settings.timeout;
    this.#events = events;
    this.#lastHeard = Date.now();
    const check = Math.max(25, Math.min(this.#interval, this.#timeout) / 4);
    this.#timer = setInterval(() => this.#check(), check);
    // The heartbeat alone must not keep a Deno process alive.
    unrefTimer(this.#timer);
  }

  /** Something arrived from the server: it is alive. */
  heard(): void {
    this.#lastHeard = Date.now();
    this.#pinged = false;
  }

  /** Stops watching. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    const silence = Date.now() - this.#lastHeard;
    if (silence >= this.#interval + this.#timeout) {
      // Half-open: the socket looks fine but nothing comes through.
      this.stop();
      this.#events.dead();
    } else if (silence >= this.#interval && !this.#pinged) {
      this.#pinged = true;
      this.#events.ping();
    }
  }
}
