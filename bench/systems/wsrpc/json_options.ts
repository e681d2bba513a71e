/**
 * What every wsrpc (JSON) server serves, whatever its runtime (Deno in
 * json_server.ts, Node in wsrpc-node/, Bun in wsrpc-bun/): the handlers of the
 * bench contract with plain payloads, on a fan-out topic, with the bench
 * limits. Input validation (always on) and output validation (on, the
 * default) with zod.
 *
 * @module
 */

import type { ServerOptions, TopicEngine } from "@wsrpc/core/server";
import type { Payload } from "../../workloads/system_driver.ts";
import { plainPayload } from "../../workloads/system_driver.ts";
import { FanOut } from "./fanout.ts";
import { BENCH_LIMITS } from "./limits.ts";
import { type jsonApi, READY_A } from "./api.ts";

/** The routes of wsrpc (JSON)'s contract. */
export type JsonRoutes = (typeof jsonApi)["routes"];

/** A wsrpc (JSON) server's options, and its fan-out. */
export interface JsonServer {
  readonly options: ServerOptions<JsonRoutes, undefined>;
  /** Resolves once the fan-out's engine answers; announce the port after it. */
  started(): Promise<void>;
}

/** The options of a wsrpc (JSON) server whose fan-out runs on `engine`. */
export function jsonServer(engine: TopicEngine): JsonServer {
  const fanout = new FanOut<Payload>(engine, plainPayload(READY_A), plainPayload);
  return {
    options: {
      limits: BENCH_LIMITS,
      handlers: {
        echo: ({ input }) => input,
        events: async function* ({ input }) {
          for (let i = 0; i < input.n; i++) yield plainPayload(i);
        },
        fanout: ({ lastEventId, signal }) => fanout.listen(lastEventId, signal),
        publish: ({ input }) => fanout.publish(input.count),
      },
    },
    started: () => fanout.started(),
  };
}
