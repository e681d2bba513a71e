/**
 * Copies the last full run into README.md, between the `bench:start` and
 * `bench:end` markers: the header line (date, machine, load) and the tables
 * (the figures, then the targets), exactly as `deno task bench` wrote them to
 * bench/results/latest.md. So the README's figures are always one real run's,
 * never typed in by hand.
 *
 * Usage: `deno task bench` then `deno task bench:readme`.
 *
 * @module
 */

const RESULTS = new URL("./results/latest.md", import.meta.url);
const README = new URL("../README.md", import.meta.url);
const START = "<!-- bench:start -->";
const END = "<!-- bench:end -->";

const results = await Deno.readTextFile(RESULTS);
if (!results.startsWith("# wsrpc benchmark (full)")) {
  throw new Error("bench/results/latest.md is not from a full run: run `deno task bench` first");
}
const lines = results.split("\n");
const header = lines.find((line) => /^\d{4}-\d{2}-\d{2}T/.test(line));
/** Each table: a run of lines that start with "|". */
const tables: string[][] = [];
lines.forEach((line, i) => {
  if (!line.startsWith("|")) return;
  if (lines[i - 1]?.startsWith("|")) tables.at(-1)!.push(line);
  else tables.push([line]);
});
if (header === undefined || tables.length === 0) {
  throw new Error("bench/results/latest.md has no header line or no table");
}
const readme = await Deno.readTextFile(README);
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start === -1 || end < start) throw new Error(`README.md has no ${START} … ${END} block`);
const body = tables.flatMap((table) => [...table, ""]);
const block = [START, "", `Run of ${header}`, "", ...body, END].join("\n");
await Deno.writeTextFile(README, readme.slice(0, start) + block + readme.slice(end + END.length));
const rows = tables.reduce((sum, table) => sum + table.length - 2, 0);
console.log(
  `README.md: copied ${tables.length} tables, ${rows} rows, from bench/results/latest.md`,
);
