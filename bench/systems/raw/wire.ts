/**
 * The raw baseline's messages: JSON-RPC 2.0 shaped, one JSON text frame each.
 * A request gets exactly one reply; "events" also sends `n` notifications
 * first, and "publish" sends `count` notifications to every subscriber.
 *
 * @module
 */

import type { Payload } from "../../workloads/system_driver.ts";

/** A request from client to server. */
export type RawRequest =
  | {
    readonly jsonrpc: "2.0";
    readonly id: number;
    readonly method: "echo";
    readonly params: Payload;
  }
  | {
    readonly jsonrpc: "2.0";
    readonly id: number;
    readonly method: "events";
    readonly params: { readonly n: number };
  }
  | { readonly jsonrpc: "2.0"; readonly id: number; readonly method: "subscribe" }
  | {
    readonly jsonrpc: "2.0";
    readonly id: number;
    readonly method: "publish";
    readonly params: { readonly count: number };
  };

/** A reply to the request with the same id. */
export interface RawReply {
  readonly jsonrpc: "2.0";
  readonly id: number;
  readonly result: unknown;
}

/** A pushed event: `sub` is the id of the request that subscribed, or 0 for fan-out. */
export interface RawNotification {
  readonly jsonrpc: "2.0";
  readonly method: "event";
  readonly params: { readonly sub: number; readonly data: Payload };
}

/** Any message from server to client. */
export type RawServerMessage = RawReply | RawNotification;
