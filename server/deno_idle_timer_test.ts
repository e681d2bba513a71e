import assert from "node:assert/strict";
import * as z from "zod";
import { procedure, router } from "../mod.ts";
import { createHandler } from "./mod.ts";
import { createClient } from "../client/mod.ts";
import { serve } from "../tests/_server.ts";
import { spaceOutIdleTimer } from "./deno_idle_timer.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Deno's re-arming method, as the module finds it. */
const REARM = Object.getOwnPropertySymbols(WebSocket.prototype)
  .find((symbol) => symbol.description === "[[serverHandleIdleTimeout]]");

Deno.test("a Deno server socket re-arms its idle timer once in a while, not per frame", async (t) => {
  await t.step("this Deno has the method to space out (else Deno re-arms per frame)", () => {
    assert.ok(REARM, "Deno's WebSocket has no [[serverHandleIdleTimeout]] any more");
  });

  await t.step("frames in a burst re-arm it once; a frame after the pause, again", async () => {
    // A stand-in for the socket, with a counting method in Deno's place.
    let rearmed = 0;
    const socket = { [REARM!]: () => rearmed++ } as unknown as WebSocket;
    assert.equal(spaceOutIdleTimer(socket, 0.2), true);
    const frame = () => (socket as unknown as Record<symbol, () => void>)[REARM!]!();
    for (let i = 0; i < 1000; i++) frame();
    assert.equal(rearmed, 1);
    await sleep(80); // past a quarter of 0.2 s
    frame();
    frame();
    assert.equal(rearmed, 2);
  });

  await t.step("without a timeout, nothing is changed", () => {
    const rearm = () => {};
    const socket = { [REARM!]: rearm } as unknown as WebSocket;
    assert.equal(spaceOutIdleTimer(socket, 0), false);
    assert.equal((socket as unknown as Record<symbol, unknown>)[REARM!], rearm);
  });
});

Deno.test("a client that keeps calling, for longer than the idle timeout, stays connected", async () => {
  const api = router({ echo: procedure({ input: z.number(), output: z.number() }) });
  const rpc = createHandler(api, { idleTimeout: 1, handlers: { echo: ({ input }) => input } });
  await using server = serve(rpc);
  const client = createClient(api, { url: server.url, heartbeat: false });
  const states: string[] = [];
  const stop = client.connection.onStateChange((state) => states.push(state));
  const until = Date.now() + 2_500;
  let calls = 0;
  while (Date.now() < until) {
    assert.equal(await client.echo(calls), calls);
    calls++;
    await sleep(5);
  }
  assert.ok(calls > 100, `only ${calls} calls`);
  assert.deepEqual(states, ["connecting", "open"], "never lost, never reconnected");
  assert.equal(rpc.connections, 1);
  stop();
  client.close();
});
