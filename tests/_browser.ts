/**
 * Test helper: launch headless Chromium through `playwright-core`.
 *
 * The browser binary is the system Chromium (Debian package `chromium`),
 * not a Playwright-downloaded build, so no `playwright install` step is needed.
 * Override the path with the `CHROMIUM_PATH` environment variable.
 *
 * Tests using this module need `--allow-all`: besides env/run/read/write/net/sys,
 * playwright-core probes `/proc/sys/fs/binfmt_misc/WSLInterop` (WSL detection)
 * and Deno only allows reads under `/proc/sys` with `--allow-all`.
 *
 * Functions passed to `page.evaluate` / `page.waitForFunction` are type-checked
 * without the DOM lib, so pass browser-side code as a string expression instead,
 * e.g. `` page.waitForFunction(`document.title === "ok"`) ``.
 *
 * @module
 */

import { type Browser, chromium } from "playwright-core";
import { type Requirement, requirement } from "./_skip.ts";

/** Default location of the Debian `chromium` binary. */
export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

/** Flags keeping Chromium quiet, offline and runnable as root in CI containers. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Path of the Chromium executable to use: `$CHROMIUM_PATH` if set and
 * non-empty, otherwise {@link DEFAULT_CHROMIUM_PATH}.
 */
export function chromiumPath(): string {
  const fromEnv = Deno.env.get("CHROMIUM_PATH");
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : DEFAULT_CHROMIUM_PATH;
}

/**
 * Whether the Chromium executable exists (as a file) at {@link chromiumPath}.
 * To skip browser tests without it, wrap them in {@link needsChromium}.
 */
export function chromiumAvailable(): boolean {
  try {
    return Deno.statSync(chromiumPath()).isFile;
  } catch {
    return false;
  }
}

/**
 * Marks a test as needing Chromium: ignored (and reported) when it is
 * missing, failing when it is missing on CI.
 */
export const needsChromium: Requirement = requirement("browser", {
  available: chromiumAvailable(),
  missing: `Chromium is missing at ${chromiumPath()}`,
  howToGet: "apt-get install -y chromium, or set CHROMIUM_PATH",
});

/**
 * Launch headless Chromium (~0.5 s). The caller must close it: either
 * `await browser.close()` in a `finally` block or `await using browser = ...`.
 * When it does, `Deno.test`'s default op and resource sanitizers pass, so no
 * sanitizer options are needed.
 *
 * @example
 * ```ts
 * Deno.test(needsChromium({
 *   name: "ui",
 *   async fn() {
 *     const browser = await launchBrowser();
 *     try {
 *       const page = await browser.newPage();
 *       // ...
 *     } finally {
 *       await browser.close();
 *     }
 *   },
 * }));
 * ```
 */
export async function launchBrowser(): Promise<Browser> {
  return await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
}
