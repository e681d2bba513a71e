/**
 * Edges of a connection's life on the server: a shutdown that comes while a
 * socket is still opening, and a client that leaves during the upgrade.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { procedure, router } from "../mod.ts";
import { CloseCode } from "../protocol.ts";
import { createHandler } from "../server/mod.ts";
import { RawSocket } from "./_server.ts";
import { sleep } from "./_wait.ts";

Deno.test("a connection upgraded just as the server shuts down is still closed with 1012", async () => {
  const rpc = createHandler(router({ ping: procedure({ output: z.null() }) }), {
    handlers: { ping: () => null },
  });
  let shutdown: Promise<void> | undefined;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const response = rpc(request);
    // The socket is still opening: Deno would ignore a close now.
    shutdown = rpc.shutdown({ timeout: 100 });
    return response;
  });
  const socket = new WebSocket(`ws://127.0.0.1:${server.addr.port}`);
  const closed = new Promise<CloseEvent>((resolve) => socket.onclose = resolve);
  socket.onerror = () => {};
  assert.equal((await closed).code, CloseCode.ServiceRestart);
  await shutdown;
  assert.equal(rpc.connections, 0);
  await server.shutdown();
});

Deno.test("clients that leave during the upgrade give their connection slots back", async () => {
  // In its own process: Deno.serve can't shut down after such an upgrade.
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      new URL("./apps/upgrade_server.ts", import.meta.url).href,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let line = "";
    while (!line.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("The server exited before it listened");
      line += value;
    }
    reader.releaseLock();
    const port = Number(JSON.parse(line).port);
    const request = [
      "GET / HTTP/1.1",
      "Host: 127.0.0.1",
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${btoa("0123456789abcdef")}`,
      "Sec-WebSocket-Version: 13",
    ].join("\r\n");
    // As many as the per-address limit: each leaves before its upgrade.
    for (let i = 0; i < 5; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(new TextEncoder().encode(`${request}\r\n\r\n`));
      conn.close();
    }
    await sleep(100);
    await assert.rejects(RawSocket.open(`ws://127.0.0.1:${port}/`), "the five slots are held");
    // Deno never reports anything for such a socket; the handshake deadline frees it.
    await sleep(400);
    await using socket = await RawSocket.open(`ws://127.0.0.1:${port}/`);
    assert.deepEqual(await socket.request({ jsonrpc: "2.0", id: 1, method: "connections" }), {
      jsonrpc: "2.0",
      id: 1,
      result: 1,
    });
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await child.stdout.cancel().catch(() => {});
  }
});
