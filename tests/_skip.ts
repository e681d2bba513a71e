/**
 * Skipping tests that need something this machine may lack (a Redis server,
 * a browser), without a skip ever passing for a success.
 *
 * Locally, such a test is ignored and the file ends with a plain line saying
 * what was skipped, why, and how to get it. With `CI` set, nothing is
 * ignored: the test fails at once, naming what is missing.
 *
 * The line comes at the end of each test file that skipped something:
 * `deno test` runs every file in its own isolate, so `unload` fires once per
 * file, and no code runs after the last one. For one summary at the end of
 * the whole run, `deno task test` sets `WSRPC_SKIP_LOG` to a file that each
 * line is also appended to, and `tests/skip_summary.ts` prints it last.
 *
 * @module
 */

/** What a group of tests needs, and what to tell a person who lacks it. */
export interface RequirementOptions {
  /** Whether this machine has it. */
  available: boolean;
  /** What is missing, as a sentence part: "redis-server is not installed". */
  missing: string;
  /** How to get it: "apt-get install -y redis-server". */
  howToGet: string;
}

/**
 * Wraps a test definition: ignored locally when the requirement is missing,
 * failing at once on CI; unchanged when it is there.
 */
export type Requirement = (definition: Deno.TestDefinition) => Deno.TestDefinition;

/** Tests skipped in this file, by requirement name. */
const skipped = new Map<string, { count: number; options: RequirementOptions }>();
let reporting = false;

/**
 * Whether this is a CI run: `CI` set to anything but the empty string (as
 * GitHub, GitLab and most others do), so a missing tool fails the test.
 */
function onCi(): boolean {
  return Boolean(Deno.env.get("CI"));
}

/**
 * Declares something tests need from the machine.
 *
 * @param name What the tests are called in the summary: "Redis" gives "6 Redis tests".
 * @param options Whether it is there, what is missing and how to get it.
 * @returns A function to wrap each `Deno.test` definition that needs it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const needsSh = requirement("shell", {
 *   available: true,
 *   missing: "/bin/sh is missing",
 *   howToGet: "apt-get install -y dash",
 * });
 * const definition = { name: "a script runs", fn() {} };
 * // There: the definition is left as it is. Missing: ignored, and after the
 * // file's tests "SKIPPED: 1 shell test in x_test.ts: /bin/sh is missing
 * // (apt-get install -y dash)"; with CI set, the test fails instead.
 * assert.equal(needsSh(definition), definition);
 * Deno.test(needsSh(definition));
 * ```
 */
export function requirement(name: string, options: RequirementOptions): Requirement {
  return (definition) => {
    if (options.available) return definition;
    if (onCi()) {
      return {
        ...definition,
        fn: () => {
          throw new Error(
            `CI must not skip ${name} tests: ${options.missing} (${options.howToGet})`,
          );
        },
      };
    }
    if (!definition.ignore) count(name, options);
    return { ...definition, ignore: true };
  };
}

/** Counts one skipped test, and reports them all when this file's run ends. */
function count(name: string, options: RequirementOptions): void {
  const entry = skipped.get(name) ?? { count: 0, options };
  entry.count++;
  skipped.set(name, entry);
  if (reporting) return;
  reporting = true;
  globalThis.addEventListener("unload", () => {
    const lines = summary();
    console.log(lines);
    const log = Deno.env.get("WSRPC_SKIP_LOG");
    if (log) Deno.writeTextFileSync(log, `${lines}\n`, { append: true });
  });
}

/** One line per requirement: "SKIPPED: 6 Redis tests in x_test.ts: ... (how to get it)". */
function summary(): string {
  const file = Deno.mainModule.slice(Deno.mainModule.lastIndexOf("/") + 1);
  return [...skipped].map(([name, { count, options }]) =>
    `SKIPPED: ${count} ${name} test${count === 1 ? "" : "s"} in ${file}: ` +
    `${options.missing} (${options.howToGet})`
  ).join("\n");
}
