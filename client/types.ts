/**
 * The client's types, worked out from the contract's type.
 *
 * @module
 */

import type {
  InferInput,
  InferOutput,
  Procedure,
  Router,
  RouterRecord,
  Subscription,
} from "../shared/contract.ts";
import type { CallOptions, SubscribeOptions } from "./options.ts";
import type { ClientSubscription } from "./subscription.ts";
import type { ConnectionState } from "./transport.ts";

/**
 * Calls a procedure. One that takes no input is called with no argument (or
 * `undefined` before the options); one whose input may be `undefined` takes it
 * optionally. The last argument sets a timeout or an abort signal.
 */
export type ProcedureCall<TEndpoint extends Procedure> = InferInput<TEndpoint> extends void
  ? (input?: undefined, options?: CallOptions) => Promise<InferOutput<TEndpoint>>
  : undefined extends InferInput<TEndpoint>
    ? (input?: InferInput<TEndpoint>, options?: CallOptions) => Promise<InferOutput<TEndpoint>>
  : (input: InferInput<TEndpoint>, options?: CallOptions) => Promise<InferOutput<TEndpoint>>;

/** Opens a subscription: returns a stream of the subscription's events. */
export type SubscriptionCall<TEndpoint extends Subscription> = InferInput<TEndpoint> extends void
  ? (input?: undefined, options?: SubscribeOptions) => ClientSubscription<InferOutput<TEndpoint>>
  : undefined extends InferInput<TEndpoint> ? (
      input?: InferInput<TEndpoint>,
      options?: SubscribeOptions,
    ) => ClientSubscription<InferOutput<TEndpoint>>
  : (
    input: InferInput<TEndpoint>,
    options?: SubscribeOptions,
  ) => ClientSubscription<InferOutput<TEndpoint>>;

/** The client of a router's entries, nested like the contract. */
export type RouterClient<TRecord extends RouterRecord> = {
  readonly [TName in keyof TRecord]: TRecord[TName] extends Procedure
    ? ProcedureCall<TRecord[TName]>
    : TRecord[TName] extends Subscription ? SubscriptionCall<TRecord[TName]>
    : TRecord[TName] extends Router<infer TNested> ? RouterClient<TNested>
    : never;
};

/** The connection of a client: its state and its changes. */
export interface ClientConnection {
  /** Where the connection stands now. */
  readonly state: ConnectionState;
  /**
   * Calls `listener` with each new state.
   *
   * @returns A function that stops listening.
   */
  onStateChange(listener: (state: ConnectionState) => void): () => void;
}

/**
 * What a client has beside its endpoints. These names (`close`, `ready`,
 * `connection`) are reserved at the top level of a contract used by a client.
 */
export interface ClientControls {
  /**
   * Closes the connection for good. Pending calls reject with
   * `ConnectionLost`; subscriptions end as if completed.
   */
  close(): void;
  /**
   * Resolves once the connection is open, connecting if it is idle. Rejects
   * if the client is closed, or closes before it opens.
   */
  ready(): Promise<void>;
  /** The connection's state and its changes. */
  readonly connection: ClientConnection;
}

/** A typed client of a contract. */
export type Client<TRouter extends Router> = RouterClient<TRouter["routes"]> & ClientControls;
