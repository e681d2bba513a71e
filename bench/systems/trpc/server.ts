/**
 * The tRPC v11 server: `applyWSSHandler` from `@trpc/server/adapters/ws` on a
 * `ws` WebSocketServer, default settings. Runs on Deno (through its Node
 * compatibility for `ws`), the runtime the other systems use; see
 * bench/README.md for why.
 *
 * @module
 */

import { applyWSSHandler } from "@trpc/server/adapters/ws";
// @ts-types="@types/ws"
import { WebSocketServer } from "ws";
import { announce, HOST } from "../announce.ts";
import { appRouter } from "./router.ts";

const wss = new WebSocketServer({ host: HOST, port: 0 });
applyWSSHandler({ wss, router: appRouter });
wss.on("listening", () => {
  const address = wss.address();
  if (address === null || typeof address === "string") {
    throw new Error(`unexpected address ${address}`);
  }
  announce(address.port);
});
