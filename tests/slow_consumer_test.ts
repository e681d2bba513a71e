/**
 * Slow consumers: a client that stops reading must not make the server
 * buffer without bound. Subscriptions pause (their generator is not asked for
 * the next event) while the socket's send buffer is over its high water, and
 * a client that stays behind is closed with 4008.
 *
 * The client that stops reading is a WebSocket written by hand over TCP: it
 * does the handshake, sends its frames, and then reads nothing, so the TCP
 * window closes and the server's `bufferedAmount` grows.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { procedure, router, subscription } from "../mod.ts";
import { CloseCode } from "../protocol.ts";
import { createHandler, type Limits } from "../server/mod.ts";
import { RawSocket, serve } from "./_server.ts";
import { Opcode, TcpWebSocket } from "./_tcp.ts";
import { sleep, waitFor } from "./_wait.ts";

const EVENT = "x".repeat(1024);

const api = router({
  firehose: subscription({ output: z.string() }),
  numbers: subscription({ input: z.object({ count: z.number() }), output: z.number() }),
  blob: procedure({ output: z.string() }),
});

/** A server whose firehose counts what it made and notes when it ended. */
function startServer(limits: Partial<Limits>) {
  const stats = { produced: 0, finished: 0 };
  const rpc = createHandler(api, {
    limits,
    validateOutput: false,
    handlers: {
      firehose: async function* ({ signal }) {
        try {
          while (!signal.aborted) {
            stats.produced++;
            yield EVENT;
          }
        } finally {
          stats.finished++;
        }
      },
      numbers: async function* ({ input }) {
        for (let n = 0; n < input.count; n++) yield n;
      },
      blob: () => "y".repeat(256 * 1024),
    },
  });
  return { server: serve(rpc), rpc, stats };
}

const subscribe = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "firehose" });

Deno.test("a client that stops reading pauses its subscription; the server's memory stays bounded", async () => {
  const { server, rpc, stats } = startServer({
    sendBufferHighWater: 64 * 1024,
    slowConsumerTimeout: 60_000,
  });
  const rssBefore = Deno.memoryUsage().rss;
  const client = await TcpWebSocket.open(server.url);
  try {
    await client.send(Opcode.Text, subscribe);
    await waitFor(() => stats.produced > 0, "the first event");
    await sleep(1000);
    const paused = stats.produced;
    await sleep(500);
    const rssGrowth = Deno.memoryUsage().rss - rssBefore;
    console.log(
      `events made before the pause: ${paused}; RSS growth: ${
        (rssGrowth / 2 ** 20).toFixed(1)
      } MiB`,
    );
    assert.equal(stats.produced, paused, "the generator was not asked for more while paused");
    // What the kernel's TCP buffers take, plus the high water: thousands, not millions.
    assert.ok(paused < 50_000, `the generator made ${paused} events`);
    assert.ok(rssGrowth < 96 * 2 ** 20, `RSS grew by ${rssGrowth} bytes`);
    assert.equal(stats.finished, 0, "a paused subscription is still live");
    assert.equal(rpc.connections, 1);
  } finally {
    client.close();
  }
  await waitFor(() => stats.finished === 1, "the generator's finally");
  await waitFor(() => rpc.connections === 0, "the server to let go of the socket");
  await server.close();
});

Deno.test("a client that stays behind past slowConsumerTimeout is closed with 4008", async () => {
  const { server, rpc, stats } = startServer({
    sendBufferHighWater: 64 * 1024,
    slowConsumerTimeout: 300,
  });
  const client = await TcpWebSocket.open(server.url);
  try {
    await client.send(Opcode.Text, subscribe);
    await waitFor(() => stats.finished === 1, "the server to end the subscription", 5000);
    // The close frame waits behind everything the client did not read.
    assert.equal(await client.readClose(), CloseCode.SlowConsumer);
  } finally {
    client.close();
  }
  await waitFor(() => rpc.connections === 0, "the server to let go of the socket");
  await server.close();
});

Deno.test("replies a client never reads close it once they pass sendBufferMax", async () => {
  const { server, rpc } = startServer({
    sendBufferHighWater: 64 * 1024,
    sendBufferMax: 1024 * 1024,
  });
  const client = await TcpWebSocket.open(server.url);
  try {
    const calls = Array.from(
      { length: 100 },
      (_, id) => JSON.stringify({ jsonrpc: "2.0", id, method: "blob" }),
    );
    await client.sendAll(calls);
    assert.equal(await client.readClose(), CloseCode.SlowConsumer);
    assert.ok(client.framesRead < 100, `${client.framesRead} replies came before the close`);
  } finally {
    client.close();
  }
  await waitFor(() => rpc.connections === 0, "the server to let go of the socket");
  await server.close();
});

Deno.test("a client that reads slowly still gets every event, in order", async () => {
  const { server } = startServer({ sendBufferHighWater: 16 * 1024 });
  const socket = await RawSocket.open(server.url);
  const count = 20_000;
  socket.send({ jsonrpc: "2.0", id: 1, method: "numbers", params: { count } });
  assert.deepEqual(await socket.next(), { jsonrpc: "2.0", id: 1, result: { subscription: 1 } });
  for (let n = 0; n < count; n++) {
    const frame = await socket.next() as { params: { data: number } };
    assert.equal(frame.params.data, n);
  }
  assert.deepEqual(await socket.next(), {
    jsonrpc: "2.0",
    method: "rpc.complete",
    params: { subscription: 1 },
  });
  await socket.close();
  await server.close();
});
