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

/** A heartbeat, watching. */
export interface Heartbeat {
  /** Something arrived from the server: it is alive. */
  heard(): void;
  /** Stops watching. */
  stop(): void;
}

/**
 * Watches one open connection for silence, starting at once.
 *
 * @param settings Milliseconds of silence before a ping, and after it before giving up.
 * @param events What to do then.
 * @returns What the connection tells it.
 */
export function startHeartbeat(
  settings: { interval: number; timeout: number },
  events: HeartbeatEvents,
): Heartbeat {
  const { interval, timeout } = settings;
  let lastHeard = Date.now();
  // Set by each frame, read by the next tick: reading the clock per frame
  // would cost more than the rest of a small event's handling.
  let heardSinceTick = false;
  let pinged = false;
  const timer = setInterval(() => {
    const now = Date.now();
    if (heardSinceTick) {
      heardSinceTick = false;
      lastHeard = now;
      pinged = false;
    }
    const silence = now - lastHeard;
    if (silence >= interval + timeout) {
      // Half-open: the socket looks fine but nothing comes through.
      clearInterval(timer);
      events.dead();
    } else if (silence >= interval && !pinged) {
      pinged = true;
      events.ping();
    }
  }, Math.max(25, Math.min(interval, timeout) / 4));
  // The heartbeat alone must not keep a Deno process alive.
  unrefTimer(timer);
  return {
    heard() {
      heardSinceTick = true;
    },
    stop: () => clearInterval(timer),
  };
}
