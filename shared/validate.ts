/**
 * Running a schema and turning its issues into an {@linkcode RpcError}.
 *
 * @module
 */

import { ErrorCode, RpcError } from "./errors.ts";
import type { AnySchema, SchemaIssue, ValidationResult } from "./standard_schema.ts";

/**
 * A validation issue as it travels in `error.data.issues`.
 *
 * @example Read the issues of an invalid params error
 * ```ts
 * import { ErrorCode, RpcError, type WireIssue } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const issues: WireIssue[] = [
 *   { message: "Too small", path: ["items", 0, "text"], code: "too_small" },
 * ];
 * const error = new RpcError(ErrorCode.InvalidParams, "Invalid params", { data: { issues } });
 * const [first] = (error.data as { issues: WireIssue[] }).issues;
 * assert.equal(first?.path.join("."), "items.0.text");
 * ```
 */
export interface WireIssue {
  /** What is wrong. */
  message: string;
  /** Where: object keys and array indexes from the root of the value. */
  path: Array<string | number>;
  /** Any other fields the validator gave, such as zod's `code` and `expected`. */
  [field: string]: unknown;
}

/**
 * Validates a value. Stays synchronous when the schema is, so the common
 * case costs no extra promise.
 *
 * @param schema The schema to run.
 * @param value The untrusted value.
 * @param code The code of the error to throw: invalid params for input, internal for output.
 * @returns The parsed value, or a promise of it.
 * @throws {RpcError} With `data.issues` when the value does not fit.
 */
export function validate(
  schema: AnySchema,
  value: unknown,
  code: number = ErrorCode.InvalidParams,
): unknown {
  const result = schema["~standard"].validate(value);
  if (result instanceof Promise) return result.then((settled) => unwrap(settled, code));
  return unwrap(result, code);
}

function unwrap(result: ValidationResult<unknown>, code: number): unknown {
  if (result.issues === undefined) return result.value;
  const issues = result.issues.map(toWireIssue);
  const message = code === ErrorCode.InvalidParams ? "Invalid params" : "Invalid output";
  throw new RpcError(code, message, { data: { issues } });
}

/**
 * Turns a validator's issue into the form it travels in: a plain path of
 * keys and indexes, and without the rejected value.
 *
 * @param issue An issue from a Standard Schema validator.
 * @returns The issue as sent in `error.data.issues`.
 */
export function toWireIssue(issue: SchemaIssue): WireIssue {
  const wire: WireIssue = { ...issue, message: issue.message, path: [] };
  for (const segment of issue.path ?? []) {
    const key = typeof segment === "object" ? segment.key : segment;
    if (typeof key === "string" || typeof key === "number") wire.path.push(key);
  }
  // The rejected value can be large or secret; the path is enough to find it.
  delete wire.input;
  return wire;
}
