/**
 * Programs for Node made from the bench's TypeScript: `deno bundle` of an
 * entry point with bench/deno.json (its npm packages inlined, at the versions
 * bench/deno.lock records, so no node_modules and no other registry), run with
 * `node`. The same approach as tests/conformance/_runtimes.ts: `--platform`
 * takes `browser` or `deno`, and a `deno` bundle keeps `node:` imports as they
 * are, which Node runs.
 *
 * @module
 */

/** The version of `node` on the PATH ("v20.20.2"), or null when there is none. */
export function nodeVersion(): string | null {
  try {
    const { success, stdout } = new Deno.Command("node", {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    return success ? new TextDecoder().decode(stdout).trim() : null;
  } catch {
    return null;
  }
}

/**
 * Bundles `entry` into the file `out` (its folder made if needed) with the
 * config `config`; throws with deno's message when that fails.
 */
export async function bundleForNode(entry: string, out: string, config: string): Promise<void> {
  await Deno.mkdir(out.slice(0, out.lastIndexOf("/")), { recursive: true });
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", `--config=${config}`, "--platform=deno", "-o", out, entry],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(`deno bundle ${entry} failed: ${new TextDecoder().decode(stderr).trim()}`);
  }
}
