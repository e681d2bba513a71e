/**
 * The leak test: cycles of connect, subscribe, unsubscribe and disconnect.
 * Afterwards the heap must be back within a stated bound of where it
 * started, every subscription must have ended, and Deno's sanitizers check
 * that no timer or op is left behind.
 *
 * It needs `--v8-flags=--expose-gc` (the test task passes it). `LEAK_CYCLES`
 * sets the number of cycles: CI runs 2,000; `deno task leak` runs 10,000.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { router, subscription } from "../mod.ts";
import { createHandler } from "../server/mod.ts";
import { serve } from "./_server.ts";
import { waitFor } from "./_wait.ts";

const CYCLES = Number(Deno.env.get("LEAK_CYCLES") ?? 10_000);
/** Cycles run side by side, to use both cores. */
const LANES = 8;
const WARM_UP = 200;
/** How far the heap may end up above where it started. */
const HEAP_BOUND = 1024 * 1024;

const api = router({
  feed: subscription({ input: z.object({ room: z.string() }), output: z.number() }),
});

/** Runs a full collection: V8 needs a few passes to free everything. */
function collect(): void {
  const gc: unknown = Reflect.get(globalThis, "gc");
  if (typeof gc !== "function") {
    throw new Error("Run with --v8-flags=--expose-gc: the leak test needs gc()");
  }
  for (let i = 0; i < 4; i++) gc();
}

function heapUsed(): number {
  collect();
  return Deno.memoryUsage().heapUsed;
}

/** One cycle: connect, subscribe, see an event, unsubscribe, disconnect. */
async function cycle(url: string, n: number): Promise<void> {
  const socket = new WebSocket(url);
  const frames: unknown[] = [];
  let wake: (() => void) | undefined;
  socket.onmessage = (event) => {
    frames.push(JSON.parse(event.data));
    wake?.();
  };
  const next = async (): Promise<unknown> => {
    while (frames.length === 0) await new Promise<void>((resolve) => wake = resolve);
    return frames.shift();
  };
  const closed = new Promise((resolve) => socket.onclose = resolve);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error(`cycle ${n} could not connect`));
  });
  socket.send(JSON.stringify({ jsonrpc: "2.0", id: n, method: "feed", params: { room: `r${n}` } }));
  assert.deepEqual(await next(), { jsonrpc: "2.0", id: n, result: { subscription: n } });
  assert.deepEqual(await next(), {
    jsonrpc: "2.0",
    method: "rpc.data",
    params: { subscription: n, data: 0 },
  });
  socket.send(JSON.stringify({ jsonrpc: "2.0", id: "u", method: "rpc.unsubscribe", params: [n] }));
  let reply = await next() as { method?: string };
  while (reply.method === "rpc.data") reply = await next() as typeof reply;
  assert.deepEqual(reply, { jsonrpc: "2.0", id: "u", result: true });
  socket.close();
  await closed;
}

async function run(url: string, from: number, count: number): Promise<void> {
  let next = from;
  const end = from + count;
  await Promise.all(Array.from({ length: LANES }, async () => {
    while (next < end) await cycle(url, next++);
  }));
}

Deno.test(`no leak after ${CYCLES} cycles of connect, subscribe, unsubscribe, disconnect`, async () => {
  const live = { started: 0, ended: 0 };
  const rpc = createHandler(api, {
    // Every cycle comes from 127.0.0.1, faster than a browser ever would.
    limits: { maxConnectionsPerIp: Infinity },
    handlers: {
      feed: async function* ({ signal }) {
        live.started++;
        try {
          let n = 0;
          while (!signal.aborted) {
            yield n++;
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, 20);
              signal.addEventListener("abort", () => {
                clearTimeout(timer);
                resolve();
              }, { once: true });
            });
          }
        } finally {
          live.ended++;
        }
      },
    },
  });
  await using server = serve(rpc);

  await run(server.url, 0, WARM_UP);
  await waitFor(() => rpc.connections === 0, "the warm-up connections to close");
  const before = heapUsed();
  const started = performance.now();
  await run(server.url, WARM_UP, CYCLES);
  const seconds = (performance.now() - started) / 1000;
  await waitFor(() => rpc.connections === 0, "every connection to close");
  const after = heapUsed();

  const growth = after - before;
  console.log(
    `${CYCLES} cycles in ${seconds.toFixed(1)} s (${
      (seconds * 1000 / CYCLES).toFixed(2)
    } ms each, ` +
      `${LANES} at a time); heap ${(before / 2 ** 20).toFixed(2)} MiB -> ` +
      `${(after / 2 ** 20).toFixed(2)} MiB (${growth >= 0 ? "+" : ""}${
        (growth / 1024).toFixed(0)
      } KiB, ` +
      `bound ${HEAP_BOUND / 1024} KiB)`,
  );
  assert.equal(live.started, WARM_UP + CYCLES);
  assert.equal(live.ended, live.started, "every generator's finally ran");
  assert.ok(growth < HEAP_BOUND, `the heap grew by ${growth} bytes`);
});
