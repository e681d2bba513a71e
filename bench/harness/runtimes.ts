/**
 * Servers that run on Node or Bun: the orchestrator bundles each one's
 * TypeScript entry with `deno bundle` once, before the first run (as the
 * conformance suite does, with the same code: tests/_bundle.ts), into
 * bench/results/bundles/, and runs the bundle with `node` or `bun`. No
 * `node_modules`: the npm packages are inlined from Deno's cache.
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

/** A server program bundled for Node or Bun. */
export interface BundledServer {
  /** The runtime that runs the bundle. */
  readonly runtime: BundleRuntime;
  /** The TypeScript entry point. */
  readonly entry: string;
  /** Where the bundle goes. */
  readonly out: string;
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
 * Bundles a server with the benchmark's import map.
 *
 * @param server What to bundle, and where to.
 * @param root The repository's root folder.
 */
export async function bundleServer(server: BundledServer, root: string): Promise<void> {
  await Deno.mkdir(server.out.slice(0, server.out.lastIndexOf("/")), { recursive: true });
  await bundleEntry(server.entry, server.out, { cwd: root, config: `${root}bench/deno.json` });
}
