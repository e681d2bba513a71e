/**
 * The chat example in a real browser, as people use it: headless Chromium
 * loads the page from the example's server. A tab that nobody touches shows
 * what another tab sends, a new tab shows the room's history, the page says
 * when it is offline and comes back by itself when the server does, the admin
 * link that `deno task dev` prints makes Clear work, spaces alone get a plain
 * answer and a long word wraps. With two instances on one Redis, a message
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
import { spawnTask, stopSpawned } from "./_spawned.ts";

/** How long any one thing may take to show up on a page. */
const TIMEOUT = 10_000;
/** How soon a message must reach the other tabs. */
const LIVE = 1_000;

/** Waits for an element whose text matches, and returns its text. */
async function waitForText(
  page: Page,
  selector: string,
  pattern: RegExp,
  timeout = TIMEOUT,
): Promise<string> {
  const locator = page.locator(selector, { hasText: pattern }).first();
  await locator.waitFor({ timeout });
  return (await locator.textContent()) ?? "";
}

/** Opens the chat page and collects the errors thrown on it. */
async function openPage(page: Page, url: string, errors: string[]): Promise<Page> {
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url);
  return page;
}

/** Types a message into a tab and sends it, as a person would. */
async function send(page: Page, text: string): Promise<void> {
  await page.fill("#text", text);
  await page.click("#send");
}

/** The room's lines in a tab, each as its text. */
function lines(page: Page): Promise<string[]> {
  return page.locator("#messages li").allTextContents();
}

/** Whether the page, and the room's list, are no wider than what shows of them. */
function fitsSideways(page: Page): Promise<Record<string, [number, number]>> {
  return page.evaluate(`(() => {
    const page = document.documentElement;
    const list = document.getElementById("messages");
    return {
      "page": [page.scrollWidth, page.clientWidth],
      "list of messages": [list.scrollWidth, list.clientWidth],
    };
  })()`);
}

Deno.test(needsChromium({
  name: "chat example: an untouched tab shows a message from another within a second, " +
    "a new tab shows the history, spaces get a plain answer and a long word wraps",
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
      // This tab is only ever read from: no click, no focus, no typing.
      const untouched = await openPage(await browser.newPage(), server.url, errors);
      const typing = await openPage(await browser.newPage(), server.url, errors);
      for (const page of [untouched, typing]) {
        await waitForText(page, "#connection", /^connected$/);
      }

      // The hello story: the connection answers, then the server keeps pushing.
      await typing.click("#hello");
      const reply = await waitForText(typing, "#reply", /You said/);
      assert.equal(reply, 'Hello from the server! You said "hello world".');
      await waitForText(typing, "#ticks", /^Tick ([2-9]|\d{2,}): \d/);

      const author = await typing.locator("#me").textContent();
      const text = `Hi from the other tab, ${crypto.randomUUID()}`;
      const sentAt = performance.now();
      await send(typing, text);
      const seen = await waitForText(untouched, "#messages li", new RegExp(text), LIVE);
      const took = performance.now() - sentAt;
      assert.ok(took <= LIVE, `The untouched tab took ${Math.round(took)} ms`);
      assert.ok(seen.includes(`${author}: ${text}`), `Unexpected message line: ${seen}`);
      await waitForText(typing, "#messages li", new RegExp(text));
      assert.equal(await typing.inputValue("#text"), "");

      // A tab opened now starts with the room's history, with no click either.
      const late = await openPage(await browser.newPage(), server.url, errors);
      assert.match(await waitForText(late, "#messages li", new RegExp(text)), /: Hi from/);

      // Spaces alone: a plain sentence on the page, and nothing sent.
      await send(typing, "   ");
      const refusal = await waitForText(typing, "#error", /\S/);
      assert.equal(refusal, "Type a message first: spaces alone are not sent.");
      await send(typing, "after the spaces");
      await waitForText(untouched, "#messages li", /after the spaces/);
      assert.equal((await lines(untouched)).length, 2, "the spaces were not sent");
      assert.equal(await typing.textContent("#error"), "");

      // A 300-character word wraps: neither the page nor the list scrolls sideways.
      await late.setViewportSize({ width: 390, height: 800 }); // a phone
      const word = "w".repeat(300);
      await send(typing, word);
      for (const page of [untouched, late]) {
        await waitForText(page, "#messages li", new RegExp(word));
        const widths = await fitsSideways(page);
        for (const [what, [scroll, client]] of Object.entries(widths)) {
          assert.ok(scroll <= client, `The ${what} is ${scroll} px wide in ${client} px`);
        }
      }

      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  },
}));

Deno.test(needsChromium({
  name: "chat example: the page says it is offline and counts its attempts while the " +
    "server is down, then reconnects by itself when it is back",
  fn: async () => {
    const first = await startChatServer({ port: 0 });
    const { port } = first;
    let second: AsyncDisposable | undefined;
    const browser = await launchBrowser();
    try {
      const errors: string[] = [];
      const watching = await openPage(await browser.newPage(), first.url, errors);
      const typing = await openPage(await browser.newPage(), first.url, errors);
      for (const page of [watching, typing]) {
        await waitForText(page, "#connection", /^connected$/);
      }
      await send(typing, "before the restart");
      await waitForText(watching, "#messages li", /before the restart/);

      await first.close();
      // Offline, and the count goes up with each failed attempt.
      for (const page of [watching, typing]) {
        await waitForText(page, "#connection", /^offline: reconnecting \(attempt \d+\)…$/);
      }
      await waitForText(watching, "#connection", /\(attempt ([2-9]|\d{2,})\)/);
      assert.equal(await watching.getAttribute("#connection", "data-state"), "reconnecting");

      // The server is back on the same port: both pages find it with no help.
      second = await startChatServer({ port });
      for (const page of [watching, typing]) {
        await waitForText(page, "#connection", /^connected$/);
      }
      // Its rooms were in memory: the pages say the history went, and start afresh.
      await waitForText(watching, "#notice", /The server lost the room's history/);
      await send(typing, "after the restart");
      await waitForText(watching, "#messages li", /after the restart/);
      assert.deepEqual(
        (await lines(watching)).map((line) => line.replace(/^.*?: /, "")),
        ["after the restart"],
      );

      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await first.close();
      await second?.[Symbol.asyncDispose]();
    }
  },
}));

/** `deno task dev` on a free port, as a person runs it, and the links it printed. */
interface DevTask extends AsyncDisposable {
  /** The page's link, as printed. */
  pageUrl: string;
  /** The admin link, as printed. */
  adminUrl: string;
}

/** Runs `deno task dev` with `PORT=0`, until it has printed its links. */
async function startDevTask(): Promise<DevTask> {
  const dev = await spawnTask("dev", (output) => /^Admin .*: \S+$/m.test(output));
  return {
    pageUrl: /^Chat example: (\S+)$/m.exec(dev.output)?.[1] ?? "",
    adminUrl: /^Admin .*: (\S+)$/m.exec(dev.output)?.[1] ?? "",
    [Symbol.asyncDispose]: async () => void await stopSpawned(dev),
  };
}

Deno.test(needsChromium({
  name: "chat example: deno task dev prints links for localhost, as the README says to open, " +
    "and in the browser its admin link makes Clear work; anyone else gets Admins only",
  fn: async () => {
    await using dev = await startDevTask();
    const page = new URL(dev.pageUrl);
    assert.equal(page.hostname, "localhost", dev.pageUrl);
    assert.equal(new URL(dev.adminUrl).origin, page.origin, dev.adminUrl);

    const browser = await launchBrowser();
    try {
      const errors: string[] = [];
      // Two browser profiles: cookies are not shared between them.
      const member = await openPage(
        await (await browser.newContext()).newPage(),
        page.href,
        errors,
      );
      const admin = await openPage(
        await (await browser.newContext()).newPage(),
        dev.adminUrl,
        errors,
      );
      assert.equal(admin.url(), page.href, "the admin link leads back to the page");
      assert.equal(await admin.textContent("#role"), " · admin: you may clear the room");
      assert.equal(await member.textContent("#role"), "");
      assert.ok(await admin.locator("#clear").isVisible(), "the admin sees a Clear button");

      await send(member, "one");
      await send(member, "two");
      await waitForText(admin, "#messages li", /two/);

      await member.click("#clear");
      assert.match(await waitForText(member, "#error", /\S/), /^Admins only: /);
      assert.equal((await lines(admin)).length, 2, "a member's clear changed nothing");

      await admin.click("#clear");
      assert.equal(
        await waitForText(admin, "#notice", /cleared/),
        "You cleared the room: 2 messages hidden for everyone.",
      );
      for (const tab of [member, admin]) {
        await waitForText(tab, "#messages li", /An admin cleared the room/);
        assert.equal((await lines(tab)).length, 1);
      }
      assert.equal(await admin.textContent("#error"), "");

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
      await send(onA, text);
      await waitForText(onB, "#messages li", new RegExp(text));

      // A tab opened later on B shows the room's history, from the topic's replay.
      const late = await openPage(await browser.newPage(), b.url, errors);
      await waitForText(late, "#messages li", new RegExp(text));

      // The room's stream is lost (as if Redis lost it): the next message comes
      // in a new epoch, a gap; the pages say so and reload the room.
      await redis.command("DEL", "wsrpc-chat:{rooms:general}:s", "wsrpc-chat:{rooms:general}:m");
      await send(onB, "after the loss");
      for (const page of [onA, onB, late]) {
        await waitForText(page, "#notice", /The server lost the room's history/);
        await waitForText(page, "#messages li", /after the loss/);
        assert.equal(await page.locator("#messages li").count(), 1);
      }

      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  },
})));
