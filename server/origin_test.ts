import assert from "node:assert/strict";
import { isOriginAllowed, normalizeOrigin, type OriginPolicy } from "./origin.ts";

/** An upgrade request to `url` from a page at `origin` (none: not a browser). */
function from(origin: string | undefined, url = "https://chat.example.com/rpc"): Request {
  return new Request(url, { headers: origin === undefined ? {} : { origin } });
}

Deno.test("by default, the server's own origin is allowed, and other sites are not", () => {
  assert.equal(isOriginAllowed(from("https://chat.example.com"), undefined), true);
  assert.equal(isOriginAllowed(from("https://evil.example"), undefined), false);
  assert.equal(isOriginAllowed(from("http://chat.example.com:8080"), undefined), false);
  assert.equal(isOriginAllowed(from("null"), undefined), false);
  assert.equal(isOriginAllowed(from("not a url"), undefined), false);
});

Deno.test("by default, on a loopback address, any loopback page is allowed", () => {
  const local = "http://localhost:8000/rpc";
  assert.equal(isOriginAllowed(from("http://localhost:5173", local), undefined), true);
  assert.equal(isOriginAllowed(from("http://127.0.0.1:3000", local), undefined), true);
  assert.equal(isOriginAllowed(from("http://[::1]:3000", local), undefined), true);
  assert.equal(isOriginAllowed(from("http://app.localhost", local), undefined), true);
  assert.equal(isOriginAllowed(from("https://evil.example", local), undefined), false);
  assert.equal(
    isOriginAllowed(from("http://localhost:5173"), undefined),
    false,
    "a loopback page may not reach a server on a public name",
  );
});

Deno.test("a request without Origin is not from a browser page, and is never refused", () => {
  for (const policy of [undefined, [], () => false] as OriginPolicy[]) {
    assert.equal(isOriginAllowed(from(undefined), policy), true);
  }
});

Deno.test("a list allows exactly its origins, however they are spelled", () => {
  const policy: OriginPolicy = ["https://app.example.com", "null"];
  assert.equal(isOriginAllowed(from("https://APP.example.com:443"), policy), true);
  assert.equal(isOriginAllowed(from("null"), policy), true);
  assert.equal(
    isOriginAllowed(from("https://chat.example.com"), policy),
    false,
    "not even the host",
  );
  assert.equal(isOriginAllowed(from("http://app.example.com"), policy), false, "another scheme");
});

Deno.test('a function decides with the request in hand; "*" allows any page', () => {
  const seen: string[] = [];
  const policy: OriginPolicy = (origin, request) => {
    seen.push(`${origin} → ${new URL(request.url).pathname}`);
    return origin.endsWith(".example.com");
  };
  assert.equal(isOriginAllowed(from("https://a.example.com"), policy), true);
  assert.equal(isOriginAllowed(from("https://evil.example"), policy), false);
  assert.deepEqual(seen, ["https://a.example.com → /rpc", "https://evil.example → /rpc"]);
  assert.equal(isOriginAllowed(from("https://evil.example"), "*"), true);
});

Deno.test("origins are compared lowercased and without a default port", () => {
  assert.equal(normalizeOrigin("HTTPS://App.Example.com:443"), "https://app.example.com");
  assert.equal(normalizeOrigin("http://app.example.com:8080"), "http://app.example.com:8080");
  assert.equal(normalizeOrigin("null"), "null");
  assert.equal(normalizeOrigin("not a url"), "not a url");
});
