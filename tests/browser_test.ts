/**
 * The chat example in a real browser: headless Chromium loads the page from
 * the example's server, says hello, sees the server push its time, and sees a
 * message sent from a second tab.
 *
 * Skipped when Chromium is missing, unless `CI` is set: then it fails.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startChatServer } from "../examples/chat/server.ts";
import { chromiumAvailable, chromiumPath, launchBrowser } from "./_browser.ts";

/** How long any one thing may take to show up on a page. */
const TIMEOUT = 10_000;

const onCi = Boolean(Deno.env.get("CI"));
const hasChromium = chromiumAvailable();

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

Deno.test({
  name: "chat example: hello, server push and a message between two tabs, in Chromium",
  ignore: !hasChromium && !onCi,
}, async () => {
  if (!hasChromium) throw new Error(`CI needs Chromium, and ${chromiumPath()} is missing`);
  await using server = await startChatServer({ hostname: "127.0.0.1", port: 0, tickInterval: 100 });

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
});
