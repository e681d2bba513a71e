/**
 * The tRPC v11 server, on any runtime with `node:http`: `applyWSSHandler`
 * from `@trpc/server/adapters/ws` on a `ws` WebSocketServer, default
 * settings. trpc/server.ts runs it on Deno, trpc-node/server.ts on Node.
 *
 * @module
 */

import { applyWSSHandler } from "@trpc/server/adapters/ws";
// @ts-types="@types/ws"
import { WebSocketServer } from "ws";
import { HOST } from "../announce.ts";
import { appRouter } from "./router.ts";

/** Serves the router; passes the port to `announce` once it listens. */
export function serveTrpc(announce: (port: number) => void): void {
  const wss = new WebSocketServer({ host: HOST, port: 0 });
  applyWSSHandler({ wss, router: appRouter });
  wss.on("listening", () => {
    const address = wss.address();
    if (address === null || typeof address === "string") {
      throw new Error(`unexpected address ${address}`);
    }
    announce(address.port);
  });
}
