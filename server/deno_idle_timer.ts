/**
 * Deno's `idleTimeout` at a lower cost. With it, Deno pings a peer that has
 * been silent for half the timeout and closes the socket if the other half
 * passes without a pong: the server's only way to drop a dead peer, since a
 * Deno `WebSocket` has no `ping()`. But Deno re-arms that timer (a cancel and
 * a new timer) for every frame it reads, and on a busy connection that was a
 * tenth of the server's time per call.
 *
 * Here the re-arming is skipped while the last one is recent (within a
 * quarter of the timeout, or a second). The timer then runs from a frame at
 * most that much older than the last one: a peer that keeps sending may be
 * pinged a little sooner than Deno would, which costs a ping and a pong, and
 * a peer gone silent is pinged and dropped no later than before.
 *
 * The re-arming is a method Deno keeps under a symbol of its own. When a
 * Deno version has no such method, nothing is changed, and Deno re-arms the
 * timer for every frame as it does by itself.
 *
 * @module
 */

/**
 * Deno's method that re-arms a server socket's idle timer. (This module is
 * loaded on Node and Bun too, where server/mod.ts is: Node 20 has no
 * `WebSocket` at all.)
 */
const REARM: symbol | undefined = typeof WebSocket === "undefined"
  ? undefined
  : Object.getOwnPropertySymbols(WebSocket.prototype)
    .find((symbol) => symbol.description === "[[serverHandleIdleTimeout]]");

/** The longest a re-arming may be skipped for, in milliseconds. */
const MAX_SKIP_MS = 1_000;

/**
 * Makes a server socket re-arm its idle timer at most once per quarter of
 * its timeout (and per second).
 *
 * @param socket A socket from `Deno.upgradeWebSocket`, not yet open.
 * @param idleTimeout The `idleTimeout` it was made with, in seconds.
 * @returns Whether the re-arming is now spaced out (`false` when Deno has no such method).
 */
export function spaceOutIdleTimer(socket: WebSocket, idleTimeout: number): boolean {
  if (REARM === undefined || !(idleTimeout > 0)) return false;
  const target = socket as unknown as Record<symbol, unknown>;
  const rearm = target[REARM];
  if (typeof rearm !== "function") return false;
  const skipMs = Math.min(MAX_SKIP_MS, idleTimeout * 250);
  let armedAt = -Infinity;
  target[REARM] = function (this: WebSocket): void {
    const now = Date.now();
    if (now - armedAt < skipMs) return;
    armedAt = now;
    rearm.call(this);
  };
  return true;
}
