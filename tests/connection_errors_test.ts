/**
 * When the client can't connect, or sends what the server won't take, it
 * says so at once: the URL, what happened, and what to do, instead of
 * timing out in silence.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { ErrorCode, procedure, router, RpcError, subscription } from "../mod.ts";
import { CloseCode } from "../protocol.ts";
import { createHandler } from "../server/mod.ts";
import { type ConnectionState, createClient } from "../client/mod.ts";
import { serve } from "./_server.ts";
import { rpcRejection, waitFor } from "./resilience/_waiting.ts";

const api = router({
  echo: procedure({ input: z.string(), output: z.string(), idempotent: true }),
  watch: subscription({ input: z.string(), output: z.string() }),
});

/** A port nothing listens on. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** A server with a small message limit that counts its connections. */
function startServer(maxMessageSize: number) {
  let connections = 0;
  const rpc = createHandler(api, {
    limits: { maxMessageSize },
    context: () => ({ connection: ++connections }),
    handlers: {
      echo: ({ input }) => input,
      watch: async function* ({ input }) {
        yield input;
      },
    },
  });
  return { server: serve(rpc), connections: () => connections };
}

Deno.test("a server that is down: ready() says so after the first attempt, and the client goes on trying", async () => {
  const url = `ws://127.0.0.1:${freePort()}/rpc`;
  const states: Array<[ConnectionState, string | undefined]> = [];
  const client = createClient(api, { url, reconnect: { baseDelay: 50, maxDelay: 100 } });
  client.connection.onStateChange((state, error) => states.push([state, error?.message]));
  const started = performance.now();
  const error = await rpcRejection(client.ready());
  assert.ok(performance.now() - started < 2_000, "it took too long to say");
  assert.equal(error.code, ErrorCode.ConnectionLost);
  assert.equal(
    error.message,
    `Could not connect to ${url}: connection refused (is the server running?)`,
  );
  assert.equal(client.connection.lastError?.message, error.message);
  await waitFor("a retry", () => client.connection.attempt >= 2);
  assert.notEqual(client.connection.state, "closed");
  assert.deepEqual(states.find(([state]) => state === "reconnecting"), [
    "reconnecting",
    error.message,
  ]);
  client.close();
});

Deno.test("a call made while no server answers times out naming why", async () => {
  const url = `ws://127.0.0.1:${freePort()}/rpc`;
  const client = createClient(api, { url, reconnect: { baseDelay: 20, maxDelay: 50 } });
  const error = await rpcRejection(client.echo("hi", { timeout: 300 }));
  assert.equal(error.code, ErrorCode.Timeout);
  assert.equal(
    error.message,
    `The call to echo timed out: could not connect to ${url}: ` +
      "connection refused (is the server running?)",
  );
  client.close();
});

Deno.test("a wrong path says what the server answered", async () => {
  const { server } = startServer(1_000);
  const url = server.url.replace("/rpc", "/wrong");
  const client = createClient(api, { url, reconnect: { baseDelay: 50 } });
  const error = await rpcRejection(client.ready());
  assert.equal(
    error.message,
    `Could not connect to ${url}: the server answered 404 (is the path right?)`,
  );
  client.close();
  await server.close();
});

Deno.test("a URL that is not a WebSocket URL is refused when the client is made", () => {
  assert.throws(() => createClient(api, { url: "localhost:8000/rpc" }), {
    name: "TypeError",
    message: '"localhost:8000/rpc" is not a WebSocket URL: it must start with ws:// or wss://',
  });
  assert.throws(() => createClient(api, { url: "http://localhost:8000/rpc" }), {
    name: "TypeError",
    message: '"http://localhost:8000/rpc" is not a WebSocket URL: use ws://localhost:8000/rpc',
  });
  assert.throws(() => createClient(api, { url: "not a url" }), {
    name: "TypeError",
    message: '"not a url" is not a WebSocket URL: give a full one, such as ws://localhost:8000/rpc',
  });
  assert.throws(() => createClient(api, { url: ["ws://a.example/rpc", "b.example"] }), TypeError);
  assert.throws(() => createClient(api, { url: [] }), {
    name: "TypeError",
    message: "The list of server URLs is empty",
  });
});

Deno.test("without network permission, ready() says permission denied, and the client stops", async () => {
  const url = `ws://127.0.0.1:${freePort()}/rpc`;
  const app = new URL("./apps/no_net_client.ts", import.meta.url);
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--allow-read", app.href, url],
    cwd: new URL("../", import.meta.url),
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const said = JSON.parse(new TextDecoder().decode(stdout));
  assert.equal(said.code, ErrorCode.ConnectionLost);
  assert.match(said.message, new RegExp(`^Could not connect to ${url}: permission denied \\(`));
  assert.match(said.message, /--allow-net/);
  assert.equal(said.state, "closed");
});

Deno.test("a call larger than maxMessageSize fails before it is sent, naming the limit", async () => {
  const { server, connections } = startServer(1_000);
  const client = createClient(api, { url: server.url, maxMessageSize: 1_000 });
  assert.equal(await client.echo("small"), "small");
  const error = await rpcRejection(client.echo("x".repeat(2_000)));
  assert.equal(error.code, ErrorCode.PayloadTooLarge);
  assert.equal(
    error.message,
    "The call echo was not sent: its frame is over 1000 bytes, the most the server takes " +
      "(maxMessageSize)",
  );
  const events = client.watch("y".repeat(2_000));
  await assert.rejects(
    (async () => {
      for await (const _ of events) break;
    })(),
    (thrown: unknown) => thrown instanceof RpcError && thrown.code === ErrorCode.PayloadTooLarge,
  );
  assert.equal(await client.echo("still fine"), "still fine");
  assert.equal(connections(), 1);
  client.close();
  await server.close();
});

Deno.test("a call the server refuses with 1009 fails once, is never sent again, and costs one reconnect", async () => {
  const { server, connections } = startServer(1_000);
  // The client thinks the server takes the default 1 MiB.
  const client = createClient(api, { url: server.url, reconnect: { baseDelay: 10 } });
  assert.equal(await client.echo("small"), "small");
  const big = "x".repeat(2_000);
  const error = await rpcRejection(client.echo(big)); // idempotent, yet not re-sent
  assert.equal(error.code, ErrorCode.PayloadTooLarge);
  assert.equal(
    error.message,
    "The server closed the connection (1009): the call echo was more than it accepts; " +
      "it was not sent again",
  );
  assert.equal(await client.echo("after"), "after");
  assert.equal(connections(), 2);
  // The client now knows: the same call fails before it is sent.
  const again = await rpcRejection(client.echo(big));
  assert.equal(again.code, ErrorCode.PayloadTooLarge);
  assert.match(again.message, /^The call echo was not sent/);
  assert.equal(connections(), 2);
  client.close();
  await server.close();
});

Deno.test("a subscription the server refuses with 1009 ends with PayloadTooLarge, and is not resent", async () => {
  const { server, connections } = startServer(1_000);
  const client = createClient(api, { url: server.url, reconnect: { baseDelay: 10 } });
  assert.equal(await client.echo("small"), "small");
  const failure = await (async () => {
    try {
      for await (const _ of client.watch("y".repeat(2_000))) return undefined;
    } catch (error) {
      return error;
    }
  })();
  assert.ok(failure instanceof RpcError);
  assert.equal(failure.code, ErrorCode.PayloadTooLarge);
  assert.equal(await client.echo("after"), "after");
  assert.equal(connections(), 2);
  assert.equal(CloseCode.MessageTooBig, 1009);
  client.close();
  await server.close();
});
