/**
 * The link is cut while a call is running: what the caller sees depends on
 * whether the procedure is marked idempotent in the contract.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { ErrorCode, procedure, router } from "../../mod.ts";
import { createHandler } from "../../server/mod.ts";
import { createClient } from "../../client/mod.ts";
import { serve } from "../_server.ts";
import { FaultProxy } from "./_proxy.ts";
import { rpcRejection, StateLog, waitFor } from "./_waiting.ts";

const api = router({
  charge: procedure({ input: z.object({ cents: z.number() }), output: z.string() }),
  balance: procedure({ input: z.string(), output: z.number(), idempotent: true }),
});

/**
 * A server whose handlers count their runs. While `hold` is set, the next
 * run of a handler reports that it started and then waits until its signal
 * fires, as a call would that is still running when the link goes.
 */
function startServer() {
  const runs = { charge: 0, balance: 0 };
  const aborted = { charge: 0, balance: 0 };
  let hold: PromiseWithResolvers<void> | undefined;
  const holdNext = () => {
    hold = Promise.withResolvers<void>();
    return hold.promise;
  };
  const park = async (name: "charge" | "balance", signal: AbortSignal) => {
    if (hold === undefined) return;
    hold.resolve();
    hold = undefined;
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
    aborted[name]++;
  };
  const rpc = createHandler(api, {
    handlers: {
      charge: async ({ input, signal }) => {
        runs.charge++;
        await park("charge", signal);
        return `charged ${input.cents}`;
      },
      balance: async ({ input, signal }) => {
        runs.balance++;
        await park("balance", signal);
        return input === "alice" ? 42 : 0;
      },
    },
  });
  return { runs, aborted, holdNext, server: serve(rpc) };
}

Deno.test("the link is cut mid-call", async (t) => {
  const { runs, aborted, holdNext, server } = startServer();
  await using proxy = await FaultProxy.start(`127.0.0.1:${server.port}`);
  const client = createClient(api, {
    url: proxy.url(),
    reconnect: { baseDelay: 20, maxDelay: 100 },
  });
  const log = new StateLog(client.connection);
  await client.ready();

  await t.step("a plain call fails with ConnectionLost, saying it may have run", async () => {
    const started = holdNext();
    const call = client.charge({ cents: 500 });
    await started;
    await proxy.cut();
    const error = await rpcRejection(call);
    assert.equal(error.code, ErrorCode.ConnectionLost);
    assert.equal(
      error.message,
      "The connection was lost during the call to charge; it may or may not have run",
    );
    assert.equal(runs.charge, 1);
  });

  await t.step("the client reconnects by itself, and calling again works", async () => {
    await log.reach("open", await log.reach("reconnecting"));
    assert.equal(await client.charge({ cents: 500 }), "charged 500");
    assert.equal(runs.charge, 2);
    await waitFor("the server to cancel the run whose link went", () => aborted.charge === 1);
  });

  await t.step("an idempotent call is sent again and resolves with its result", async () => {
    const started = holdNext();
    const call = client.balance("alice");
    await started;
    const reconnects = log.states.filter((state) => state === "reconnecting").length;
    await proxy.cut();
    assert.equal(await call, 42);
    assert.equal(runs.balance, 2, "it ran once on each connection");
    await waitFor("the server to cancel the first run", () => aborted.balance === 1);
    assert.equal(log.states.filter((state) => state === "reconnecting").length, reconnects + 1);
  });

  client.close();
  assert.deepEqual(log.states, [
    "connecting",
    "open",
    "reconnecting",
    "open",
    "reconnecting",
    "open",
    "closed",
  ]);
  await server.close();
});
