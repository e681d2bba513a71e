/**
 * Positions in a topic key's stream: an epoch and an offset, sent to clients
 * as one opaque token.
 *
 * @module
 */

/**
 * Where an event sits in its stream. The offset counts the events published to
 * one topic key, from 1. The epoch names one life of that stream: when a
 * stream is lost (Redis restarted without its data, say) and made again, it
 * gets a new epoch, so an old offset is never mistaken for a new one.
 */
export interface Position {
  /** The stream's epoch: letters and digits. */
  readonly epoch: string;
  /** The event's offset within the epoch; 0 means "before the first event". */
  readonly offset: number;
}

const TOKEN = /^([0-9a-z]{1,32}):(0|[1-9][0-9]{0,15})$/;

/**
 * Writes a position as the token clients carry as `lastEventId`.
 *
 * @example
 * ```ts
 * import { formatPosition } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatPosition({ epoch: "k3x9", offset: 42 }), "k3x9:42");
 * ```
 *
 * @param position The position.
 * @returns The token, `epoch:offset`.
 */
export function formatPosition(position: Position): string {
  return `${position.epoch}:${position.offset}`;
}

/**
 * Reads a token made by {@linkcode formatPosition}.
 *
 * @example
 * ```ts
 * import { parsePosition } from "@wsrpc/core/server";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parsePosition("k3x9:42"), { epoch: "k3x9", offset: 42 });
 * assert.equal(parsePosition("not a position"), undefined);
 * ```
 *
 * @param token A `lastEventId` from a client.
 * @returns The position, or `undefined` when the token is not one.
 */
export function parsePosition(token: string): Position | undefined {
  const match = TOKEN.exec(token);
  if (match === null) return undefined;
  const offset = Number(match[2]);
  if (!Number.isSafeInteger(offset)) return undefined;
  return { epoch: match[1]!, offset };
}

/** A fresh random epoch: 12 base-36 characters. */
export function newEpoch(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  let text = "";
  for (const byte of bytes) text += byte.toString(36).padStart(2, "0");
  return text.slice(0, 12);
}
