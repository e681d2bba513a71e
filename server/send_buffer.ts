/**
 * The sending side of a socket, with backpressure. A WebSocket's `send` never
 * blocks: what the peer has not read yet waits in the socket's buffer, and
 * `bufferedAmount` says how much. (In Deno it counts the bytes whose write
 * has not finished, so it grows when the peer stops reading and the TCP
 * window closes. There is no event when it shrinks, so it is polled while it
 * is high.)
 *
 * @module
 */

import { CloseCode } from "../shared/close_codes.ts";
import type { Outlet } from "./outlet.ts";

/** The socket surface the send buffer uses; a `WebSocket` fits, and so does a `ServerSocket`. */
export interface SendSocket {
  /** When present, nothing is sent unless it is 1 (open). */
  readonly readyState?: number;
  readonly bufferedAmount: number;
  send(data: string): void;
}

/** The bounds of a send buffer, from the server's limits. */
export interface SendBufferLimits {
  /** Bytes above which `congested` is true; waiters resume at half of it. */
  sendBufferHighWater: number;
  /** Bytes above which the peer is given up on at once. */
  sendBufferMax: number;
  /**
   * Milliseconds the buffer may take, once above the high water, to drain to
   * half of it before the peer is given up on.
   */
  slowConsumerTimeout: number;
}

const OPEN = 1;
/** The most a WebSocket frame's header takes, in bytes. */
const FRAME_HEADER = 14;
// Polls start often, so that a reader who catches up quickly is not kept
// waiting, and slow down, so that many stuck readers cost little.
const FIRST_POLL = 2;
const LAST_POLL = 50;
const STUCK_AFTER = 1000;
const STUCK_POLL = 250;

/**
 * Sends frames and tracks how much of them the peer has yet to read.
 *
 * @example Subscriptions wait while the peer is behind
 * ```ts
 * import { SendBuffer } from "./send_buffer.ts";
 * import assert from "node:assert/strict";
 *
 * const socket = { readyState: 1, bufferedAmount: 0, send(text: string) {
 *   this.bufferedAmount += text.length;
 * } };
 * const limits = { sendBufferHighWater: 10, sendBufferMax: 100, slowConsumerTimeout: 1000 };
 * const buffer = new SendBuffer(socket, limits, { close() {} });
 * buffer.send("0123456789ab");
 * assert.equal(buffer.congested, true);
 * const resumed = buffer.whenDrained(new AbortController().signal);
 * socket.bufferedAmount = 0; // the peer read it
 * await resumed;
 * assert.equal(buffer.congested, false);
 * ```
 */
export class SendBuffer {
  readonly #socket: SendSocket;
  readonly #limits: SendBufferLimits;
  readonly #peer: Pick<Outlet, "close">;
  /** Made on first wait: most sockets never fall behind. */
  #waiters: Set<() => void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pollDelay = FIRST_POLL;
  #highSince: number | undefined;
  #disposed = false;
  /**
   * The most the socket can hold: what `bufferedAmount` said last, plus
   * what was sent since, at three bytes per UTF-16 unit and a frame header
   * each (it only grows by sending).
   * Reading `bufferedAmount` is a call into the runtime, so it is only read
   * once this bound passes the high water.
   */
  #bound = 0;

  /**
   * @param socket The socket to send on.
   * @param limits When to pause, and when to give up.
   * @param peer Closed once with 4008 when the peer has fallen too far behind.
   */
  constructor(socket: SendSocket, limits: SendBufferLimits, peer: Pick<Outlet, "close">) {
    this.#socket = socket;
    this.#limits = limits;
    this.#peer = peer;
  }

  /** Whether more is waiting to be sent than the high water allows. */
  get congested(): boolean {
    const highWater = this.#limits.sendBufferHighWater;
    return this.#bound > highWater && this.#buffered() > highWater;
  }

  /**
   * Sends a frame, if the socket is open.
   *
   * @param text The frame.
   */
  send(text: string): void {
    if (this.#disposed || (this.#socket.readyState ?? OPEN) !== OPEN) return;
    this.#socket.send(text);
    this.#bound += text.length * 3 + FRAME_HEADER;
    if (this.#bound <= this.#limits.sendBufferHighWater) return;
    const buffered = this.#buffered();
    if (buffered <= this.#limits.sendBufferHighWater) return;
    if (buffered > this.#limits.sendBufferMax) {
      this.#giveUp(`The client fell ${this.#limits.sendBufferMax} bytes behind`);
      return;
    }
    this.#watch();
  }

  /**
   * Waits until the buffer has drained to half the high water, the signal
   * fires, or the buffer is disposed.
   *
   * @param signal Stops the wait early.
   * @returns A promise that always resolves.
   */
  whenDrained(signal: AbortSignal): Promise<void> {
    if (this.#disposed || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.#waiters ??= new Set();
      const done = (): void => {
        waiters.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      waiters.add(done);
      signal.addEventListener("abort", done);
      this.#watch();
    });
  }

  /**
   * Looks at the buffer now, for a socket that says when it has drained:
   * waiters resume without waiting for the next poll.
   */
  recheck(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#poll();
  }

  /** Stops watching and releases every waiter; sends nothing more. */
  dispose(): void {
    this.#disposed = true;
    this.#stop();
  }

  #watch(): void {
    this.#highSince ??= Date.now();
    if (this.#timer === undefined && !this.#disposed) this.#schedule();
  }

  #schedule(): void {
    const stuck = Date.now() - (this.#highSince ?? Date.now()) > STUCK_AFTER;
    this.#timer = setTimeout(() => this.#poll(), stuck ? STUCK_POLL : this.#pollDelay);
    this.#pollDelay = Math.min(this.#pollDelay * 2, LAST_POLL);
  }

  /** Reads what the socket holds, and tightens the bound to it. */
  #buffered(): number {
    return this.#bound = this.#socket.bufferedAmount;
  }

  #poll(): void {
    this.#timer = undefined;
    const buffered = this.#buffered();
    const highWater = this.#limits.sendBufferHighWater;
    if ((this.#socket.readyState ?? OPEN) !== OPEN || buffered <= highWater / 2) {
      this.#stop();
      return;
    }
    const { slowConsumerTimeout } = this.#limits;
    if (Date.now() - (this.#highSince ?? Date.now()) > slowConsumerTimeout) {
      this.#giveUp(`The client did not catch up within ${slowConsumerTimeout} ms`);
      return;
    }
    this.#schedule();
  }

  #giveUp(reason: string): void {
    this.dispose();
    this.#peer.close(CloseCode.SlowConsumer, reason);
  }

  #stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pollDelay = FIRST_POLL;
    this.#highSince = undefined;
    for (const release of [...this.#waiters ?? []]) release();
  }
}
