/**
 * Programs that run on Node or Bun: the orchestrator bundles each one's
 * TypeScript entry with `deno bundle` once, before the first run (as the
 * conformance suite does, with the same code: tests/_bundle.ts), into
 * bench/results/bundles/, and runs the bundle with `node` or `bun`. No
 * `node_modules`: the npm packages are inlined from Deno's cache, at the
 * versions bench/deno.lock records. A system's server runs there, and its
 * client driver too when it is written for that runtime (socket.io's).
 *
 * @module
 */

import {
  bundleEntry,
  type BundleRuntime,
  runtimeMissing,
  toolVersion,
} from "../../tests/_bundle.ts";

export type { BundleRuntime } from "../../tests/_bundle.ts";

/** A TypeScript entry point, and where its bundle goes. */
export interface BundledProgram {
  /** The TypeScript entry point. */
  readonly entry: string;
  /** Where the bundle goes. */
  readonly out: string;
}

/** The programs of a system that run on Node or Bun. */
export interface Bundled {
  /** The runtime that runs the bundles. */
  readonly runtime: BundleRuntime;
  /** The server. */
  readonly server: BundledProgram;
  /** The client driver, when it runs on `runtime` too; absent when it runs on Deno. */
  readonly client?: BundledProgram;
}

/** How each runtime is named in the output. */
export const RUNTIME_NAMES: Readonly<Record<BundleRuntime, string>> = { node: "Node", bun: "Bun" };

/** The runtime's version, or why it can't run here. */
export type RuntimeCheck = { readonly version: string } | { readonly missing: string };

const checks = new Map<BundleRuntime, RuntimeCheck>();

/** Whether `runtime` is on the PATH (Node 20 or later), and its version; asked once. */
export function checkRuntime(runtime: BundleRuntime): RuntimeCheck {
  let check = checks.get(runtime);
  if (check === undefined) {
    const version = toolVersion(runtime);
    const missing = runtimeMissing(runtime, version);
    check = missing === undefined ? { version: version ?? "" } : { missing };
    checks.set(runtime, check);
  }
  return check;
}

/**
 * Bundles a system's programs for Node or Bun with the benchmark's import map.
 *
 * @param bundled What to bundle, and where to.
 * @param root The repository's root folder.
 */
export async function bundlePrograms(bundled: Bundled, root: string): Promise<void> {
  const programs = bundled.client === undefined
    ? [bundled.server]
    : [bundled.server, bundled.client];
  for (const { entry, out } of programs) {
    await Deno.mkdir(out.slice(0, out.lastIndexOf("/")), { recursive: true });
    await bundleEntry(entry, out, { cwd: root, config: `${root}bench/deno.json` });
  }
}
