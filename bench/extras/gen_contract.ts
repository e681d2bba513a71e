/**
 * Writes the source of a synthetic wsrpc project for the type-check row: a
 * contract of `count` procedures (routers of ten, each procedure with its own
 * input and output object schemas), a server that implements every one with
 * `createHandler`, and a client that calls every one.
 *
 * @module
 */

/** The three files of a generated project, by file name. */
export interface GeneratedProject {
  readonly "api.ts": string;
  readonly "server.ts": string;
  readonly "client.ts": string;
}

/** Procedures per nested router. */
const GROUP = 10;

function groups(count: number): number[][] {
  const out: number[][] = [];
  for (let first = 0; first < count; first += GROUP) {
    out.push(Array.from({ length: Math.min(GROUP, count - first) }, (_, k) => first + k));
  }
  return out;
}

function contract(count: number, nonce: string): string {
  const body = groups(count).map((ids, g) => {
    const procs = ids.map((i) =>
      `    p${i}: procedure({\n` +
      `      input: z.object({ id: z.number().int(), name: z.string(), tag${i}: z.string().optional() }),\n` +
      `      output: z.object({ id: z.number(), value${i}: z.string(), at: z.date() }),\n` +
      `    }),\n`
    ).join("");
    return `  g${g}: router({\n${procs}  }),\n`;
  }).join("");
  return `import * as z from "zod";\n` +
    `import { procedure, router } from "@wsrpc/core";\n\n` +
    `export const RUN = "${nonce}";\n\n` +
    `export const api = router({\n${body}});\n`;
}

function server(count: number, nonce: string): string {
  const body = groups(count).map((ids, g) => {
    const handlers = ids.map((i) =>
      `      p${i}: ({ input }) => ({ id: input.id, value${i}: input.name, at: new Date() }),\n`
    ).join("");
    return `    g${g}: {\n${handlers}    },\n`;
  }).join("");
  return `import { createHandler } from "@wsrpc/core/server";\n` +
    `import { api } from "./api.ts";\n\n` +
    `export const RUN = "${nonce}";\n\n` +
    `export const rpc = createHandler(api, {\n  handlers: {\n${body}  },\n});\n`;
}

function client(count: number, nonce: string): string {
  const calls = groups(count).flatMap((ids, g) =>
    ids.map((i) =>
      `  total += (await client.g${g}.p${i}({ id: ${i}, name: "n" })).value${i}.length;\n`
    )
  ).join("");
  return `import { createClient } from "@wsrpc/core/client";\n` +
    `import { api } from "./api.ts";\n\n` +
    `export const RUN = "${nonce}";\n\n` +
    `const client = createClient(api, { url: "ws://127.0.0.1:1/" });\n\n` +
    `export async function callAll(): Promise<number> {\n  let total = 0;\n${calls}` +
    `  return total;\n}\n`;
}

/**
 * The project for `count` procedures. `nonce` goes into every file, so that
 * each run is a new program to Deno's type-check cache.
 */
export function generateProject(count: number, nonce: string): GeneratedProject {
  return {
    "api.ts": contract(count, nonce),
    "server.ts": server(count, nonce),
    "client.ts": client(count, nonce),
  };
}
