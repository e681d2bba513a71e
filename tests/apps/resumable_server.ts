/**
 * A wsrpc server in its own process, for the test that kills it with
 * SIGKILL mid-stream and starts it again.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 --allow-read --allow-write tests/apps/resumable_server.ts <port> <store> <count>
 * ```
 *
 * It listens on 127.0.0.1:`port` (0 for a free port), prints `{"port":N}`,
 * and produces `count` events, one every 20 ms, appending each to the file
 * `store` as one JSON line. The store outlives the process: a new process
 * carries on from the events already in it, and `feed` replays them from the
 * `lastEventId` a resuming client sends, using each event's line number as
 * its tracked id. `ticks` is untracked: it counts from 0 on every subscribe.
 *
 * @module
 */

import * as z from "zod";
import { router, subscription } from "../../mod.ts";
import { createHandler, tracked } from "../../server/mod.ts";

/** An event as stored: its number, a value no one could guess, and who made it. */
export const StoredEvent = z.object({ seq: z.number(), token: z.string(), producer: z.number() });

/** The contract of this app. */
export const api = router({
  feed: subscription({ output: StoredEvent.extend({ servedBy: z.number() }) }),
  ticks: subscription({ output: z.object({ n: z.number(), servedBy: z.number() }) }),
});

if (import.meta.main) {
  const [portText = "0", store = "", countText = "0"] = Deno.args;
  const count = Number(countText);
  const events: Array<z.infer<typeof StoredEvent>> = readStore(store);
  const waiting = new Set<() => void>();

  // The producer: appends the next event to the store, then tells the readers.
  const producer = setInterval(() => {
    if (events.length >= count) return clearInterval(producer);
    const event = { seq: events.length, token: crypto.randomUUID(), producer: Deno.pid };
    // One write of one line; a SIGKILL can't leave half of it behind.
    Deno.writeTextFileSync(store, JSON.stringify(event) + "\n", { append: true });
    events.push(event);
    for (const wake of [...waiting]) wake();
  }, 20);

  const next = (signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        waiting.delete(wake);
        signal.removeEventListener("abort", wake);
        resolve();
      };
      waiting.add(wake);
      signal.addEventListener("abort", wake, { once: true });
    });

  const rpc = createHandler(api, {
    handlers: {
      feed: async function* ({ lastEventId, signal }) {
        let seq = lastEventId === undefined ? 0 : Number(lastEventId) + 1;
        while (seq < count && !signal.aborted) {
          if (seq < events.length) {
            yield tracked(String(seq), { ...events[seq]!, servedBy: Deno.pid });
            seq++;
          } else await next(signal);
        }
      },
      ticks: async function* ({ signal }) {
        for (let n = 0; !signal.aborted; n++) {
          yield { n, servedBy: Deno.pid };
          await new Promise((resolve) => {
            const timer = setTimeout(resolve, 20);
            signal.addEventListener("abort", () => resolve(clearTimeout(timer)), { once: true });
          });
        }
      },
    },
  });

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: Number(portText),
    onListen: ({ port }) => console.log(JSON.stringify({ port })),
  }, rpc);
  await server.finished;
}

/** Reads the stored events. A torn last line, if any, is not an event, and is dropped. */
function readStore(path: string): Array<z.infer<typeof StoredEvent>> {
  const text = Deno.readTextFileSync(path);
  const events = [];
  let end = 0;
  while (end < text.length) {
    const newline = text.indexOf("\n", end);
    if (newline < 0) break;
    try {
      events.push(StoredEvent.parse(JSON.parse(text.slice(end, newline))));
    } catch {
      break;
    }
    end = newline + 1;
  }
  if (end < text.length) Deno.writeTextFileSync(path, text.slice(0, end));
  return events;
}
