/**
 * announce.ts for a server bundled for Node or Bun (both have `node:process`):
 * print the ready line, then exit when stdin ends or after the time limit.
 *
 * @module
 */

import process from "node:process";
import type { ServerReadyLine } from "../harness/protocol.ts";
import { MAX_LIFETIME_MS } from "./announce.ts";

export { HOST } from "./announce.ts";

/**
 * Prints the ready line for `port`, then exits the process when stdin ends
 * or after {@linkcode MAX_LIFETIME_MS}.
 */
export function announceOnNode(port: number): void {
  const line: ServerReadyLine = { port };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  setTimeout(() => process.exit(3), MAX_LIFETIME_MS).unref();
  // The orchestrator writes nothing; end of file means it's done.
  process.stdin.on("data", () => {});
  process.stdin.on("end", () => process.exit(0));
}
