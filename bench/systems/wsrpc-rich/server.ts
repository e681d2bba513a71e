/**
 * The wsrpc (rich) server: as wsrpc (JSON), but every payload carries a Date,
 * so superjson encodes every result and event and decodes every input.
 *
 * @module
 */

import { createHandler } from "@wsrpc/core/server";
import { announce, HOST } from "../../_server.ts";
import { Hub } from "../_hub.ts";
import { BENCH_LIMITS } from "../_wsrpc_limits.ts";
import { READY_A, richApi, richPayload } from "../_wsrpc_api.ts";
import type { RichPayload } from "../_wsrpc_api.ts";

const hub = new Hub<RichPayload>();

const rpc = createHandler(richApi, {
  limits: BENCH_LIMITS,
  handlers: {
    echo: ({ input }) => input,
    events: async function* ({ input }) {
      for (let i = 0; i < input.n; i++) yield richPayload(i);
    },
    fanout: ({ signal }) => hub.listen(richPayload(READY_A), signal),
    publish: ({ input }) => {
      hub.publish(input.count, richPayload);
      return input.count;
    },
  },
});

Deno.serve({ hostname: HOST, port: 0, onListen: ({ port }) => announce(port) }, rpc);
