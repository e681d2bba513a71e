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
import type { ClientSubscription } from "./subscription.ts";

/**
 * Calls a procedure. One that takes no input is called with no argument; one
 * whose input may be `undefined` takes it optionally.
 */
export type ProcedureCall<TEndpoint extends Procedure> = InferInput<TEndpoint> extends void
  ? () => Promise<InferOutput<TEndpoint>>
  : undefined extends InferInput<TEndpoint>
    ? (input?: InferInput<TEndpoint>) => Promise<InferOutput<TEndpoint>>
  : (input: InferInput<TEndpoint>) => Promise<InferOutput<TEndpoint>>;

/** Opens a subscription: returns a stream of the subscription's events. */
export type SubscriptionCall<TEndpoint extends Subscription> = InferInput<TEndpoint> extends void
  ? () => ClientSubscription<InferOutput<TEndpoint>>
  : undefined extends InferInput<TEndpoint>
    ? (input?: InferInput<TEndpoint>) => ClientSubscription<InferOutput<TEndpoint>>
  : (input: InferInput<TEndpoint>) => ClientSubscription<InferOutput<TEndpoint>>;

/** The client of a router's entries, nested like the contract. */
export type RouterClient<TRecord extends RouterRecord> = {
  readonly [TName in keyof TRecord]: TRecord[TName] extends Procedure
    ? ProcedureCall<TRecord[TName]>
    : TRecord[TName] extends Subscription ? SubscriptionCall<TRecord[TName]>
    : TRecord[TName] extends Router<infer TNested> ? RouterClient<TNested>
    : never;
};

/** The methods a client has beside its endpoints. Their names are reserved at the top level. */
export interface ClientControls {
  /**
   * Closes the connection. Pending calls reject with `ConnectionLost`;
   * subscriptions end as if completed.
   */
  close(): void;
}

/** A typed client of a contract. */
export type Client<TRouter extends Router> = RouterClient<TRouter["routes"]> & ClientControls;
