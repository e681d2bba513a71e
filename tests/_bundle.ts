/**
 * Running our TypeScript on Node and Bun without `node_modules`: a bundle
 * made with `deno bundle` (npm packages inlined, `node:` built-ins left as
 * imports), run with `node` or `bun`. Shared by the conformance suite
 * (tests/conformance/_runtimes.ts) and the benchmark (bench/harness/runtimes.ts).
 *
 * @module
 */

/** The oldest Node the conformance suite, the benchmark and the README promise. */
export const MIN_NODE_MAJOR = 20;

/** A runtime that runs bundles. */
export type BundleRuntime = "node" | "bun";

/** The version a tool prints for `--version` (without a leading `v`), or `undefined` when it is not on the PATH. */
export function toolVersion(command: string): string | undefined {
  try {
    const { success, stdout } = new Deno.Command(command, {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    return success ? new TextDecoder().decode(stdout).trim().replace(/^v/, "") : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why `runtime` can't run bundles here (not on the PATH, or a Node older than
 * {@linkcode MIN_NODE_MAJOR}), or `undefined` when it can.
 */
export function runtimeMissing(
  runtime: BundleRuntime,
  version: string | undefined,
): string | undefined {
  if (version === undefined) return `${runtime} is not on the PATH`;
  // Without a node on the PATH, Deno may run itself for a command named
  // "node", and it answers "deno 2.x …": not a version of the runtime.
  const major = /^(\d+)\.\d+/.exec(version)?.[1];
  if (major === undefined) {
    return `${runtime} is not on the PATH (\`${runtime} --version\` says ${
      version.split("\n")[0]
    })`;
  }
  if (runtime === "node" && Number(major) < MIN_NODE_MAJOR) {
    return `node ${MIN_NODE_MAJOR} or later is not on the PATH (found ${version})`;
  }
  return undefined;
}

/** Where and how to bundle. */
export interface BundleOptions {
  /** The folder `deno bundle` runs in, where `entry` and `out` are relative to. */
  readonly cwd: string | URL;
  /** The `deno.json` whose import map applies; the one `cwd` finds when absent. */
  readonly config?: string;
}

/**
 * Bundles a TypeScript entry point, npm packages included, into one ES
 * module that Node (20 or later) and Bun run.
 *
 * @param entry The entry point.
 * @param out Where the bundle goes.
 * @param options Where `deno bundle` runs, and with which config.
 * @throws {Error} With `deno bundle`'s own message when it fails.
 */
export async function bundleEntry(
  entry: string,
  out: string,
  options: BundleOptions,
): Promise<void> {
  const config = options.config === undefined ? [] : [`--config=${options.config}`];
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", ...config, "--platform=deno", "-o", out, entry],
    cwd: options.cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(`deno bundle ${entry} failed: ${new TextDecoder().decode(stderr)}`);
  }
}
