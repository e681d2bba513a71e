/**
 * The tRPC v11 router the benchmark serves: echo (a query with zod input, as
 * a tRPC user would write it), events (an async generator subscription) and
 * the fan-out topic (a subscription on an EventEmitter, plus a publish
 * mutation).
 *
 * @module
 */

import { EventEmitter, on } from "node:events";
import { initTRPC } from "@trpc/server";
import { z } from "zod";

const t = initTRPC.create();

const payload = z.object({ a: z.number(), s: z.string() });

/** The fan-out topic's events are emitted as "event" on this. */
const topic = new EventEmitter();
topic.setMaxListeners(0);

/** The benchmark's router. */
export const appRouter = t.router({
  echo: t.procedure.input(payload).query(({ input }) => input),
  events: t.procedure
    .input(z.object({ n: z.number().int().nonnegative() }))
    .subscription(async function* ({ input }) {
      for (let i = 0; i < input.n; i++) yield { a: i, s: "hello" };
    }),
  fanout: t.procedure.subscription(async function* ({ signal }) {
    for await (const [event] of on(topic, "event", { signal })) {
      yield event as z.infer<typeof payload>;
    }
  }),
  publish: t.procedure
    .input(z.object({ count: z.number().int().nonnegative() }))
    .mutation(({ input }) => {
      for (let i = 0; i < input.count; i++) topic.emit("event", { a: i, s: "hello" });
      return input.count;
    }),
});

/** The router's type, for the client. */
export type AppRouter = typeof appRouter;
