/**
 * A busy port, said in one line: the dev commands check their ports before
 * they start anything, and name a `PORT` that would work.
 *
 * @module
 */

/** How far up from a busy port to look for a free one to suggest. */
const SEARCH = 100;

/** A port that another server holds. Its message is all a person needs to see. */
export class PortInUse extends Error {
  /** The port that is taken. */
  readonly port: number;

  /**
   * @param port The port that is taken.
   * @param suggestion A `PORT` that was free a moment ago, if one was found.
   */
  constructor(port: number, suggestion: number | undefined) {
    const fix = suggestion === undefined ? "set PORT to a free port" : `set PORT=${suggestion}`;
    super(`Port ${port} is in use: stop the other server or ${fix}`);
    this.name = "PortInUse";
    this.port = port;
  }
}

/**
 * Whether nothing listens on a port of an address: binds it, and lets go at
 * once. Only "in use" counts as taken; any other failure (no permission for
 * that address, say) is left for the real bind to report.
 */
function isFree(hostname: string, port: number): boolean {
  try {
    Deno.listen({ hostname, port }).close();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) return false;
    return true;
  }
}

/**
 * Checks that `count` ports from `first` up are free, as a dev command is
 * about to listen on them.
 *
 * @param hostname The address the servers will listen on.
 * @param first The first port; `0` (any free port) is always fine.
 * @param count How many consecutive ports, one per instance.
 * @throws {PortInUse} For the first port that is taken, with a `PORT` from
 * which `count` ports were free.
 */
export function assertPortsFree(hostname: string, first: number, count = 1): void {
  if (first === 0) return;
  for (let port = first; port < first + count; port++) {
    if (!isFree(hostname, port)) throw portTaken(port, { hostname, first, count });
  }
}

/** Where a taken port was wanted: its address, and the range of ports it is part of. */
export interface PortRange {
  /** The address the servers listen on. */
  hostname: string;
  /** The first port of the range. Defaults to the taken port. */
  first?: number;
  /** How many consecutive ports the range has, one per instance. Defaults to 1. */
  count?: number;
}

/**
 * The error for a port found taken, with a `PORT` to suggest instead.
 *
 * @param port The port that is taken.
 * @param range Where it was wanted.
 * @returns The error, whose message names the port and a free `PORT`.
 */
export function portTaken(port: number, range: PortRange): PortInUse {
  const { hostname, first = port, count = 1 } = range;
  return new PortInUse(port, freeRange(hostname, first + 1, count));
}

/** The first port from `from` up from which `count` ports are free, if there is one near. */
function freeRange(hostname: string, from: number, count: number): number | undefined {
  for (let start = from; start < from + SEARCH && start + count - 1 <= 65535; start++) {
    let free = true;
    for (let port = start; free && port < start + count; port++) free = isFree(hostname, port);
    if (free) return start;
  }
  return undefined;
}
