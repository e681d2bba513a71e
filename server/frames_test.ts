import assert from "node:assert/strict";
import { superjsonCodec } from "../shared/codec.ts";
import { Method } from "../shared/wire.ts";
import { eventText, notificationText, resultFrame, successText } from "./frames.ts";

Deno.test("an event's frame written in place is the frame of its whole params", () => {
  const events: unknown[] = [
    { a: 1, s: "hello" },
    { a: 1, s: "hello", d: new Date(5) },
    new Date(0),
    undefined,
    null,
    [1n, new Set([new Date(1)]), { "x.y": undefined }],
    new Map([["k", { at: new Date(2) }]]),
    "text",
    -0,
    Number.NaN,
    JSON.parse('{"constructor":"ada","__proto__":{"prototype":1}}'),
  ];
  // Each after each: the writer expects an event like the last one (rich or plain).
  for (const before of events) {
    for (const data of events) {
      for (const [subscription, id] of [[1, undefined], ["sub-7", "e1:42"]] as const) {
        eventText(superjsonCodec, subscription, id, before);
        const params = id === undefined ? { subscription, data } : { subscription, id, data };
        assert.equal(
          eventText(superjsonCodec, subscription, id, data),
          notificationText(superjsonCodec, Method.Data, params),
          `${Deno.inspect(data)} after ${Deno.inspect(before)}`,
        );
      }
    }
  }
});

Deno.test("a success frame's text is JSON.stringify's, reply after reply", () => {
  const results: unknown[] = [
    { a: 1 },
    { at: new Date(1) },
    { at: new Date(2) },
    { at: 3n },
    undefined,
    [new Set([1]), "x"],
    null,
    { at: new Date(4), n: undefined },
    { at: new Date(5) },
    "text",
  ];
  for (const id of [1, 'a"b', null]) {
    for (const value of results) {
      const frame = resultFrame(superjsonCodec, id, value);
      assert.equal(successText(frame as never), JSON.stringify(frame), Deno.inspect(value));
    }
  }
  // A result that JSON leaves out is left out, as JSON.stringify leaves it.
  const bare = { jsonrpc: "2.0" as const, id: 1, result: () => 1 };
  assert.equal(successText(bare), JSON.stringify(bare));
});
