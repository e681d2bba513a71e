/**
 * The wsrpc client on any runtime: `<runtime> client.mjs <url>` calls the
 * conformance app, subscribes, meets an error, and prints what it saw as one
 * JSON line. Where there is no global `WebSocket` (Node 20) it passes the one
 * of the npm package `ws`, as the README says to.
 *
 * @module
 */

import process from "node:process";
// @ts-types="@types/ws"
import { WebSocket as WsWebSocket } from "ws";
import { RpcError } from "../../../mod.ts";
import { createClient, type WebSocketConstructor } from "../../../client/mod.ts";
import { api } from "../_app.ts";

const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
const client = createClient(api, {
  url: process.argv[2] ?? "",
  WebSocket: global ?? WsWebSocket,
  connectionParams: () => ({ token: "t-ada" }),
});
const ticks: number[] = [];
for await (const n of client.clock.ticks({ count: 3 })) ticks.push(n);
let error: { code: number; message: string } | undefined;
try {
  await client.refuse();
} catch (thrown) {
  if (thrown instanceof RpcError) error = { code: thrown.code, message: thrown.message };
}
console.log(JSON.stringify({
  webSocket: global === undefined ? "ws" : "global",
  whoami: await client.whoami(),
  echoedDate: (await client.echo(new Date(0))) instanceof Date,
  ticks,
  error,
}));
client.close();
