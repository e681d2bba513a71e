/**
 * The slice of the Standard Schema interface (version 1) that wsrpc relies on.
 *
 * zod 4, Valibot and ArkType schemas all carry a `~standard` property of this
 * shape, so the contract accepts any of them without naming a library in its
 * public types.
 *
 * @module
 */

/**
 * A path segment of a validation issue: a key, or an object that holds one.
 *
 * @example Turn a path into plain keys
 * ```ts
 * import type { PathSegment } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const path: PathSegment[] = ["items", 0, { key: "name" }];
 * const keys = path.map((segment) => typeof segment === "object" ? segment.key : segment);
 * assert.deepEqual(keys, ["items", 0, "name"]);
 * ```
 */
export type PathSegment = PropertyKey | { readonly key: PropertyKey };

/**
 * One problem found by a validator.
 *
 * @example The issues of a zod schema
 * ```ts
 * import * as z from "zod";
 * import type { SchemaIssue } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const result = await z.object({ name: z.string() })["~standard"].validate({ name: 1 });
 * const issues: ReadonlyArray<SchemaIssue> = result.issues ?? [];
 * assert.deepEqual(issues[0]?.path, ["name"]);
 * ```
 */
export interface SchemaIssue {
  /** A human readable description of the problem. */
  readonly message: string;
  /** Where in the value the problem is, if not at the root. */
  readonly path?: ReadonlyArray<PathSegment> | undefined;
}

/**
 * What a validator returns: the parsed value, or the issues it found.
 *
 * @example A hand-written validator
 * ```ts
 * import type { ValidationResult } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const port = (value: unknown): ValidationResult<number> =>
 *   Number.isInteger(value)
 *     ? { value: value as number }
 *     : { issues: [{ message: "Not an integer" }] };
 * assert.deepEqual(port(80), { value: 80 });
 * assert.equal(port("80").issues?.[0]?.message, "Not an integer");
 * ```
 */
export type ValidationResult<TOutput> =
  | { readonly value: TOutput; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<SchemaIssue> };

/**
 * A schema that can validate unknown values: anything with a Standard Schema
 * `~standard` property, such as a zod 4 schema.
 *
 * @example Check that a zod schema fits
 * ```ts
 * import * as z from "zod";
 * import type { Schema } from "@wsrpc/core";
 *
 * const name: Schema<string, string> = z.string();
 * ```
 */
export interface Schema<TInput = unknown, TOutput = TInput> {
  /** The Standard Schema properties. */
  readonly "~standard": {
    /** The version of the Standard Schema interface. */
    readonly version: 1;
    /** The library that made the schema. */
    readonly vendor: string;
    /** Validates a value, synchronously or not. */
    readonly validate: (
      value: unknown,
    ) => ValidationResult<TOutput> | Promise<ValidationResult<TOutput>>;
    /** Carries the types only; absent at run time. */
    readonly types?: { readonly input: TInput; readonly output: TOutput } | undefined;
  };
}

/**
 * Any schema, whatever it accepts and produces.
 *
 * @example Accept a schema of any type
 * ```ts
 * import * as z from "zod";
 * import type { AnySchema } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const vendor = (schema: AnySchema): string => schema["~standard"].vendor;
 * const schemas: AnySchema[] = [z.string(), z.object({ n: z.number() })];
 * assert.deepEqual(schemas.map(vendor), ["zod", "zod"]);
 * ```
 */
// deno-lint-ignore no-explicit-any
export type AnySchema = Schema<any, any>;

/**
 * The type a schema accepts: what a client sends.
 *
 * @example The input side of a transform
 * ```ts
 * import * as z from "zod";
 * import type { InferSchemaInput } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const Port = z.string().transform((text) => Number(text));
 * const sent: InferSchemaInput<typeof Port> = "8080"; // a string goes in
 * assert.equal(Port.parse(sent), 8080);
 * ```
 */
// Read from the stored `types` property rather than re-inferring through
// `validate`, which is cheaper for the checker and exact for transforms.
export type InferSchemaInput<TSchema extends AnySchema> = NonNullable<
  TSchema["~standard"]["types"]
>["input"];

/**
 * The type a schema produces: what a handler receives.
 *
 * @example The output side of a transform
 * ```ts
 * import * as z from "zod";
 * import type { InferSchemaOutput } from "@wsrpc/core";
 * import assert from "node:assert/strict";
 *
 * const Port = z.string().transform((text) => Number(text));
 * const port: InferSchemaOutput<typeof Port> = Port.parse("8080"); // a number comes out
 * assert.equal(port + 1, 8081);
 * ```
 */
export type InferSchemaOutput<TSchema extends AnySchema> = NonNullable<
  TSchema["~standard"]["types"]
>["output"];
