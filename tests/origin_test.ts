/**
 * Cross-site WebSocket hijacking: a page on another site opens a WebSocket
 * to the server, and the browser sends the user's cookies along. The origin
 * check refuses it with 403 before the upgrade.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { procedure, router } from "../mod.ts";
import { createHandler, type OriginPolicy } from "../server/mod.ts";
import { serve } from "./_server.ts";

const api = router({ hello: procedure({ output: z.string() }) });

function handler(origins?: OriginPolicy) {
  return createHandler(api, { origins, handlers: { hello: () => "hi" } });
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

/** Opens a real socket from a page at `origin`; resolves whether it opened. */
function opens(url: string, origin: string): Promise<boolean> {
  const socket = new WebSocket(url, { headers: { origin } });
  return new Promise((resolve) => {
    socket.onopen = () => {
      socket.onclose = () => resolve(true);
      socket.close();
    };
    socket.onerror = () => {
      socket.onclose = null;
      resolve(false);
    };
  });
}

Deno.test("by default, a page of another site can't connect; the server's own pages can", async (t) => {
  const rpc = handler();
  await using server = serve(rpc);
  const own = server.httpUrl.slice(0, -1); // http://127.0.0.1:port

  await t.step("a real browser-like socket from the server's own origin opens", async () => {
    assert.equal(await opens(server.url, own), true);
  });

  await t.step("one from another site is refused with 403", async () => {
    assert.equal(await opens(server.url, "https://evil.example"), false);
    const response = await rpc(
      new Request("http://127.0.0.1/rpc", {
        headers: { upgrade: "websocket", origin: "https://evil.example" },
      }),
    );
    assert.equal(response.status, 403);
    assert.equal(await response.text(), "403 This origin may not connect\n");
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
    assert.equal(await opens(server.url, "http://localhost:5173"), true);
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
});

Deno.test("origins: a list, a function, or any", async (t) => {
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
