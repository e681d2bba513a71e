/**
 * Cross-site WebSocket hijacking: a page on another site opens a WebSocket
 * to the server, and the browser sends the user's cookies along. The origin
 * check refuses it: the socket is upgraded and closed at once with 4403 and
 * a reason that names the origin (a browser hides a refused handshake's
 * status from the page), and the server logs how to allow the origin.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { ErrorCode, procedure, router, RpcError } from "../mod.ts";
import { CloseCode } from "../protocol.ts";
import { createClient, type WebSocketConstructor } from "../client/mod.ts";
import { createHandler, type Limits, type OriginPolicy } from "../server/mod.ts";
import { RawSocket, serve } from "./_server.ts";
import { TcpWebSocket } from "./_tcp.ts";
import { sleep } from "./_wait.ts";

const api = router({ hello: procedure({ output: z.string() }) });

function handler(origins?: OriginPolicy) {
  return createHandler(api, { origins, handlers: { hello: () => "hi" } });
}

/** A server that counts the contexts it makes and the calls it runs. */
function countingServer(origins: OriginPolicy, limits: Partial<Limits> = {}) {
  const counts = { contexts: 0, calls: 0 };
  const rpc = createHandler(api, {
    origins,
    limits,
    context: () => {
      counts.contexts++;
      return {};
    },
    handlers: {
      hello: () => {
        counts.calls++;
        return "hi";
      },
    },
  });
  return { rpc, counts, server: serve(rpc) };
}

/** The status of an upgrade request to `url` from a page at `origin`, refusals only. */
async function statusFor(
  rpc: ReturnType<typeof handler>,
  url: string,
  origin: string | undefined,
): Promise<number> {
  const headers: Record<string, string> = { upgrade: "websocket", connection: "Upgrade" };
  if (origin !== undefined) headers.origin = origin;
  const response = await rpc(new Request(url, { headers }));
  await response.body?.cancel();
  // 400 means the check passed: this Request can't really be upgraded outside Deno.serve.
  return response.status === 400 ? 200 : response.status;
}

/** How a socket from a page at `origin` ended: whether it opened, and its close. */
function connectFrom(
  url: string,
  origin: string,
): Promise<{ opened: boolean; code: number; reason: string }> {
  const socket = new WebSocket(url, { headers: { origin } });
  let opened = false;
  socket.onopen = () => opened = true;
  socket.onerror = () => {};
  return new Promise((resolve) => {
    socket.onclose = (event) => resolve({ opened, code: event.code, reason: event.reason });
  });
}

/** Whether a socket from a page at `origin` is served: it opens and answers a call. */
async function served(url: string, origin: string): Promise<boolean> {
  await using socket = await RawSocket.open(url, { origin });
  const reply = await socket.request({ jsonrpc: "2.0", id: 1, method: "hello" });
  return JSON.stringify(reply) === '{"jsonrpc":"2.0","id":1,"result":"hi"}';
}

/** Retries `served` until it succeeds, for slots that are given back a moment later. */
async function eventuallyServed(url: string, origin: string, timeout = 3000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (true) {
    try {
      if (await served(url, origin)) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await sleep(50);
  }
}

/** Collects what the server logs with `console.warn` until disposed. */
function captureWarnings(): { lines: string[] } & Disposable {
  const original = console.warn;
  const lines: string[] = [];
  console.warn = (...data: unknown[]) => lines.push(data.map(String).join(" "));
  return { lines, [Symbol.dispose]: () => console.warn = original };
}

Deno.test("by default, a page of another site can't connect; the server's own pages can", async (t) => {
  using warnings = captureWarnings();
  const rpc = handler();
  await using server = serve(rpc);
  const own = server.httpUrl.slice(0, -1); // http://127.0.0.1:port

  await t.step("a real browser-like socket from the server's own origin is served", async () => {
    assert.equal(await served(server.url, own), true);
  });

  await t.step("one from another site opens and is closed at once with 4403", async () => {
    assert.deepEqual(await connectFrom(server.url, "https://evil.example"), {
      opened: true,
      code: CloseCode.Forbidden,
      reason: "Origin https://evil.example is not allowed",
    });
    // A Request that can't be upgraded (outside Deno.serve) gets the same answer as a 403.
    const response = await rpc(
      new Request("http://127.0.0.1/rpc", {
        headers: { upgrade: "websocket", origin: "https://evil.example" },
      }),
    );
    assert.equal(response.status, 403);
    assert.equal(await response.text(), "403 Origin https://evil.example is not allowed\n");
  });

  await t.step("in production, only the exact origin of the Host", async () => {
    const url = "https://chat.example.com/rpc";
    assert.equal(await statusFor(rpc, url, "https://chat.example.com"), 200);
    assert.equal(await statusFor(rpc, url, "https://CHAT.example.com:443"), 200);
    assert.equal(await statusFor(rpc, url, "https://chat.example.com.evil.example"), 403);
    assert.equal(await statusFor(rpc, url, "https://evil.example"), 403);
    assert.equal(await statusFor(rpc, url, "http://localhost:5173"), 403);
    assert.equal(await statusFor(rpc, url, "null"), 403);
  });

  await t.step("in development on localhost, any loopback page, such as a dev server", async () => {
    assert.equal(await served(server.url, "http://localhost:5173"), true);
    const url = "http://localhost:8000/rpc";
    assert.equal(await statusFor(rpc, url, "http://localhost:5173"), 200);
    assert.equal(await statusFor(rpc, url, "http://127.0.0.1:3000"), 200);
    assert.equal(await statusFor(rpc, url, "http://[::1]:3000"), 200);
    assert.equal(await statusFor(rpc, url, "https://evil.example"), 403);
    assert.equal(await statusFor(rpc, url, "http://localhost.evil.example"), 403);
  });

  await t.step("a client that is not a browser sends no Origin and is let through", async () => {
    assert.equal(await statusFor(rpc, "https://chat.example.com/rpc", undefined), 200);
  });

  await t.step("each refused origin was logged once, with the option that allows it", () => {
    const expected = [
      "https://evil.example",
      "https://chat.example.com.evil.example",
      "http://localhost:5173",
      "null",
      "http://localhost.evil.example",
    ];
    assert.deepEqual(
      warnings.lines.map((line) => /from origin (\S+)/.exec(line)?.[1]),
      expected,
    );
    assert.equal(
      warnings.lines[0],
      `wsrpc: refused a WebSocket from origin https://evil.example (allowed: same origin as the host 127.0.0.1:${server.port}). To allow it: createHandler(api, { origins: ["https://evil.example"], ... })`,
    );
  });
});

Deno.test("origins: a list, a function, or any", async (t) => {
  using _warnings = captureWarnings();
  const url = "https://api.example.com/rpc";

  await t.step(
    "a list allows exactly its origins, the server's own included only if listed",
    async () => {
      const rpc = handler(["https://app.example.com", "http://localhost:5173"]);
      assert.equal(await statusFor(rpc, url, "https://app.example.com"), 200);
      assert.equal(await statusFor(rpc, url, "https://APP.example.com:443"), 200);
      assert.equal(await statusFor(rpc, url, "http://localhost:5173"), 200);
      assert.equal(await statusFor(rpc, url, "http://app.example.com"), 403);
      assert.equal(await statusFor(rpc, url, "https://api.example.com"), 403);
      assert.equal(await statusFor(rpc, url, "null"), 403);
    },
  );

  await t.step("a function decides, and sees the request", async () => {
    const rpc = handler((origin, request) =>
      origin.endsWith(".example.com") && new URL(request.url).pathname === "/rpc"
    );
    assert.equal(await statusFor(rpc, url, "https://a.example.com"), 200);
    assert.equal(await statusFor(rpc, url, "https://example.org"), 403);
  });

  await t.step('"*" allows any page', async () => {
    const rpc = handler("*");
    assert.equal(await statusFor(rpc, url, "https://evil.example"), 200);
    assert.equal(await statusFor(rpc, url, "null"), 200);
  });
});

Deno.test("a refused page learns why, and nothing runs for it on the server", async (t) => {
  using warnings = captureWarnings();
  const { counts, server } = countingServer(["https://app.example.com"]);
  await using _server = server;

  await t.step("4403 with the origin in the reason; a call sent at once is not read", async () => {
    const socket = await RawSocket.open(server.url, { origin: "https://evil.example" });
    socket.send({ jsonrpc: "2.0", id: 1, method: "hello" });
    const closed = await socket.closed;
    assert.equal(closed.code, CloseCode.Forbidden);
    assert.equal(closed.reason, "Origin https://evil.example is not allowed");
    await assert.rejects(socket.next(100), /The socket closed/);
    assert.deepEqual(counts, { contexts: 0, calls: 0 });
  });

  await t.step("a burst from one origin is logged once", async () => {
    const burst = await Promise.all(
      Array.from({ length: 20 }, () => connectFrom(server.url, "https://evil.example")),
    );
    assert.ok(burst.every(({ code }) => code === CloseCode.Forbidden));
    assert.deepEqual(counts, { contexts: 0, calls: 0 });
    assert.deepEqual(warnings.lines, [
      'wsrpc: refused a WebSocket from origin https://evil.example (allowed: "https://app.example.com"). To allow it: createHandler(api, { origins: ["https://app.example.com", "https://evil.example"], ... })',
    ]);
  });

  await t.step("another origin gets its own line", async () => {
    assert.equal((await connectFrom(server.url, "https://other.example")).code, 4403);
    assert.equal(warnings.lines.length, 2);
    assert.match(warnings.lines[1]!, /from origin https:\/\/other\.example /);
  });

  await t.step("an allowed page is served as before", async () => {
    assert.equal(await served(server.url, "https://app.example.com"), true);
    assert.deepEqual(counts, { contexts: 1, calls: 1 });
  });
});

Deno.test("the wsrpc client from a refused page ends with Forbidden, naming the origin, and does not retry", async () => {
  using _warnings = captureWarnings();
  const { counts, server } = countingServer(["https://app.example.com"]);
  await using _server = server;
  let sockets = 0;
  const FromEvil: WebSocketConstructor = class extends WebSocket {
    constructor(url: string | URL, _protocols?: string | string[]) {
      super(url, { headers: { origin: "https://evil.example" } });
      sockets++;
    }
  };
  const client = createClient(api, {
    url: server.url,
    WebSocket: FromEvil,
    reconnect: { baseDelay: 10, maxDelay: 20 },
  });
  try {
    const error = await client.hello().then(() => undefined, (thrown: unknown) => thrown);
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, ErrorCode.Forbidden);
    assert.equal(error.message, "Origin https://evil.example is not allowed");
    await sleep(200);
    assert.equal(sockets, 1, "no second attempt");
    assert.equal(client.connection.state, "closed");
    assert.deepEqual(counts, { contexts: 0, calls: 0 });
  } finally {
    client.close();
  }
});

Deno.test("a refused socket holds a connection slot while it lasts, like any other", async (t) => {
  using _warnings = captureWarnings();
  const { server } = countingServer(["https://app.example.com"], { maxConnectionsPerIp: 2 });
  await using _server = server;
  const evil = { origin: "https://evil.example" };

  // A hostile client that reads the 4403 but never answers it keeps its TCP
  // connection, and so its slot, until it leaves.
  using first = await TcpWebSocket.open(server.url, evil);
  using second = await TcpWebSocket.open(server.url, evil);
  assert.equal(await first.readClose(), CloseCode.Forbidden);
  assert.equal(await second.readClose(), CloseCode.Forbidden);

  await t.step("over the per-address limit, refused origins get 429 like anyone", async () => {
    await assert.rejects(TcpWebSocket.open(server.url, evil), /HTTP\/1\.1 429/);
  });

  await t.step("and so do allowed pages from that address", async () => {
    await assert.rejects(RawSocket.open(server.url, { origin: "https://app.example.com" }));
  });

  await t.step("once the refused sockets are gone, their slots are back", async () => {
    first.close();
    second.close();
    await eventuallyServed(server.url, "https://app.example.com");
    await Promise.all([
      served(server.url, "https://app.example.com"),
      served(server.url, "https://app.example.com"),
    ]);
  });
});

Deno.test("a flood of refused upgrades can't exhaust the server, and leaves every slot free", async () => {
  using warnings = captureWarnings();
  const { counts, server } = countingServer(["https://app.example.com"], { maxConnections: 20 });
  await using _server = server;

  // 300 at once, from one origin and from 150 others; the server holds at most
  // 20 connections at any time, so some may be refused with 503 before the upgrade.
  const flood = await Promise.all(
    Array.from(
      { length: 300 },
      (_, i) =>
        connectFrom(server.url, i % 2 === 0 ? "https://evil.example" : `https://evil${i}.example`),
    ),
  );
  for (const { opened, code, reason } of flood) {
    if (opened) assert.equal(code, CloseCode.Forbidden, reason);
    else assert.notEqual(code, CloseCode.Forbidden);
  }
  assert.ok(flood.some(({ opened }) => opened));
  assert.deepEqual(counts, { contexts: 0, calls: 0 });

  // Ten origins are named a minute, then one line says the rest are not.
  assert.equal(warnings.lines.length, 11);
  assert.match(warnings.lines.at(-1)!, /more origins; at most 10 origins are logged a minute/);

  // Every slot is back: the server's whole capacity serves allowed pages at once.
  await eventuallyServed(server.url, "https://app.example.com");
  const sockets = await Promise.all(
    Array.from(
      { length: 20 },
      () => RawSocket.open(server.url, { origin: "https://app.example.com" }),
    ),
  );
  await Promise.all(sockets.map((socket) => socket.close()));
});

Deno.test("refused clients that leave during the upgrade give their slots back", async () => {
  // In its own process: Deno.serve can't shut down after such an upgrade.
  const code = `
    import * as z from "zod";
    import { procedure, router } from "./mod.ts";
    import { createHandler } from "./server/mod.ts";
    const rpc = createHandler(router({ hello: procedure({ output: z.string() }) }), {
      origins: ["https://app.example.com"],
      limits: { maxConnectionsPerIp: 5, handshakeTimeout: 300 },
      handlers: { hello: () => "hi" },
    });
    console.warn = () => {};
    // Slow before the upgrade: a client that leaves at once is gone by then.
    const slow = async (request: Request, info: Deno.ServeHandlerInfo) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return rpc(request, info);
    };
    Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log(port) }, slow);
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", code],
    cwd: new URL("..", import.meta.url),
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let line = "";
    while (!line.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("The server exited before it listened");
      line += value;
    }
    reader.releaseLock();
    const url = `ws://127.0.0.1:${Number(line)}/`;
    const request = [
      "GET / HTTP/1.1",
      "Host: 127.0.0.1",
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Origin: https://evil.example",
      `Sec-WebSocket-Key: ${btoa("0123456789abcdef")}`,
      "Sec-WebSocket-Version: 13",
    ].join("\r\n");
    // As many as the per-address limit: each leaves as soon as it has asked.
    for (let i = 0; i < 5; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(line) });
      await conn.write(new TextEncoder().encode(`${request}\r\n\r\n`));
      conn.close();
    }
    await sleep(100);
    await assert.rejects(RawSocket.open(url, { origin: "https://app.example.com" }), "held");
    // Deno never reports anything for such a socket; the handshake deadline frees it.
    await sleep(400);
    const sockets = await Promise.all(
      Array.from({ length: 5 }, () => RawSocket.open(url, { origin: "https://app.example.com" })),
    );
    await Promise.all(sockets.map((socket) => socket.close()));
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await child.stdout.cancel().catch(() => {});
  }
});
