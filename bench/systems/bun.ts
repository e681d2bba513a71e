/**
 * The part of Bun's global `Bun.serve` that the Bun servers of the benchmark
 * use, typed here so that they check with Deno (no `bun-types` package).
 *
 * @module
 */

/** What `Bun.serve` takes: a `fetch` that upgrades, and the `websocket` handlers. */
export interface BunServeOptions<TServer, TWebSocket> {
  readonly hostname: string;
  readonly port: number;
  readonly fetch: (request: Request, server: TServer) => unknown;
  readonly websocket: TWebSocket;
}

/** The global `Bun`, as far as the benchmark uses it. */
export interface BunGlobal {
  serve<TServer, TWebSocket>(
    options: BunServeOptions<TServer, TWebSocket>,
  ): { readonly port: number };
}

/** Bun's global, on Bun. */
export const bun: BunGlobal = (globalThis as unknown as { Bun: BunGlobal }).Bun;
