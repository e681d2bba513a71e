/**
 * The router contract: the one description of an API that the server
 * implements and the client calls. It holds schemas only, never server code,
 * so a browser bundle can import it.
 *
 * @module
 */

import type { AnySchema, InferSchemaInput, InferSchemaOutput } from "./standard_schema.ts";

/** What {@linkcode procedure} and {@linkcode subscription} are given. */
export interface EndpointDefinition<
  TInput extends AnySchema | undefined,
  TOutput extends AnySchema,
> {
  /** The schema of the input. Leave it out for an endpoint that takes none. */
  input?: TInput;
  /** The schema of the output: a call's result, or each event of a subscription. */
  output: TOutput;
  /** A short description, for people and generated docs. */
  description?: string;
  /**
   * The endpoint can safely run twice: a client may retry it when the
   * connection drops mid-call.
   */
  idempotent?: boolean;
}

/** A request → response endpoint in a contract. */
export interface Procedure<
  TInput extends AnySchema | undefined = AnySchema | undefined,
  TOutput extends AnySchema = AnySchema,
> {
  /** Tells a procedure from a subscription or a router at run time. */
  readonly kind: "procedure";
  /** The schema of the input, or `undefined` when it takes none. */
  readonly input: TInput;
  /** The schema of the result. */
  readonly output: TOutput;
  /** A short description. */
  readonly description: string | undefined;
  /** Whether a client may retry the call after a dropped connection. */
  readonly idempotent: boolean;
}

/** A server push endpoint in a contract: one request, then a stream of events. */
export interface Subscription<
  TInput extends AnySchema | undefined = AnySchema | undefined,
  TOutput extends AnySchema = AnySchema,
> {
  /** Tells a subscription from a procedure or a router at run time. */
  readonly kind: "subscription";
  /** The schema of the input, or `undefined` when it takes none. */
  readonly input: TInput;
  /** The schema of each event. */
  readonly output: TOutput;
  /** A short description. */
  readonly description: string | undefined;
  /** Always `false`: subscriptions resume instead of retrying. */
  readonly idempotent: boolean;
}

/** A procedure or a subscription. */
export type Endpoint = Procedure | Subscription;

/** The entries of a router: endpoints and nested routers, by name. */
export interface RouterRecord {
  /** An endpoint or a nested router, under its route name. */
  readonly [name: string]: Endpoint | Router;
}

/** A namespace of endpoints and nested routers. */
export interface Router<TRecord extends RouterRecord = RouterRecord> {
  /** Tells a router from an endpoint at run time. */
  readonly kind: "router";
  /** The entries, by name. */
  readonly routes: TRecord;
}

/** The type a client sends for an endpoint: `void` when it takes no input. */
export type InferInput<TEndpoint extends Endpoint> = TEndpoint["input"] extends AnySchema
  ? InferSchemaInput<TEndpoint["input"]>
  : void;

/** The type a handler receives for an endpoint, after validation. */
export type InferParsedInput<TEndpoint extends Endpoint> = TEndpoint["input"] extends AnySchema
  ? InferSchemaOutput<TEndpoint["input"]>
  : undefined;

/** The type a client receives: a call's result or a subscription's event. */
export type InferOutput<TEndpoint extends Endpoint> = InferSchemaOutput<TEndpoint["output"]>;

/** The type a handler returns or yields, before output validation. */
export type InferHandlerOutput<TEndpoint extends Endpoint> = InferSchemaInput<TEndpoint["output"]>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Names a client proxy can't carry (`then` would make it look like a promise)
 * or that JSON-RPC 2.0 reserves (`rpc`, for the `rpc.` methods).
 */
const RESERVED_NAMES: ReadonlySet<string> = new Set([
  "then",
  "rpc",
  "__proto__",
  "constructor",
  "prototype",
]);

/**
 * Declares a request → response endpoint.
 *
 * @example A procedure with input and one without
 * ```ts
 * import * as z from "zod";
 * import { procedure } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const greet = procedure({ input: z.object({ name: z.string() }), output: z.string() });
 * const now = procedure({ output: z.date() });
 * assert.equal(greet.kind, "procedure");
 * assert.equal(now.input, undefined);
 * ```
 *
 * @param definition The input and output schemas.
 * @returns The procedure, to place in a {@linkcode router}.
 */
export function procedure<
  TOutput extends AnySchema,
  TInput extends AnySchema | undefined = undefined,
>(
  definition: EndpointDefinition<TInput, TOutput>,
): Procedure<TInput, TOutput> {
  return {
    kind: "procedure",
    input: definition.input as TInput,
    output: definition.output,
    description: definition.description,
    idempotent: definition.idempotent ?? false,
  };
}

/**
 * Declares a server push endpoint: the client subscribes with an input and
 * receives events until either side ends it.
 *
 * @example A subscription to a chat room
 * ```ts
 * import * as z from "zod";
 * import { subscription } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const messages = subscription({
 *   input: z.object({ room: z.string() }),
 *   output: z.object({ text: z.string() }),
 * });
 * assert.equal(messages.kind, "subscription");
 * ```
 *
 * @param definition The input schema and the schema of each event.
 * @returns The subscription, to place in a {@linkcode router}.
 */
export function subscription<
  TOutput extends AnySchema,
  TInput extends AnySchema | undefined = undefined,
>(
  definition: Omit<EndpointDefinition<TInput, TOutput>, "idempotent">,
): Subscription<TInput, TOutput> {
  return {
    kind: "subscription",
    input: definition.input as TInput,
    output: definition.output,
    description: definition.description,
    idempotent: false,
  };
}

/**
 * Groups endpoints and routers under names. Routers nest to any depth, and a
 * nested endpoint is called by its dotted path, such as `chat.send`.
 *
 * @example A contract with a namespace
 * ```ts
 * import * as z from "zod";
 * import { procedure, router, subscription } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const api = router({
 *   hello: procedure({ input: z.string(), output: z.string() }),
 *   chat: router({
 *     messages: subscription({ input: z.object({ room: z.string() }), output: z.string() }),
 *   }),
 * });
 * assert.equal(api.routes.chat.kind, "router");
 * ```
 *
 * @param routes The entries, by name: letters, digits and `_`, not starting with a digit.
 * @returns The router.
 * @throws {TypeError} When a name is not allowed, or an entry is not an endpoint or router.
 */
export function router<TRecord extends RouterRecord>(routes: TRecord): Router<TRecord> {
  for (const [name, entry] of Object.entries(routes)) {
    if (!NAME.test(name) || RESERVED_NAMES.has(name)) {
      throw new TypeError(`"${name}" can't be used as a route name`);
    }
    const kind: unknown = (entry as { kind?: unknown } | null)?.kind;
    if (kind !== "procedure" && kind !== "subscription" && kind !== "router") {
      throw new TypeError(`The route "${name}" is not a procedure, subscription or router`);
    }
  }
  return { kind: "router", routes };
}

/**
 * Lists every endpoint of a router with its dotted path, depth first.
 *
 * @example List the methods of a contract
 * ```ts
 * import * as z from "zod";
 * import { flattenRouter, procedure, router } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const api = router({ a: router({ b: procedure({ output: z.number() }) }) });
 * assert.deepEqual([...flattenRouter(api).keys()], ["a.b"]);
 * ```
 *
 * @param root The router to walk.
 * @returns A map from dotted path to endpoint.
 */
export function flattenRouter(root: Router): Map<string, Endpoint> {
  const endpoints = new Map<string, Endpoint>();
  const walk = (node: Router, prefix: string): void => {
    for (const [name, entry] of Object.entries(node.routes)) {
      const path = prefix + name;
      if (entry.kind === "router") walk(entry, path + ".");
      else endpoints.set(path, entry);
    }
  };
  walk(root, "");
  return endpoints;
}
