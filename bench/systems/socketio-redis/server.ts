/**
 * The socket.io + Redis adapter server, on Node (bundled with `deno bundle`,
 * run with `node`): socket.io 4.8 on a `node:http` server, the official
 * `@socket.io/redis-adapter` on two node-redis clients (`createClient` and
 * `duplicate()`, as the adapter's docs show), every setting at its default.
 * A subscriber joins a room; a publish broadcasts each event to that room,
 * which the adapter also publishes on Redis for the other instances.
 *
 * @module
 */

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import process from "node:process";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { Server } from "socket.io";
import { REDIS_URL_ENV } from "../../harness/protocol.ts";
import { plainPayload } from "../../workloads/system_driver.ts";
import { announceOnNode, HOST } from "../announce_node.ts";
import { type ClientToServer, ROOM, type ServerToClient } from "./wire.ts";

/** Not a pattern the adapter uses: subscribed to once, to learn when its own are in place. */
const PROBE_PATTERN = "bench-probe#*";

const url = process.env[REDIS_URL_ENV];
if (url === undefined) throw new Error(`${REDIS_URL_ENV} is not set: the orchestrator sets it`);
const pubClient = createClient({ url });
const subClient = pubClient.duplicate();
await Promise.all([pubClient.connect(), subClient.connect()]);

const http = createServer();
const io = new Server<ClientToServer, ServerToClient>(http, {
  adapter: createAdapter(pubClient, subClient),
});
// The adapter subscribes without waiting; Redis answers in order on one
// connection, so once this probe is acknowledged the adapter's are too.
await subClient.pSubscribe(PROBE_PATTERN, () => {});
await subClient.pUnsubscribe(PROBE_PATTERN);

io.on("connection", (socket) => {
  socket.on("subscribe", async (ack) => {
    await socket.join(ROOM);
    ack();
  });
  socket.on("publish", (count, ack) => {
    for (let i = 0; i < count; i++) io.to(ROOM).emit("event", plainPayload(i));
    ack(count);
  });
});

http.listen(0, HOST, () => announceOnNode((http.address() as AddressInfo).port));
