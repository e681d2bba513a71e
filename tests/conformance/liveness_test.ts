/**
 * The idle timeout, on every runtime: a client that stops answering pings is
 * dropped, and one that answers (every WebSocket client does, by itself) is
 * kept. Deno and Bun ping on their own; on Node the server sends the pings.
 *
 * @module
 */

import assert from "node:assert/strict";
import { RawSocket } from "../_server.ts";
import { TcpWebSocket } from "../_tcp.ts";
import { AppServer, conformance } from "./_runtimes.ts";

conformance(
  "a client that stops answering pings is dropped; one that answers is kept",
  async (runtime) => {
    await using server = await AppServer.start(runtime, { idleTimeout: 1 });
    await using live = await RawSocket.open(server.url);
    const dead = await TcpWebSocket.open(server.url);
    try {
      // Bun counts idle time in steps of 4 s, and drops a silent client after 8 s at the least.
      const code = await dead.readClose(runtime === "bun" ? 12_000 : 4_000);
      // Deno sends 1001; ws and Bun drop the TCP connection without a close frame.
      assert.ok(code === undefined || code === 1001 || code === 1006, `closed with ${code}`);
    } finally {
      dead.close();
    }
    // The client can see its connection dropped a moment before the server has counted it
    // gone (ws reports the close of a terminated socket on a later tick): ask until it has.
    const deadline = Date.now() + 2_000;
    let connections: number;
    for (let id = 1;; id++) {
      const reply = await live.request({ jsonrpc: "2.0", id, method: "stats" }) as {
        result: { connections: number };
      };
      connections = reply.result.connections;
      if (connections === 1 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(connections, 1, "only the client that answered is left");
  },
);
