/**
 * The type-check rows: `deno check` of a generated project (contract, server,
 * client; bench/extras/gen_contract.ts) with 10 procedures and with 200, and
 * the ratio. Each run gets a fresh folder and a fresh nonce, so neither
 * Deno's type-check cache nor TypeScript's build info can skip the work; the
 * npm packages and the library's files stay cached. The median of the timed
 * runs is reported, after one untimed warm-up run of each size.
 *
 * @module
 */

import type { Row } from "../report/rows.ts";
import { median } from "../report/rows.ts";
import { ROOT } from "../systems/list.ts";
import type { ExtraRowContext } from "./extra_rows.ts";
import { generateProject } from "./gen_contract.ts";

/** The wsrpc systems: one library, so one figure for both. */
const WSRPC_IDS = ["wsrpc-json", "wsrpc-rich"];
const SMALL = 10;
const LARGE = 200;
/** Generated projects go under the git-ignored results folder. */
const WORK_DIR = `${ROOT}bench/results`;

/** Writes a project of `count` procedures, checks it, removes it; ms. */
async function timeCheck(count: number): Promise<number> {
  await Deno.mkdir(WORK_DIR, { recursive: true });
  const dir = await Deno.makeTempDir({ dir: WORK_DIR, prefix: `typecheck-${count}-` });
  try {
    const project = generateProject(count, crypto.randomUUID());
    for (const [name, text] of Object.entries(project)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    const start = performance.now();
    const { success, code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "check",
        "--quiet",
        `--config=${ROOT}bench/deno.json`,
        `${dir}/server.ts`,
        `${dir}/client.ts`,
      ],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    const ms = performance.now() - start;
    if (!success) {
      throw new Error(
        `deno check of ${count} procedures exited ${code}: ` +
          new TextDecoder().decode(stderr).slice(0, 2_000),
      );
    }
    return ms;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The type-check rows, for the wsrpc systems that ran. */
export async function typecheckRows(context: ExtraRowContext): Promise<Row[]> {
  const ran = new Set(context.systems.map((s) => s.id));
  const ids = WSRPC_IDS.filter((id) => ran.has(id));
  if (ids.length === 0) return [];
  const smoke = context.mode === "smoke";
  if (!smoke) {
    await timeCheck(SMALL);
    await timeCheck(LARGE);
  }
  const small: number[] = [];
  const large: number[] = [];
  for (let run = 0; run < (smoke ? 1 : 3); run++) {
    small.push(await timeCheck(SMALL));
    large.push(await timeCheck(LARGE));
  }
  const smallMs = median(small);
  const largeMs = median(large);
  const values = (value: number): Record<string, number> =>
    Object.fromEntries(ids.map((id) => [id, value]));
  const row = (id: string, label: string, unit: string, value: number): Row => ({
    id,
    label,
    unit,
    better: "lower",
    values: values(value),
  });
  return [
    row(
      "typecheck.small",
      `deno check, ${SMALL} procedures (contract, server, client)`,
      "ms",
      smallMs,
    ),
    row(
      "typecheck.large",
      `deno check, ${LARGE} procedures (contract, server, client)`,
      "ms",
      largeMs,
    ),
    row(
      "typecheck.ratio",
      `deno check time, ${LARGE} ÷ ${SMALL} procedures`,
      "×",
      largeMs / smallMs,
    ),
  ];
}
