/**
 * The chat example's roles: an admin (who opened the admin link, which set a
 * cookie) may clear a room; anyone else is refused by the `admins` middleware.
 * A topic deletes nothing, so a clear is a marker published to the room: pages
 * drop what came before it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ErrorCode } from "../mod.ts";
import { createClient } from "../client/mod.ts";
import { startChatServer } from "../examples/chat/server.ts";
import { api } from "../examples/chat/shared/api.ts";
import { RawSocket } from "./_server.ts";

/** Calls one method over a socket whose handshake carries `cookie`, as a browser's would. */
async function callWithCookie(
  url: string,
  cookie: string | undefined,
  frames: Array<{ method: string; params: unknown }>,
): Promise<unknown[]> {
  await using socket = await RawSocket.open(url, cookie === undefined ? {} : { cookie });
  const replies = [];
  for (const [id, { method, params }] of frames.entries()) {
    replies.push(await socket.request({ jsonrpc: "2.0", id, method, params }));
  }
  return replies;
}

Deno.test("chat example: only an admin may clear a room", async (t) => {
  await using server = await startChatServer({ port: 0, adminToken: "s3cret" });
  const rpcUrl = new URL("/rpc", server.url).href.replace(/^http/, "ws");
  const clear = { method: "chat.clear", params: { room: "lobby" } };
  const forbidden = { code: ErrorCode.Forbidden, message: "Admins only" };

  await t.step("its links are for localhost, the host the README says to open", () => {
    // The admin cookie belongs to one host: a link for 127.0.0.1 would not make
    // a tab at localhost an admin's.
    assert.match(server.url, /^http:\/\/localhost:\d+\/$/);
    assert.equal(server.adminUrl, `${server.url}admin?token=s3cret`);
  });

  await t.step("the admin link sets an HttpOnly, SameSite=Strict cookie", async () => {
    const wrong = await fetch(new URL("/admin?token=guess", server.url), { redirect: "manual" });
    await wrong.body?.cancel();
    assert.equal(wrong.status, 403);
    const right = await fetch(server.adminUrl, { redirect: "manual" });
    await right.body?.cancel();
    assert.equal(right.status, 303);
    assert.equal(
      right.headers.get("set-cookie"),
      "chat_admin=s3cret; Path=/; HttpOnly; SameSite=Strict",
    );
  });

  await t.step("the page says it is an admin's only to a browser with the cookie", async () => {
    const page = async (cookie?: string) => {
      const response = await fetch(server.url, cookie === undefined ? {} : { headers: { cookie } });
      return /<body data-role="(\w+)">/.exec(await response.text())?.[1];
    };
    assert.equal(await page(), "member");
    assert.equal(await page("chat_admin=s3cres"), "member");
    assert.equal(await page("theme=dark; chat_admin=s3cret"), "admin");
  });

  await t.step("a member is refused with Forbidden, and the room keeps its messages", async () => {
    const send = (text: string) => ({ method: "chat.send", params: { room: "lobby", text } });
    const replies = await callWithCookie(rpcUrl, undefined, [send("hello"), send("again"), clear]);
    assert.deepEqual(replies[2], { jsonrpc: "2.0", id: 2, error: forbidden });
  });

  await t.step("a forged cookie is a member's", async () => {
    assert.deepEqual(await callWithCookie(rpcUrl, "chat_admin=s3cres", [clear]), [
      { jsonrpc: "2.0", id: 0, error: forbidden },
    ]);
  });

  await t.step(
    "the admin clears it: the first clear hides two messages, the next none",
    async () => {
      assert.deepEqual(
        await callWithCookie(rpcUrl, "theme=dark; chat_admin=s3cret", [clear, clear]),
        [
          { jsonrpc: "2.0", id: 0, result: 2 },
          { jsonrpc: "2.0", id: 1, result: 0 },
        ],
      );
    },
  );

  await t.step("a page that joins later replays the messages, then the markers", async () => {
    const client = createClient(api, { url: rpcUrl });
    try {
      await client.chat.send({ room: "lobby", text: "after" });
      const replay = [];
      for await (const event of client.chat.messages({ room: "lobby" })) {
        replay.push(event.kind === "message" ? event.text : event.kind);
        if (replay.length === 5) break;
      }
      // The page shows only what follows the last marker: "after".
      assert.deepEqual(replay, ["hello", "again", "cleared", "cleared", "after"]);
      const [hidden] = await callWithCookie(rpcUrl, "chat_admin=s3cret", [clear]);
      assert.deepEqual(hidden, { jsonrpc: "2.0", id: 0, result: 1 });
    } finally {
      client.close();
    }
  });
});
