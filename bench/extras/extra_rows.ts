/**
 * The hook for rows that don't come from a workload, such as browser-bundle
 * size or type-check time. Add a source to {@linkcode EXTRA_ROW_SOURCES}: it
 * gets the mode and the systems that ran, and returns rows whose `values`
 * are keyed by system id (null where it has no figure). The orchestrator
 * puts them under the workload rows, with the same ratios to raw and tRPC.
 *
 * @module
 */

import type { Mode } from "../harness/config.ts";
import type { Row } from "../report/rows.ts";
import type { SystemSpec } from "../systems/list.ts";
import { bundleSizeRows } from "./bundle_size.ts";
import { typecheckRows } from "./typecheck.ts";

/** What an extra-row source is told. */
export interface ExtraRowContext {
  readonly mode: Mode;
  /** The systems that were run, in table order. */
  readonly systems: readonly SystemSpec[];
}

/** Makes some rows; a throw is reported and the run goes on. */
export type ExtraRowSource = (context: ExtraRowContext) => Promise<Row[]>;

/** The sources, in table order. */
export const EXTRA_ROW_SOURCES: readonly ExtraRowSource[] = [bundleSizeRows, typecheckRows];
