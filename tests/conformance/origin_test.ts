/**
 * The origin check, on every runtime: a refused page is upgraded and closed
 * at once with 4403 and a reason, nothing runs for it, and its socket holds
 * a connection slot like any other (the scenarios of tests/origin_test.ts).
 *
 * @module
 */

import assert from "node:assert/strict";
import { CloseCode } from "../../protocol.ts";
import { RawSocket } from "../_server.ts";
import { TcpWebSocket } from "../_tcp.ts";
import { sleep } from "../_wait.ts";
import { AppServer, conformance } from "./_runtimes.ts";

/** How a socket from a page at `origin` ended: whether it opened, and its close. */
function connectFrom(
  url: string,
  origin: string,
): Promise<{ opened: boolean; code: number; reason: string }> {
  const socket = new WebSocket(url, { headers: { origin } });
  let opened = false;
  socket.onopen = () => opened = true;
  socket.onerror = () => {};
  return new Promise((resolve) => {
    socket.onclose = (event) => resolve({ opened, code: event.code, reason: event.reason });
  });
}

/** The app's counts, asked from an allowed page. */
async function stats(url: string): Promise<{ contexts: number; calls: string[] }> {
  await using socket = await RawSocket.open(url, { origin: "https://app.example.com" });
  const reply = await socket.request({ jsonrpc: "2.0", id: 1, method: "stats" }) as {
    result: { contexts: number; calls: string[] };
  };
  return reply.result;
}

conformance(
  "by default, a page of another site is refused with 4403; the server's own is served",
  async (runtime) => {
    await using server = await AppServer.start(runtime);
    assert.deepEqual(await connectFrom(server.url, "https://evil.example"), {
      opened: true,
      code: CloseCode.Forbidden,
      reason: "Origin https://evil.example is not allowed",
    });
    await using own = await RawSocket.open(server.url, {
      origin: `http://127.0.0.1:${server.port}`,
    });
    assert.deepEqual(await own.request({ jsonrpc: "2.0", id: 1, method: "whoami" }), {
      jsonrpc: "2.0",
      id: 1,
      result: "guest",
    });
    // A loopback dev server on another port is welcome too, in development.
    await using dev = await RawSocket.open(server.url, { origin: "http://localhost:5173" });
    assert.equal(
      (await dev.request({ jsonrpc: "2.0", id: 1, method: "whoami" }) as {
        result: string;
      }).result,
      "guest",
    );
  },
);

conformance("a refused page learns why, and nothing runs for it", async (runtime) => {
  await using server = await AppServer.start(runtime, { origins: ["https://app.example.com"] });
  const socket = await RawSocket.open(server.url, { origin: "https://evil.example" });
  socket.send({ jsonrpc: "2.0", id: 1, method: "echo", params: ["x"] });
  const closed = await socket.closed;
  assert.equal(closed.code, CloseCode.Forbidden);
  assert.equal(closed.reason, "Origin https://evil.example is not allowed");
  const burst = await Promise.all(
    Array.from({ length: 20 }, () => connectFrom(server.url, "https://evil.example")),
  );
  assert.ok(burst.every(({ code }) => code === CloseCode.Forbidden));
  // Only the stats connection made a context; no call ran for the refused pages.
  const { contexts, calls } = await stats(server.url);
  assert.deepEqual({ contexts, calls }, { contexts: 1, calls: [] });
});

conformance("a refused socket holds a connection slot while it lasts", async (runtime) => {
  await using server = await AppServer.start(runtime, {
    origins: ["https://app.example.com"],
    limits: { maxConnectionsPerIp: 2 },
  });
  const evil = { origin: "https://evil.example" };
  // A client that reads the 4403 but never answers it keeps its TCP connection.
  const first = await TcpWebSocket.open(server.url, evil);
  const second = await TcpWebSocket.open(server.url, evil);
  try {
    assert.equal(await first.readClose(), CloseCode.Forbidden);
    assert.equal(await second.readClose(), CloseCode.Forbidden);
    if (runtime === "bun") {
      // Bun ends the TCP connection itself right after its close frame, and
      // says so: nothing is held, and the slots are free at once.
      const third = await TcpWebSocket.open(server.url, evil);
      assert.equal(await third.readClose(), CloseCode.Forbidden);
      third.close();
    } else {
      await assert.rejects(TcpWebSocket.open(server.url, evil), /HTTP\/1\.1 429/);
    }
  } finally {
    first.close();
    second.close();
  }
  // Once they are gone, their slots are back.
  const deadline = Date.now() + 3000;
  while (true) {
    try {
      await stats(server.url);
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
});
