/**
 * The WebSocket close codes wsrpc uses, in one table.
 *
 * @module
 */

/**
 * Close codes: the standard ones wsrpc sends, and its own in the 4000–4999
 * range that RFC 6455 leaves to applications. PROTOCOL.md says when each is sent.
 *
 * @example Tell a restart from a refusal
 * ```ts
 * import { CloseCode } from "@wsrpc/core/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(CloseCode.ServiceRestart, 1012);
 * ```
 */
export const CloseCode: {
  readonly Normal: 1000;
  readonly GoingAway: 1001;
  readonly UnsupportedData: 1003;
  readonly PolicyViolation: 1008;
  readonly MessageTooBig: 1009;
  readonly ServiceRestart: 1012;
  readonly InternalError: 1011;
  readonly TryAgainLater: 1013;
  readonly HeartbeatTimeout: 4000;
  readonly SlowConsumer: 4008;
  readonly BadConnectionParams: 4400;
  readonly Unauthorized: 4401;
  readonly Forbidden: 4403;
  readonly HandshakeTimeout: 4408;
  readonly TooManyRequests: 4429;
} = {
  /** A normal close. */
  Normal: 1000,
  /** The endpoint is going away. */
  GoingAway: 1001,
  /** The peer sent a kind of frame that is not accepted: binary frames. */
  UnsupportedData: 1003,
  /** The peer broke a rule of the protocol or a policy. */
  PolicyViolation: 1008,
  /** A message was larger than allowed. */
  MessageTooBig: 1009,
  /** The server is restarting: reconnect after a short, random delay. */
  ServiceRestart: 1012,
  /** The server failed unexpectedly, for example while making the context. */
  InternalError: 1011,
  /** The server is overloaded: reconnect later. */
  TryAgainLater: 1013,
  /**
   * Sent by the client when it gives up on a server that stopped answering
   * its pings. It rarely arrives: the link is usually dead by then.
   */
  HeartbeatTimeout: 4000,
  /**
   * The client did not read what the server sent: its send buffer stayed too
   * full for too long. Reconnecting is fine.
   */
  SlowConsumer: 4008,
  /**
   * The first frame was not a valid `rpc.connect`, or its params failed the
   * server's schema. Reconnecting with the same params would fail again.
   */
  BadConnectionParams: 4400,
  /** The server's `context` refused the connection params as `Unauthorized`. */
  Unauthorized: 4401,
  /**
   * The page's origin is not allowed (sent at once after the upgrade), or the
   * server's `context` refused the connection params as `Forbidden`.
   */
  Forbidden: 4403,
  /** No `rpc.connect` came, or the context was not made, within the handshake deadline. */
  HandshakeTimeout: 4408,
  /** The client went on sending after its rate limit was used up. Reconnect later. */
  TooManyRequests: 4429,
} as const;
