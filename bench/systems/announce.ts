/**
 * Helpers for a TypeScript server program on Deno: announce the port, and
 * exit when the orchestrator goes away (stdin end of file) or after a time
 * limit. A server on Node or Bun uses announce_node.ts instead.
 *
 * @module
 */

import { printJsonLine } from "../harness/lines.ts";
import type { ServerReadyLine } from "../harness/protocol.ts";

/** A server never outlives this, whatever happens to the orchestrator. */
export const MAX_LIFETIME_MS = 15 * 60_000;

/** The host every benchmark server listens on. */
export const HOST = "127.0.0.1";

/**
 * Prints the ready line for `port`, then exits the process when stdin ends
 * or after {@linkcode MAX_LIFETIME_MS}.
 */
export function announce(port: number): void {
  const line: ServerReadyLine = { port };
  printJsonLine(line);
  const limit = setTimeout(() => Deno.exit(3), MAX_LIFETIME_MS);
  Deno.unrefTimer(limit);
  (async () => {
    for await (const _ of Deno.stdin.readable) {
      // The orchestrator writes nothing; end of file means it's done.
    }
    Deno.exit(0);
  })();
}
