/**
 * The browser-bundle rows: each system's client for one call and one
 * subscription (bench/extras/entries/), bundled with
 * `deno bundle --platform browser --minify`, in bytes minified and minified
 * plus gzip.
 *
 * @module
 */

import type { Row } from "../report/rows.ts";
import { RAW_ID, ROOT, TRPC_ID } from "../systems/list.ts";
import type { ExtraRowContext } from "./extra_rows.ts";

/** The wsrpc systems: one library, so one figure for both. */
const WSRPC_IDS = ["wsrpc-json", "wsrpc-rich"];

/** A bundle's sizes in bytes. */
interface Sizes {
  readonly min: number;
  readonly gzip: number;
}

function entry(name: string): string {
  return `${ROOT}bench/extras/entries/${name}.ts`;
}

async function gzipSize(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

/** Bundles one entry and measures it. */
async function bundle(path: string): Promise<Sizes> {
  const { success, code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--minify",
      `--config=${ROOT}bench/deno.json`,
      path,
    ],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(`deno bundle ${path} exited ${code}: ${new TextDecoder().decode(stderr)}`);
  }
  return { min: stdout.byteLength, gzip: await gzipSize(stdout) };
}

/** Spreads one value over the given system ids. */
function valuesFor(ids: readonly string[], value: number): Record<string, number> {
  return Object.fromEntries(ids.map((id) => [id, value]));
}

/** The bundle-size rows for the systems that ran. */
export async function bundleSizeRows(context: ExtraRowContext): Promise<Row[]> {
  const ran = new Set(context.systems.map((s) => s.id));
  const wsrpcIds = WSRPC_IDS.filter((id) => ran.has(id));
  const sizes: Record<string, Sizes> = {};
  if (ran.has(RAW_ID)) sizes[RAW_ID] = await bundle(entry("raw"));
  if (ran.has(TRPC_ID)) sizes[TRPC_ID] = await bundle(entry("trpc"));
  let fromValue: Sizes | null = null;
  if (wsrpcIds.length > 0) {
    const typeOnly = await bundle(entry("wsrpc_type_only"));
    for (const id of wsrpcIds) sizes[id] = typeOnly;
    fromValue = await bundle(entry("wsrpc_value"));
  }
  const pick = (key: keyof Sizes): Record<string, number> =>
    Object.fromEntries(Object.entries(sizes).map(([id, s]) => [id, s[key]]));
  const rows: Row[] = [
    {
      id: "bundle.min",
      label: "Browser client bundle, type-only contract, minified",
      unit: "bytes",
      better: "lower",
      values: pick("min"),
    },
    {
      id: "bundle.gzip",
      label: "Browser client bundle, type-only contract, minified + gzip",
      unit: "bytes",
      better: "lower",
      values: pick("gzip"),
    },
  ];
  if (fromValue !== null) {
    rows.push({
      id: "bundle.value.gzip",
      label: "Browser client bundle from the contract value, zod included (the user's " +
        "schemas are the user's cost), minified + gzip",
      unit: "bytes",
      better: "lower",
      values: valuesFor(wsrpcIds, fromValue.gzip),
    });
  }
  return rows;
}
