/**
 * The wsrpc (rich) server: as wsrpc (JSON), but every payload carries a Date,
 * so the codec writes superjson's meta for every result and event and reads it for every input.
 *
 * @module
 */

import { createHandler, memoryEngine } from "@wsrpc/core/server";
import { announce, HOST } from "../announce.ts";
import { FanOut } from "../wsrpc/fanout.ts";
import { BENCH_LIMITS } from "../wsrpc/limits.ts";
import { READY_A, richApi, richPayload } from "../wsrpc/api.ts";
import type { RichPayload } from "../wsrpc/api.ts";

const fanout = new FanOut<RichPayload>(memoryEngine(), richPayload(READY_A), richPayload);

const rpc = createHandler(richApi, {
  limits: BENCH_LIMITS,
  handlers: {
    echo: ({ input }) => input,
    events: async function* ({ input }) {
      for (let i = 0; i < input.n; i++) yield richPayload(i);
    },
    fanout: ({ lastEventId, signal }) => fanout.listen(lastEventId, signal),
    publish: ({ input }) => fanout.publish(input.count),
  },
});

await fanout.started();
Deno.serve({ hostname: HOST, port: 0, onListen: ({ port }) => announce(port) }, rpc);
