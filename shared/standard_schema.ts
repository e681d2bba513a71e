/**
 * The slice of the Standard Schema interface (version 1) that wsrpc relies on.
 *
 * zod 4, Valibot and ArkType schemas all carry a `~standard` property of this
 * shape, so the contract accepts any of them without naming a library in its
 * public types.
 *
 * @module
 */

/** A path segment of a validation issue: a key, or an object that holds one. */
export type PathSegment = PropertyKey | { readonly key: PropertyKey };

/** One problem found by a validator. */
export interface SchemaIssue {
  /** A human readable description of the problem. */
  readonly message: string;
  /** Where in the value the problem is, if not at the root. */
  readonly path?: ReadonlyArray<PathSegment> | undefined;
}

/** What a validator returns: the parsed value, or the issues it found. */
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

/** Any schema, whatever it accepts and produces. */
// deno-lint-ignore no-explicit-any
export type AnySchema = Schema<any, any>;

/** The type a schema accepts: what a client sends. */
// Read from the stored `types` property rather than re-inferring through
// `validate`, which is cheaper for the checker and exact for transforms.
export type InferSchemaInput<TSchema extends AnySchema> = NonNullable<
  TSchema["~standard"]["types"]
>["input"];

/** The type a schema produces: what a handler receives. */
export type InferSchemaOutput<TSchema extends AnySchema> = NonNullable<
  TSchema["~standard"]["types"]
>["output"];
