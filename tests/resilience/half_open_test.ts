/**
 * A half-open link: the proxy stops forwarding without closing anything, so
 * neither side hears a close. Each side's heartbeat must notice on its own.
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
import { pause, range, settledFlag, sleep, StateLog, waitFor } from "./_waiting.ts";

const api = router({
  ticks: subscription({ output: z.number() }),
  lookup: procedure({ input: z.string(), output: z.string(), idempotent: true }),
});

/** A server whose tick generators are counted, with the server's heartbeat set in seconds. */
function startServer(idleTimeout: number) {
  const generators = { started: 0, finished: 0, finishedAt: [] as number[] };
  const rpc = createHandler(api, {
    idleTimeout,
    handlers: {
      ticks: async function* ({ signal }) {
        generators.started++;
        try {
          for (let i = 0; !signal.aborted; i++) {
            yield i;
            await pause(100, signal);
          }
        } finally {
          generators.finished++;
          generators.finishedAt.push(Date.now());
        }
      },
      lookup: ({ input }) => `found ${input}`,
    },
  });
  return { rpc, generators, server: serve(rpc) };
}

/** A client through the proxy with no heartbeat of its own: only the server can notice. */
function clientWithoutHeartbeat(proxy: FaultProxy) {
  return createClient(api, {
    url: proxy.url(),
    heartbeat: false,
    reconnect: { baseDelay: 20, maxDelay: 100 },
  });
}

/** Freezes the link and waits for the server to end the generator; the ms that took. */
async function serverNoticesFreeze(
  proxy: FaultProxy,
  generators: { finished: number; finishedAt: number[] },
): Promise<number> {
  await proxy.freeze();
  const frozenAt = Date.now();
  await waitFor("the server to end the generator", () => generators.finished === 1);
  return generators.finishedAt[0]! - frozenAt;
}

Deno.test("the server closes a half-open connection within its idle timeout", async () => {
  const { rpc, generators, server } = startServer(1);
  await using proxy = await FaultProxy.start(`127.0.0.1:${server.port}`);
  const client = clientWithoutHeartbeat(proxy);
  const seen: number[] = [];
  const handle = client.ticks().subscribe({ onData: (tick) => seen.push(tick) });
  await waitFor("two ticks", () => seen.length >= 2);

  const noticed = await serverNoticesFreeze(proxy, generators);
  // Deno pings after idleTimeout / 2 of silence and closes idleTimeout / 2 later,
  // so the window is 1 s; the rest is slack for a busy machine.
  assert.ok(noticed <= 1_500, `the server noticed after ${noticed} ms`);
  assert.equal(rpc.connections, 0);

  // What the server sent into the frozen link arrives after the thaw, then the
  // close; the client reconnects and the untracked subscription starts over.
  await proxy.thaw();
  await waitFor("two ticks from a new generator", () => {
    const restart = seen.indexOf(0, 1);
    return restart > 0 && seen.length > restart + 1;
  });
  const restart = seen.indexOf(0, 1);
  assert.deepEqual(seen.slice(0, restart), range(restart));
  assert.equal(generators.started, 2);
  handle.unsubscribe();
  client.close();
  await waitFor("the last generator to end", () => generators.finished === 2);
  await server.close();
});

Deno.test("after a burst of calls, a half-open connection is still closed within the idle timeout", async () => {
  // Deno's idle timer is re-armed at most every quarter of the timeout, so
  // the last frames of a burst may not re-arm it: the close only comes sooner.
  const { rpc, generators, server } = startServer(1);
  await using proxy = await FaultProxy.start(`127.0.0.1:${server.port}`);
  const client = clientWithoutHeartbeat(proxy);
  const seen: number[] = [];
  const handle = client.ticks().subscribe({ onData: (tick) => seen.push(tick) });
  await waitFor("a tick", () => seen.length >= 1);
  const burstEnds = Date.now() + 400;
  let calls = 0;
  while (Date.now() < burstEnds) {
    assert.equal(await client.lookup(`call ${calls}`), `found call ${calls}`);
    calls++;
    await sleep(15); // under the default rate limit
  }
  const noticed = await serverNoticesFreeze(proxy, generators);
  assert.ok(calls > 10, `only ${calls} calls`);
  // At most the timeout after the last call; the rest is slack for a busy machine.
  assert.ok(noticed <= 1_500, `the server noticed after ${noticed} ms`);
  assert.equal(rpc.connections, 0);
  handle.unsubscribe();
  client.close();
  await proxy.thaw();
  await server.close();
});

Deno.test("the client notices a half-open connection and reconnects after the thaw", async () => {
  // The server's own heartbeat is slow here (30 s): only the client can notice.
  const { generators, server } = startServer(30);
  await using proxy = await FaultProxy.start(`127.0.0.1:${server.port}`);
  const client = createClient(api, {
    url: proxy.url(),
    heartbeat: { interval: 100, timeout: 100 },
    reconnect: { baseDelay: 20, maxDelay: 100 },
  });
  const log = new StateLog(client.connection);
  const seen: number[] = [];
  const handle = client.ticks().subscribe({ onData: (tick) => seen.push(tick) });
  await waitFor("two ticks", () => seen.length >= 2);

  await proxy.freeze();
  const frozenAt = Date.now();
  const lost = await log.reach("reconnecting");
  const noticed = log.entries[lost]!.at - frozenAt;
  // Silent for `interval`, then pinged and silent for `timeout` more; checked every 25 ms.
  assert.ok(noticed >= 100 && noticed <= 1_000, `the client noticed after ${noticed} ms`);

  const lookup = client.lookup("while frozen");
  const settled = settledFlag(lookup);
  await sleep(300);
  assert.equal(settled(), false, "the call waits while there is no link");
  assert.deepEqual(log.since(lost), ["reconnecting"]);

  await proxy.thaw();
  assert.equal(await lookup, "found while frozen");
  assert.deepEqual(log.since(lost), ["reconnecting", "open"]);
  const before = seen.length;
  await waitFor("ticks after the reconnect", () => seen.length > before + 1);
  await waitFor("the old generator to end", () => generators.finished >= 1);
  handle.unsubscribe();
  client.close();
  await waitFor("the last generator to end", () => generators.finished === 2);
  await server.close();
});

Deno.test("a connection attempt that gets no answer is abandoned for a fresh one", async () => {
  const { server } = startServer(30);
  // The client reaches the server through a front proxy, like a load balancer,
  // which first routes it to a host that has silently died (a frozen proxy).
  await using dead = await FaultProxy.start(`127.0.0.1:${server.port}`);
  await dead.freeze();
  await using front = await FaultProxy.start(`127.0.0.1:${dead.port}`);
  const client = createClient(api, {
    url: front.url(),
    heartbeat: { interval: 100, timeout: 100 },
    reconnect: { baseDelay: 20, maxDelay: 100 },
  });
  const log = new StateLog(client.connection);
  const lookup = client.lookup("anything");
  await waitFor("the attempt to reach the dead host", () => log.states.length > 0);
  await sleep(100);
  await front.target(`127.0.0.1:${server.port}`); // The balancer notices; new connections go to a live host.
  assert.equal(await lookup, "found anything");
  assert.equal(log.states.at(-1), "open");
  assert.equal((await dead.stats()).accepted, 1, "one attempt went to the dead host");
  assert.ok((await front.stats()).accepted >= 2, "and was abandoned for another");
  client.close();
  await dead.thaw();
  await server.close();
});
