/**
 * The dispatch table: every dotted method name mapped, once, to its endpoint
 * and handler, so a call costs one map lookup.
 *
 * @module
 */

import type { Encoded } from "../shared/codec.ts";
import { type Endpoint, flattenRouter, type Router } from "../shared/contract.ts";
import { encodeSuperjson } from "../shared/superjson_format/encode.ts";
import { FlatShape } from "../shared/superjson_format/flat_shape.ts";
import type { HandlerOptions } from "./types.ts";

/** One entry of the dispatch table. */
export interface Route {
  /** The dotted method name. */
  readonly path: string;
  /** The endpoint from the contract. */
  readonly endpoint: Endpoint;
  /** The user's handler. */
  readonly handler: (options: HandlerOptions<unknown, unknown>) => unknown;
  /**
   * superjson's encoding of its results: the route keeps the last flat shape
   * they had, as a procedure's results most often have one (see `FlatShape`).
   */
  readonly encodeResult: (value: unknown) => Encoded;
}

/**
 * Pairs every endpoint of a contract with its handler.
 *
 * @param contract The router contract.
 * @param handlers The nested object of handlers.
 * @returns The dispatch table.
 * @throws {TypeError} When endpoints have no handler, naming every one of them.
 */
export function buildRoutes(contract: Router, handlers: unknown): Map<string, Route> {
  const routes = new Map<string, Route>();
  const missing: string[] = [];
  for (const [path, endpoint] of flattenRouter(contract)) {
    let handler: unknown = handlers;
    for (const name of path.split(".")) {
      handler = typeof handler === "object" && handler !== null && Object.hasOwn(handler, name)
        ? (handler as Record<string, unknown>)[name]
        : undefined;
    }
    if (typeof handler !== "function") {
      missing.push(`the ${endpoint.kind} "${path}"`);
      continue;
    }
    const shape = new FlatShape();
    routes.set(path, {
      path,
      endpoint,
      handler: handler as Route["handler"],
      encodeResult: (value) => encodeSuperjson(value, shape),
    });
  }
  if (missing.length === 1) throw new TypeError(`${capitalize(missing[0]!)} has no handler`);
  if (missing.length > 1) {
    throw new TypeError(`${missing.length} endpoints have no handler: ${missing.join(", ")}`);
  }
  return routes;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
