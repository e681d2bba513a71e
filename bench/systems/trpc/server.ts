/**
 * The tRPC v11 server on Deno (trpc/serve.ts: `applyWSSHandler` on a `ws`
 * WebSocketServer, default settings, through Deno's Node compatibility), the
 * runtime the other systems use; see bench/README.md for why. trpc-node/
 * runs the same server on Node.
 *
 * @module
 */

import { announce } from "../announce.ts";
import { serveTrpc } from "./serve.ts";

serveTrpc(announce);
