/** The versions deno.lock resolved for some specifiers. @module */

/** Maps each of `specifiers` to "name@version" as locked, where known. */
export async function lockedVersions(
  lockfile: string,
  specifiers: readonly string[],
): Promise<string[]> {
  let locked: Record<string, string> = {};
  try {
    const lock = JSON.parse(await Deno.readTextFile(lockfile)) as {
      specifiers?: Record<string, string>;
    };
    locked = lock.specifiers ?? {};
  } catch {
    // No lockfile: report the ranges.
  }
  return specifiers.map((spec) => {
    const name = spec.replace(/^npm:/, "").replace(/@[^@]*$/, "");
    // deno.lock keys "npm:x@^11" as "npm:x@11".
    const version = locked[spec] ?? locked[spec.replace("@^", "@")];
    return version === undefined ? spec : `${name}@${version.split("_")[0]}`;
  });
}
