/**
 * Browser entry for the bundle-size row: tRPC's WebSocket client
 * (`createWSClient` + `wsLink` + `createTRPCClient`) typed from the router's
 * type alone, one query and one subscription.
 *
 * @module
 */

import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import type { AppRouter } from "../../systems/trpc/router.ts";

const ws = createWSClient({ url: "ws://localhost:8000/" });
const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
console.log(await client.echo.query({ a: 1, s: "hello" }));
const subscription = client.events.subscribe({ n: 3 }, {
  onData: (event) => console.log(event),
  onComplete: () => ws.close(),
});
globalThis.addEventListener("unload", () => subscription.unsubscribe());
