/**
 * Marks a resumable subscription can yield besides its events: a gap (events
 * were missed) and a checkpoint (where the client stands).
 *
 * @module
 */

/**
 * Why a subscriber missed events:
 * - `trimmed`: the history no longer holds the events after its position;
 * - `epoch`: the stream its position belongs to is gone (its store lost it);
 * - `limit`: it missed more events than the topic replays (`maxReplay`), or
 *   fell that far behind while subscribed.
 */
export type GapReason = "trimmed" | "epoch" | "limit";

/**
 * Tells the client that it missed events and where it stands now. Yield it
 * from a subscription handler; the client's `onGap` hears it, and the client
 * resumes from `position` after this. Topics yield it for you.
 *
 * @example A feed that can only replay what it still holds
 * ```ts
 * import { Gap, tracked } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * const kept = new Map([[8, "h"], [9, "i"]]); // older events were dropped
 * function* replay(after: number) {
 *   if (!kept.has(after + 1)) yield new Gap("trimmed", "9");
 *   else for (const [id, text] of kept) if (id > after) yield tracked(String(id), text);
 * }
 * const [mark] = [...replay(2)];
 * assert.ok(mark instanceof Gap);
 * assert.equal(mark.reason, "trimmed");
 * ```
 */
export class Gap {
  /** Why events were missed. */
  readonly reason: GapReason;
  /** The position the subscription carries on from; the client resumes from it. */
  readonly position: string;

  /**
   * Makes a gap mark.
   *
   * @param reason Why events were missed.
   * @param position Where the subscription carries on from.
   */
  constructor(reason: GapReason, position: string) {
    this.reason = reason;
    this.position = position;
  }
}

/**
 * Tells the client its position without an event, so that it can resume from
 * there: a topic subscriber that starts before any event yields one.
 *
 * @example
 * ```ts
 * import { Checkpoint } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * const start = new Checkpoint("k3x9:41"); // the client will resume after event 41
 * assert.equal(start.position, "k3x9:41");
 * ```
 */
export class Checkpoint {
  /** The position the client resumes from. */
  readonly position: string;

  /**
   * Makes a checkpoint.
   *
   * @param position The position the client resumes from.
   */
  constructor(position: string) {
    this.position = position;
  }
}
