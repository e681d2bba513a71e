/**
 * tRPC v11 on Node, its home runtime: the server of trpc/serve.ts
 * (`applyWSSHandler` on a `ws` WebSocketServer, default settings, the router
 * of trpc/router.ts). Bundled with `deno bundle`, run by `node`.
 *
 * @module
 */

import { announceOnNode } from "../announce_node.ts";
import { serveTrpc } from "../trpc/serve.ts";

serveTrpc(announceOnNode);
