/**
 * The wsrpc (JSON) server: `createHandler` on `Deno.serve`, plain JSON
 * payloads, zod input validation (always on) and output validation (on, the
 * default).
 *
 * @module
 */

import { createHandler } from "@wsrpc/core/server";
import type { Payload } from "../../_adapter.ts";
import { plainPayload } from "../../_adapter.ts";
import { announce, HOST } from "../../_server.ts";
import { Hub } from "../_hub.ts";
import { BENCH_LIMITS } from "../_wsrpc_limits.ts";
import { jsonApi, READY_A } from "../_wsrpc_api.ts";

const hub = new Hub<Payload>();

const rpc = createHandler(jsonApi, {
  limits: BENCH_LIMITS,
  handlers: {
    echo: ({ input }) => input,
    events: async function* ({ input }) {
      for (let i = 0; i < input.n; i++) yield plainPayload(i);
    },
    fanout: ({ signal }) => hub.listen(plainPayload(READY_A), signal),
    publish: ({ input }) => {
      hub.publish(input.count, plainPayload);
      return input.count;
    },
  },
});

Deno.serve({ hostname: HOST, port: 0, onListen: ({ port }) => announce(port) }, rpc);
