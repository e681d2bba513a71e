/**
 * The client on every runtime, against every runtime's server: calls,
 * a subscription, an error, connection params and superjson's Dates, the
 * same everywhere. On Node 20, which has no global WebSocket, the client
 * uses the one of the npm package `ws`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ErrorCode } from "../../mod.ts";
import { AppServer, commandFor, conformance, RUNTIMES, VERSIONS } from "./_runtimes.ts";

const ROOT = new URL("../../", import.meta.url);

conformance("the client on Deno, Node and Bun talks to this server alike", async (runtime, t) => {
  await using server = await AppServer.start(runtime, { connectionParams: true });
  for (const clientRuntime of RUNTIMES) {
    if (VERSIONS[clientRuntime] === undefined) continue;
    await t.step(`a client on ${clientRuntime}`, async () => {
      const [program, args] = await commandFor(
        clientRuntime,
        "tests/conformance/clients/client.ts",
        [server.url],
      );
      const { success, stdout, stderr } = await new Deno.Command(program, {
        args,
        cwd: ROOT,
        stdin: "null",
      }).output();
      const decoder = new TextDecoder();
      assert.ok(success, decoder.decode(stderr));
      const seen = JSON.parse(decoder.decode(stdout));
      const noGlobal = clientRuntime === "node" && Number(VERSIONS.node?.split(".")[0]) < 22;
      assert.deepEqual(seen, {
        webSocket: noGlobal ? "ws" : "global",
        whoami: "ada",
        // A Date goes out and comes back as a Date, through superjson.
        echoedDate: true,
        ticks: [1, 2, 3],
        error: { code: ErrorCode.Forbidden, message: "Not for you" },
      });
    });
  }
});
