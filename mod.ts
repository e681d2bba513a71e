/**
 * wsrpc: end-to-end typed RPC over one WebSocket, JSON-RPC 2.0 on the wire.
 *
 * This entry point is the shared contract: what both the server and the
 * client import. It holds no server code, so a browser bundle can import it.
 * The server lives in `@wsrpc/core/server`, the client in `@wsrpc/core/client`,
 * and the wire's frames, control methods and close codes in `@wsrpc/core/protocol`.
 *
 * @example Describe an API once
 * ```ts
 * import * as z from "zod";
 * import { procedure, router, subscription } from "@wsrpc/core";
 *
 * export const api = router({
 *   hello: procedure({ input: z.string(), output: z.string() }),
 *   chat: router({
 *     messages: subscription({ input: z.object({ room: z.string() }), output: z.string() }),
 *   }),
 * });
 * ```
 *
 * @module
 */

export {
  type Endpoint,
  type EndpointDefinition,
  flattenRouter,
  type InferHandlerOutput,
  type InferInput,
  type InferOutput,
  type InferParsedInput,
  type Procedure,
  procedure,
  type Router,
  router,
  type RouterRecord,
  type Subscription,
  subscription,
} from "./shared/contract.ts";
export { ErrorCode, type ErrorCodeName, RpcError, type RpcErrorOptions } from "./shared/errors.ts";
export { type Codec, type Encoded, isPlainJson, superjsonCodec } from "./shared/codec.ts";
export type {
  AnySchema,
  InferSchemaInput,
  InferSchemaOutput,
  PathSegment,
  Schema,
  SchemaIssue,
  ValidationResult,
} from "./shared/standard_schema.ts";
export type { WireIssue } from "./shared/validate.ts";
