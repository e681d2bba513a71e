/**
 * Pings from the server, for runtimes that don't ping by themselves (Node's
 * `ws`). Deno and Bun ping a silent peer and drop a dead one on their own,
 * given `idleTimeout`; for the others, one timer sweeps every socket.
 *
 * @module
 */

import { unrefTimer } from "../shared/unref.ts";

/** A socket the sweep looks after. */
export interface Beating {
  /**
   * Called once per sweep: ping if the peer was heard from since the last
   * sweep, or drop it if it was not, not even a pong.
   */
  beat(): void;
}

/**
 * One timer for the pings of every socket, every half `idleTimeout`: a peer
 * silent since the last sweep is pinged, and one that stays silent until the
 * next is dropped, so a dead peer goes within one to one and a half
 * `idleTimeout`.
 *
 * @example A socket is swept while it is watched
 * ```ts
 * import { Liveness } from "./liveness.ts";
 * import assert from "node:assert/strict";
 *
 * let beats = 0;
 * const liveness = new Liveness(20);
 * const socket = { beat: () => beats++ };
 * liveness.add(socket);
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * liveness.delete(socket);
 * assert.ok(beats >= 2);
 * ```
 */
export class Liveness {
  readonly #interval: number;
  readonly #watched = new Set<Beating>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /** @param idleTimeout Milliseconds within which a dead peer is dropped; 0 for never. */
  constructor(idleTimeout: number) {
    this.#interval = idleTimeout / 2;
  }

  /** Watches a socket, from now until `delete`. */
  add(socket: Beating): void {
    if (this.#interval <= 0) return;
    this.#watched.add(socket);
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      for (const watched of [...this.#watched]) watched.beat();
    }, this.#interval);
    // The sockets keep the process alive, not their pings.
    unrefTimer(this.#timer);
  }

  /** Stops watching a socket. */
  delete(socket: Beating): void {
    this.#watched.delete(socket);
    if (this.#watched.size === 0) this.stop();
  }

  /** Stops the timer; the next `add` starts it again. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
