/**
 * The link is cut while a subscription streams: the `for await` loop carries
 * on after the reconnect. Untracked events start over from the handler's
 * beginning; tracked events resume after the last one delivered.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { router, subscription } from "../../mod.ts";
import { createHandler } from "../../server/mod.ts";
import { createClient } from "../../client/mod.ts";
import { serve } from "../_server.ts";
import { EventLog } from "./_event_log.ts";
import { FaultProxy } from "./_proxy.ts";
import { pause, range, waitFor } from "./_waiting.ts";

const api = router({
  ticks: subscription({ output: z.number() }),
  feed: subscription({ output: z.number() }),
});

Deno.test("the link is cut mid-subscription", async (t) => {
  const generators = { started: 0, finished: 0 };
  const resumedFrom: Array<string | undefined> = [];
  const log = new EventLog<number>();
  const rpc = createHandler(api, {
    handlers: {
      ticks: async function* ({ signal }) {
        generators.started++;
        try {
          for (let i = 0; !signal.aborted; i++) {
            yield i;
            await pause(10, signal);
          }
        } finally {
          generators.finished++;
        }
      },
      feed: ({ lastEventId, signal }) => {
        resumedFrom.push(lastEventId);
        return log.tail(lastEventId, signal);
      },
    },
  });
  const server = serve(rpc);
  await using proxy = await FaultProxy.start(`127.0.0.1:${server.port}`);
  const client = createClient(api, {
    url: proxy.url(),
    reconnect: { baseDelay: 20, maxDelay: 100 },
  });

  await t.step("an untracked subscription starts over, and the loop carries on", async () => {
    const seen: number[] = [];
    let cut = false;
    for await (const tick of client.ticks()) {
      seen.push(tick);
      if (tick === 3 && !cut) {
        cut = true;
        await proxy.cut();
      }
      if (cut && tick === 3 && seen.indexOf(0, 1) > 0) break;
    }
    const restart = seen.indexOf(0, 1);
    assert.ok(restart >= 4, `events before the cut: ${seen}`);
    assert.deepEqual(seen.slice(0, restart), range(restart), "in order before the cut");
    assert.deepEqual(seen.slice(restart), [0, 1, 2, 3], "from the beginning after it");
    await waitFor("both generators to finish", () => generators.finished === 2);
    assert.equal(generators.started, 2);
  });

  await t.step("a tracked subscription loses nothing and repeats nothing", async () => {
    const seen: number[] = [];
    const reading = (async () => {
      for await (const event of client.feed()) seen.push(event);
    })();
    log.append(...range(10));
    await waitFor("the first ten events", () => seen.length === 10);
    log.append(...range(15).slice(10));
    await proxy.cut(); // Some of 10..14 may be on their way: they must not be lost.
    log.append(...range(20).slice(15)); // Appended while the client is away.
    await waitFor("twenty events", () => seen.length >= 20);
    await proxy.cut();
    log.append(...range(30).slice(20));
    log.end();
    await reading;
    assert.deepEqual(seen, range(30));
    assert.equal(resumedFrom.length, 3);
    assert.equal(resumedFrom[0], undefined);
    assert.ok(Number(resumedFrom[1]) >= 9, `resumed after ${resumedFrom[1]}`);
    assert.equal(resumedFrom[2], "19");
  });

  client.close();
  await server.close();
});
