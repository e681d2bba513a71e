import assert from "node:assert/strict";
import type { OriginPolicy } from "./origin.ts";
import { OriginRefusals, refusalReason } from "./origin_refusal.ts";

Deno.test("the refusal log: once per origin a minute, ten origins a minute, the fix for each policy", async (t) => {
  let now = 0;
  const lines: string[] = [];
  const from = (origin: string) =>
    new Request("https://api.example.com/rpc", { headers: { origin } });
  const log = (policy: OriginPolicy | undefined) =>
    new OriginRefusals({
      policy,
      openTimeout: 1000,
      log: (line) => lines.push(line),
      now: () => now,
    });

  await t.step("one origin: once a minute", () => {
    const refusals = log(undefined);
    for (let i = 0; i < 100; i++) refusals.report(from("https://app.example.com"));
    assert.deepEqual(lines.splice(0), [
      'wsrpc: refused a WebSocket from origin https://app.example.com (allowed: same origin as the host api.example.com). To allow it: createHandler(api, { origins: ["https://app.example.com"], ... })',
    ]);
    now += 59_999;
    refusals.report(from("https://APP.example.com:443"));
    assert.equal(lines.length, 0, "the same origin, however it is spelled");
    now += 1;
    refusals.report(from("https://app.example.com"));
    assert.equal(lines.splice(0).length, 1);
  });

  await t.step("many origins: ten a minute, and one line about the rest", () => {
    const refusals = log(["https://app.example.com"]);
    for (let i = 0; i < 1000; i++) refusals.report(from(`https://evil${i}.example`));
    assert.equal(lines.length, 11);
    assert.equal(
      lines.at(-1),
      "wsrpc: refused WebSockets from more origins; at most 10 origins are logged a minute",
    );
    lines.length = 0;
    now += 30_000;
    refusals.report(from("https://late.example"));
    assert.equal(lines.length, 0);
    now += 30_000;
    refusals.report(from("https://late.example"));
    assert.match(lines.splice(0)[0]!, /from origin https:\/\/late\.example /);
  });

  await t.step("the fix fits the policy", () => {
    log(["https://a.example", "https://b.example"]).report(from("https://c.example"));
    log((origin) => origin === "https://a.example").report(from("https://c.example"));
    const long = [
      "https://a.example",
      "https://b.example",
      "https://c.example",
      "https://d.example",
    ];
    log(long).report(from("https://e.example"));
    assert.deepEqual(lines.splice(0), [
      'wsrpc: refused a WebSocket from origin https://c.example (allowed: "https://a.example", "https://b.example"). To allow it: createHandler(api, { origins: ["https://a.example", "https://b.example", "https://c.example"], ... })',
      'wsrpc: refused a WebSocket from origin https://c.example (your origins function returned false). To allow it: return true for "https://c.example" from it',
      'wsrpc: refused a WebSocket from origin https://e.example (allowed: "https://a.example", "https://b.example", "https://c.example", "https://d.example"). To allow it: createHandler(api, { origins: [..., "https://e.example"], ... })',
    ]);
  });

  await t.step("a hostile Origin is cut and escaped, in the log and in the close reason", () => {
    const hostile = `https://${"x".repeat(500)}\u001b[31m.example`;
    log(undefined).report(from(hostile));
    const [line] = lines.splice(0);
    assert.ok(line !== undefined && line.length < 400);
    assert.ok(!line.includes("\u001b"));
    const reason = refusalReason(hostile);
    assert.ok(new TextEncoder().encode(reason).length <= 123);
    assert.match(reason, /^Origin https:\/\/x+… is not allowed$/);
    const wide = refusalReason(`https://${"é".repeat(200)}`);
    assert.ok(new TextEncoder().encode(wide).length <= 123);
  });
});
