/**
 * A server that says "too many requests" (4429) or "try again later" (1013)
 * when it closes gets a longer wait before the client comes back.
 *
 * The transport is driven directly, with `random` fixed at the top of its
 * range, so the wait is the backoff's ceiling and the test can measure it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CloseCode } from "../../protocol.ts";
import { Transport } from "../../client/transport.ts";

/** A server that closes every connection with `code`, recording when each arrived. */
function startClosingServer(code: number) {
  const arrivals: number[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    arrivals.push(Date.now());
    socket.onopen = () => socket.close(code, "Closing on purpose");
    return response;
  });
  return { arrivals, server, url: `ws://127.0.0.1:${server.addr.port}/` };
}

async function firstRetryDelay(code: number): Promise<number> {
  const { arrivals, server, url } = startClosingServer(code);
  const transport = new Transport({
    url,
    WebSocket,
    reconnect: { baseDelay: 10, maxDelay: 10_000 },
    heartbeat: false,
    random: () => 0.999,
  }, { open() {}, message() {}, lost() {}, closed() {} });
  try {
    transport.connect();
    while (arrivals.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    return arrivals[1]! - arrivals[0]!;
  } finally {
    transport.close();
    await server.shutdown();
  }
}

Deno.test("a server that closes with 4429 or 1013 is retried later than after a plain drop", async () => {
  const plain = await firstRetryDelay(CloseCode.GoingAway);
  const tooMany = await firstRetryDelay(CloseCode.TooManyRequests);
  const tryLater = await firstRetryDelay(CloseCode.TryAgainLater);
  // A plain drop waits at most the base (10 ms); a slow-down starts the backoff
  // four attempts along, at most 10 × 2^4 = 160 ms, here close to it.
  assert.ok(plain < 100, `plain drop retried after ${plain} ms`);
  assert.ok(tooMany >= 140, `4429 retried after ${tooMany} ms`);
  assert.ok(tryLater >= 140, `1013 retried after ${tryLater} ms`);
});
