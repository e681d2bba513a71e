/**
 * The rpc-websockets server's events: its only server push, which a client
 * subscribes to with `rpc.on` and the server sends to every subscriber.
 *
 * @module
 */

/** The events, by what they carry. */
export const EVENTS = {
  /** W3's stream, emitted `n` times by the method "events". */
  stream: "stream",
  /** The fan-out topic, emitted `count` times by the method "publish". */
  fanout: "fanout",
} as const;
