/**
 * A slow link: every chunk is held 100 ms each way. Calls still succeed, in
 * order, and a heartbeat with room for the delay doesn't mistake slow for dead.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { procedure, router, subscription } from "../../mod.ts";
import { createHandler } from "../../server/mod.ts";
import { createClient } from "../../client/mod.ts";
import { serve } from "../_server.ts";
import { FaultProxy } from "./_proxy.ts";
import { range, StateLog } from "./_waiting.ts";

const api = router({
  echo: procedure({ input: z.number(), output: z.number() }),
  count: subscription({ input: z.number(), output: z.number() }),
});

Deno.test("a slow link delivers every call and event, in order", async () => {
  const arrived: number[] = [];
  const rpc = createHandler(api, {
    handlers: {
      echo: ({ input }) => {
        arrived.push(input);
        return input;
      },
      count: async function* ({ input }) {
        for (let i = 0; i < input; i++) yield i;
      },
    },
  });
  const server = serve(rpc);
  await using proxy = await FaultProxy.start(`127.0.0.1:${server.port}`);
  await proxy.delay(100);
  const client = createClient(api, {
    url: proxy.url(),
    heartbeat: { interval: 100, timeout: 1_000 },
  });
  const log = new StateLog(client.connection);
  await client.ready();

  const start = Date.now();
  const settledOrder: number[] = [];
  const results = await Promise.all(
    range(20).map((i) => client.echo(i).then((value) => (settledOrder.push(i), value))),
  );
  const elapsed = Date.now() - start;
  assert.deepEqual(results, range(20));
  assert.deepEqual(arrived, range(20), "the server ran them in the order they were made");
  assert.deepEqual(settledOrder, range(20), "and the client settled them in that order");
  assert.ok(elapsed >= 200, `a round trip takes two delays, took ${elapsed} ms`);

  const events: number[] = [];
  for await (const event of client.count(50)) events.push(event);
  assert.deepEqual(events, range(50));

  assert.deepEqual(log.states, ["connecting", "open"], "the slow link was never dropped");
  client.close();
  await server.close();
});
