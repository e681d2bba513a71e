/**
 * The router contract: the one description of an API that the server
 * implements and the client calls. It holds schemas only, never server code,
 * so a browser bundle can import it.
 *
 * @module
 */

import type { AnySchema, InferSchemaInput, InferSchemaOutput } from "./standard_schema.ts";

/**
 * What {@linkcode procedure} and {@linkcode subscription} are given.
 *
 * @example A definition kept apart from its procedure
 * ```ts
 * import * as z from "zod";
 * import { type EndpointDefinition, procedure } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const definition: EndpointDefinition<z.ZodString, z.ZodNumber> = {
 *   input: z.string(),
 *   output: z.number(),
 *   description: "The length of a string",
 *   idempotent: true,
 * };
 * assert.equal(procedure(definition).idempotent, true);
 * ```
 */
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

/**
 * A request → response endpoint in a contract.
 *
 * @example Read a procedure's settings
 * ```ts
 * import * as z from "zod";
 * import { type Procedure, procedure } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const now: Procedure<undefined, z.ZodDate> = procedure({ output: z.date(), idempotent: true });
 * assert.equal(now.kind, "procedure");
 * assert.equal(now.input, undefined);
 * assert.equal(now.idempotent, true);
 * ```
 */
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

/**
 * A server push endpoint in a contract: one request, then a stream of events.
 *
 * @example Read a subscription's settings
 * ```ts
 * import * as z from "zod";
 * import { type Subscription, subscription } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const ticks: Subscription<undefined, z.ZodNumber> = subscription({ output: z.number() });
 * assert.equal(ticks.kind, "subscription");
 * assert.equal(ticks.idempotent, false);
 * ```
 */
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

/**
 * A procedure or a subscription.
 *
 * @example Tell the two kinds apart by `kind`
 * ```ts
 * import * as z from "zod";
 * import { type Endpoint, flattenRouter, procedure, router, subscription } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const api = router({
 *   now: procedure({ output: z.date() }),
 *   ticks: subscription({ output: z.number() }),
 * });
 * const endpoints: Endpoint[] = [...flattenRouter(api).values()];
 * assert.deepEqual(endpoints.map((endpoint) => endpoint.kind), ["procedure", "subscription"]);
 * ```
 */
export type Endpoint = Procedure | Subscription;

/**
 * The entries of a router: endpoints and nested routers, by name.
 *
 * @example Gather routes before making the router
 * ```ts
 * import * as z from "zod";
 * import { procedure, router, type RouterRecord } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const routes = { now: procedure({ output: z.date() }) } satisfies RouterRecord;
 * const api = router(routes);
 * assert.equal(api.routes.now.kind, "procedure");
 * ```
 */
export interface RouterRecord {
  /** An endpoint or a nested router, under its route name. */
  readonly [name: string]: Endpoint | Router;
}

/**
 * A namespace of endpoints and nested routers.
 *
 * @example A function that takes any contract
 * ```ts
 * import * as z from "zod";
 * import { procedure, type Router, router } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const routeNames = (api: Router): string[] => Object.keys(api.routes);
 * const api = router({ now: procedure({ output: z.date() }), chat: router({}) });
 * assert.deepEqual(routeNames(api), ["now", "chat"]);
 * ```
 */
export interface Router<TRecord extends RouterRecord = RouterRecord> {
  /** Tells a router from an endpoint at run time. */
  readonly kind: "router";
  /** The entries, by name. */
  readonly routes: TRecord;
}

/**
 * The type a client sends for an endpoint: `void` when it takes no input.
 *
 * @example What a caller may send
 * ```ts
 * import * as z from "zod";
 * import { type InferInput, procedure } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const search = procedure({
 *   input: z.object({ query: z.string(), limit: z.number().default(10) }),
 *   output: z.array(z.string()),
 * });
 * const input: InferInput<typeof search> = { query: "deno" }; // `limit` may be left out
 * assert.equal(input.limit, undefined);
 * ```
 */
export type InferInput<TEndpoint extends Endpoint> = TEndpoint["input"] extends AnySchema
  ? InferSchemaInput<TEndpoint["input"]>
  : void;

/**
 * The type a handler receives for an endpoint, after validation.
 *
 * @example What a handler gets, defaults filled in
 * ```ts
 * import * as z from "zod";
 * import { type InferParsedInput, procedure } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const search = procedure({
 *   input: z.object({ query: z.string(), limit: z.number().default(10) }),
 *   output: z.array(z.string()),
 * });
 * const parsed: InferParsedInput<typeof search> = search.input.parse({ query: "deno" });
 * assert.equal(parsed.limit, 10); // always a number here
 * ```
 */
export type InferParsedInput<TEndpoint extends Endpoint> = TEndpoint["input"] extends AnySchema
  ? InferSchemaOutput<TEndpoint["input"]>
  : undefined;

/**
 * The type a client receives: a call's result or a subscription's event.
 *
 * @example What a caller gets back
 * ```ts
 * import * as z from "zod";
 * import { type InferOutput, subscription } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const messages = subscription({ output: z.object({ text: z.string(), at: z.date() }) });
 * const event: InferOutput<typeof messages> = { text: "hi", at: new Date(0) };
 * assert.equal(event.at.getTime(), 0); // `at` is a Date, not a string
 * ```
 */
export type InferOutput<TEndpoint extends Endpoint> = InferSchemaOutput<TEndpoint["output"]>;

/**
 * The type a handler returns or yields, before output validation.
 *
 * @example What a handler may return
 * ```ts
 * import * as z from "zod";
 * import { type InferHandlerOutput, procedure } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const post = procedure({
 *   output: z.object({ text: z.string(), pinned: z.boolean().default(false) }),
 * });
 * const returned: InferHandlerOutput<typeof post> = { text: "hi" }; // `pinned` may be left out
 * assert.deepEqual(post.output.parse(returned), { text: "hi", pinned: false });
 * ```
 */
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
