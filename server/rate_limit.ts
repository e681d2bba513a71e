/**
 * The rate limit of one connection: a token bucket, and what happens past it.
 *
 * @module
 */

import { CloseCode } from "../shared/close_codes.ts";
import { ErrorCode } from "../shared/errors.ts";
import { type ErrorFrame, isRecord, isRequestId } from "../shared/wire.ts";
import type { Outlet } from "./outlet.ts";

/** The default clock, one function for every bucket: a closure each would cost memory per connection. */
function monotonicNow(): number {
  return performance.now();
}

/**
 * Allows `burst` messages at once, then `perSecond` a second. Tokens refill
 * continuously, from the clock, so an idle bucket costs nothing.
 *
 * @example Three at once, then one every 100 ms
 * ```ts
 * import { TokenBucket } from "./rate_limit.ts";
 * import assert from "node:assert/strict";
 *
 * let now = 0;
 * const bucket = new TokenBucket(10, 3, () => now);
 * const taken = [bucket.take(), bucket.take(), bucket.take(), bucket.take()];
 * assert.deepEqual(taken, [true, true, true, false]);
 * assert.equal(bucket.retryAfter(), 100);
 * now += 100;
 * assert.equal(bucket.take(), true);
 * ```
 */
export class TokenBucket {
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #updated: number;

  /**
   * @param perSecond Tokens added each second; `Infinity` never refuses.
   * @param burst The most tokens the bucket holds, and holds at first.
   * @param now The clock, in milliseconds. Defaults to `performance.now`.
   */
  constructor(perSecond: number, burst: number, now: () => number = monotonicNow) {
    this.#perSecond = perSecond;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#updated = now();
  }

  /**
   * Takes one token, if there is one.
   *
   * @returns Whether the message may go ahead.
   */
  take(): boolean {
    if (this.#perSecond === Infinity) return true;
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /**
   * How long until the next token.
   *
   * @returns Milliseconds, rounded up; 0 when a token is there now.
   */
  retryAfter(): number {
    this.#refill();
    if (this.#tokens >= 1 || this.#perSecond === Infinity) return 0;
    if (this.#perSecond <= 0) return Infinity;
    return Math.ceil(((1 - this.#tokens) * 1000) / this.#perSecond);
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = now - this.#updated;
    this.#updated = now;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#perSecond) / 1000);
    }
  }
}

/**
 * A connection's rate limit: each message takes a token. A request refused
 * for want of one is answered with `TooManyRequests` and `data.retryAfter`;
 * a connection that goes on sending `burst` more messages while refused is
 * given up on.
 *
 * @example
 * ```ts
 * import { Throttle } from "./rate_limit.ts";
 * import assert from "node:assert/strict";
 *
 * let flooded = false;
 * const throttle = new Throttle({ messagesPerSecond: 1, burst: 1 }, { close: () => flooded = true });
 * assert.equal(throttle.admit(), true);
 * assert.equal(throttle.admit(), false);
 * assert.equal(throttle.refusal({ jsonrpc: "2.0", id: 7, method: "x" })?.error.code, -32029);
 * assert.equal(throttle.refusal({ jsonrpc: "2.0", method: "x" }), undefined);
 * assert.equal(throttle.admit(), false);
 * assert.equal(flooded, true);
 * ```
 */
export class Throttle {
  readonly #bucket: TokenBucket;
  /**
   * How many refusals the connection may still earn before it is closed: it
   * holds `burst` and refills at the allowed rate, so a client that overshoots
   * now and then is forgiven, and one that keeps flooding runs it dry, even
   * though some of its messages keep getting through at the allowed rate.
   */
  #patience: TokenBucket | undefined;
  readonly #peer: Pick<Outlet, "close">;
  readonly #limits: { messagesPerSecond: number; burst: number };

  /**
   * @param limits The rate and the burst.
   * @param peer Closed with 4429 when a refused connection goes on sending.
   */
  constructor(limits: { messagesPerSecond: number; burst: number }, peer: Pick<Outlet, "close">) {
    this.#bucket = new TokenBucket(limits.messagesPerSecond, limits.burst);
    this.#limits = limits;
    this.#peer = peer;
  }

  /**
   * Lets one message through, if a token is left.
   *
   * @returns Whether it may be handled.
   */
  admit(): boolean {
    if (this.#bucket.take()) return true;
    // Made on the first refusal: most connections never earn one.
    const { messagesPerSecond, burst } = this.#limits;
    this.#patience ??= new TokenBucket(messagesPerSecond, burst);
    if (!this.#patience.take()) this.#peer.close(CloseCode.TooManyRequests, "Too many requests");
    return false;
  }

  /**
   * The reply to a refused message.
   *
   * @param value The message, as parsed.
   * @returns An error reply, or `undefined` for a notification (or anything without an id).
   */
  refusal(value: unknown): ErrorFrame | undefined {
    if (!isRecord(value) || !("id" in value) || !isRequestId(value.id)) return undefined;
    const retryAfter = this.#bucket.retryAfter();
    return {
      jsonrpc: "2.0",
      id: value.id,
      error: {
        code: ErrorCode.TooManyRequests,
        message: "Too many requests",
        data: { retryAfter },
      },
    };
  }
}
