/**
 * The WebSocket close codes wsrpc uses, in one table.
 *
 * @module
 */

/*
 * The codes one by one, for the code inside wsrpc: a bundler inlines each of
 * these where it is used, where one `CloseCode.X` would keep the whole table
 * in a browser bundle. The table below is made of them.
 */
export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_UNSUPPORTED_DATA = 1003;
export const CLOSE_POLICY_VIOLATION = 1008;
export const CLOSE_MESSAGE_TOO_BIG = 1009;
export const CLOSE_SERVICE_RESTART = 1012;
export const CLOSE_INTERNAL_ERROR = 1011;
export const CLOSE_TRY_AGAIN_LATER = 1013;
export const CLOSE_HEARTBEAT_TIMEOUT = 4000;
export const CLOSE_SLOW_CONSUMER = 4008;
export const CLOSE_BAD_CONNECTION_PARAMS = 4400;
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_HANDSHAKE_TIMEOUT = 4408;
export const CLOSE_TOO_MANY_REQUESTS = 4429;

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
  Normal: CLOSE_NORMAL,
  /** The endpoint is going away. */
  GoingAway: CLOSE_GOING_AWAY,
  /** The peer sent a kind of frame that is not accepted: binary frames. */
  UnsupportedData: CLOSE_UNSUPPORTED_DATA,
  /** The peer broke a rule of the protocol or a policy. */
  PolicyViolation: CLOSE_POLICY_VIOLATION,
  /** A message was larger than allowed. */
  MessageTooBig: CLOSE_MESSAGE_TOO_BIG,
  /** The server is restarting: reconnect after a short, random delay. */
  ServiceRestart: CLOSE_SERVICE_RESTART,
  /** The server failed unexpectedly, for example while making the context. */
  InternalError: CLOSE_INTERNAL_ERROR,
  /** The server is overloaded: reconnect later. */
  TryAgainLater: CLOSE_TRY_AGAIN_LATER,
  /**
   * Sent by the client when it gives up on a server that stopped answering
   * its pings. It rarely arrives: the link is usually dead by then.
   */
  HeartbeatTimeout: CLOSE_HEARTBEAT_TIMEOUT,
  /**
   * The client did not read what the server sent: its send buffer stayed too
   * full for too long. Reconnecting is fine.
   */
  SlowConsumer: CLOSE_SLOW_CONSUMER,
  /**
   * The first frame was not a valid `rpc.connect`, or its params failed the
   * server's schema. Reconnecting with the same params would fail again.
   */
  BadConnectionParams: CLOSE_BAD_CONNECTION_PARAMS,
  /** The server's `context` refused the connection params as `Unauthorized`. */
  Unauthorized: CLOSE_UNAUTHORIZED,
  /**
   * The page's origin is not allowed (sent at once after the upgrade), or the
   * server's `context` refused the connection params as `Forbidden`.
   */
  Forbidden: CLOSE_FORBIDDEN,
  /** No `rpc.connect` came, or the context was not made, within the handshake deadline. */
  HandshakeTimeout: CLOSE_HANDSHAKE_TIMEOUT,
  /** The client went on sending after its rate limit was used up. Reconnect later. */
  TooManyRequests: CLOSE_TOO_MANY_REQUESTS,
};
