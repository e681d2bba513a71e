/**
 * The server of wsrpc (JSON) and wsrpc (Redis): `createHandler` on
 * `Deno.serve`, plain JSON payloads, zod input validation (always on) and
 * output validation (on, the default), the fan-out on a topic of `engine`.
 *
 * @module
 */

import { createHandler, type TopicEngine } from "@wsrpc/core/server";
import type { Payload } from "../../workloads/system_driver.ts";
import { plainPayload } from "../../workloads/system_driver.ts";
import { announce, HOST } from "../announce.ts";
import { FanOut } from "./fanout.ts";
import { BENCH_LIMITS } from "./limits.ts";
import { jsonApi, READY_A } from "./api.ts";

/** Serves the bench contract with plain payloads; announces the port once `engine` answers. */
export async function serveJson(engine: TopicEngine): Promise<void> {
  const fanout = new FanOut<Payload>(engine, plainPayload(READY_A), plainPayload);
  const rpc = createHandler(jsonApi, {
    limits: BENCH_LIMITS,
    handlers: {
      echo: ({ input }) => input,
      events: async function* ({ input }) {
        for (let i = 0; i < input.n; i++) yield plainPayload(i);
      },
      fanout: ({ lastEventId, signal }) => fanout.listen(lastEventId, signal),
      publish: ({ input }) => fanout.publish(input.count),
    },
  });
  await fanout.started();
  Deno.serve({ hostname: HOST, port: 0, onListen: ({ port }) => announce(port) }, rpc);
}
