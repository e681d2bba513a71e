/**
 * Prints what the test run skipped, last, so that a skipped test is never
 * taken for a pass. `deno task test` runs it after everything else; the test
 * files append their skips to the file named by `WSRPC_SKIP_LOG`.
 *
 * ```sh
 * deno run --allow-read=tests --allow-write=tests tests/skip_summary.ts tests/.skipped.log
 * ```
 *
 * @module
 */

const [log = "tests/.skipped.log"] = Deno.args;
let lines: string[] = [];
try {
  lines = (await Deno.readTextFile(log)).split("\n").filter((line) => line.trim() !== "");
  await Deno.remove(log);
} catch (error) {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
}
if (lines.length === 0) {
  console.log("Skipped: nothing; every test ran.");
} else {
  console.log(`\nSkipped (these did NOT run, so they did not pass):\n${lines.join("\n")}`);
}
