/**
 * Bundles the browser app with `deno bundle`, into memory.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/**
 * The example's own `deno.json`, whose import map the bundle resolves against:
 * it lists only what the example needs, so bundling downloads nothing more.
 */
const CONFIG = new URL("./deno.json", import.meta.url);

/**
 * Bundles a browser module and everything it imports into one ES module.
 * Runs the same `deno` that runs this code, so it needs `--allow-run` and
 * `--allow-read`.
 *
 * @param entry The module to bundle.
 * @returns The JavaScript of the bundle.
 * @throws {Error} When `deno bundle` fails; the message holds its output.
 */
export async function bundleBrowserApp(entry: URL): Promise<string> {
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--config",
      fileURLToPath(CONFIG),
      fileURLToPath(entry),
    ],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const { success, code, stdout, stderr } = await command.output();
  if (!success) {
    const detail = new TextDecoder().decode(stderr).trim();
    throw new Error(
      `deno bundle ${fileURLToPath(entry)} failed with exit code ${code}:\n${detail}`,
    );
  }
  return new TextDecoder().decode(stdout);
}
