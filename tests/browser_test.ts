/**
 * The chat example in a real browser: headless Chromium loads the page from
 * the example's server, says hello, sees the server push its time, and sees a
 * message sent from a second tab. With two instances on one Redis, a message
 * typed in a tab of one shows in a tab of the other.
 *
 * Skipped (and said to be) when Chromium (or, for the cluster, redis-server)
 * is missing, unless `CI` is set: then it fails.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startChatServer } from "../examples/chat/server.ts";
import { launchBrowser, needsChromium } from "./_browser.ts";
import { needsRedis, RedisServer } from "./_redis.ts";

/** How long any one thing may take to show up on a page. */
const TIMEOUT = 10_000;

/** Waits for an element whose text matches, and returns its text. */
async function waitForText(page: Page, selector: string, pattern: RegExp): Promise<string> {
  const locator = page.locator(selector, { hasText: pattern }).first();
  await locator.waitFor({ timeout: TIMEOUT });
  return (await locator.textContent()) ?? "";
}

/** Opens the chat page and collects the errors thrown on it. */
async function openPage(page: Page, url: string, errors: string[]): Promise<Page> {
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url);
  return page;
}

Deno.test(needsChromium({
  name: "chat example: hello, server push and a message between two tabs, in Chromium",
  fn: async () => {
    await using server = await startChatServer({
      hostname: "127.0.0.1",
      port: 0,
      tickInterval: 100,
    });

    const missing = await fetch(new URL("/nope", server.url));
    await missing.body?.cancel();
    assert.equal(missing.status, 404);
    const script = await fetch(new URL("/client.js", server.url));
    await script.body?.cancel();
    assert.match(script.headers.get("content-type") ?? "", /^text\/javascript/);

    const browser = await launchBrowser();
    try {
      const errors: string[] = [];
      const first = await openPage(await browser.newPage(), server.url, errors);
      await first.click("#hello");
      const reply = await waitForText(first, "#reply", /You said/);
      assert.equal(reply, 'Hello from the server! You said "hello world".');
      // The first tick comes at once; a second one shows the server keeps pushing.
      await waitForText(first, "#ticks", /^Tick ([2-9]|\d{2,}): \d/);

      const second = await openPage(await browser.newPage(), server.url, errors);
      const author = await second.locator("#me").textContent();
      const text = `Hi from the second tab, ${crypto.randomUUID()}`;
      await second.fill("#text", text);
      await second.click("#send");
      const seen = await waitForText(first, "#messages li", new RegExp(text));
      assert.ok(seen.includes(`${author}: ${text}`), `Unexpected message line: ${seen}`);
      await waitForText(second, "#messages li", new RegExp(text));
      assert.equal(await second.inputValue("#text"), "");

      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  },
}));

Deno.test(needsChromium(needsRedis({
  name:
    "chat example on two instances: a message typed in a tab of one shows in a tab of the other",
  fn: async () => {
    await using redis = await RedisServer.start({ appendOnly: false });
    await using a = await startChatServer({ port: 0, redisUrl: redis.url });
    await using b = await startChatServer({ port: 0, redisUrl: redis.url });

    const browser = await launchBrowser();
    try {
      const errors: string[] = [];
      const onA = await openPage(await browser.newPage(), a.url, errors);
      const onB = await openPage(await browser.newPage(), b.url, errors);
      assert.match(
        await waitForText(onA, "#served", /connected/),
        new RegExp(`instance :${a.port}`),
      );
      assert.match(
        await waitForText(onB, "#served", /connected/),
        new RegExp(`instance :${b.port}`),
      );

      const text = `Hi from instance A, ${crypto.randomUUID()}`;
      await onA.fill("#text", text);
      await onA.click("#send");
      await waitForText(onB, "#messages li", new RegExp(text));

      // A tab opened later on B shows the room's history, from the topic's replay.
      const late = await openPage(await browser.newPage(), b.url, errors);
      await waitForText(late, "#messages li", new RegExp(text));

      // The room's stream is lost (as if Redis lost it): the next message comes
      // in a new epoch, a gap; the pages say so and reload the room.
      await redis.command("DEL", "wsrpc-chat:{rooms:general}:s", "wsrpc-chat:{rooms:general}:m");
      await onB.fill("#text", "after the loss");
      await onB.click("#send");
      for (const page of [onA, onB, late]) {
        await waitForText(page, "#notice", /Some messages were missed \(epoch\)/);
        await waitForText(page, "#messages li", /after the loss/);
        assert.equal(await page.locator("#messages li").count(), 1);
      }

      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  },
})));
