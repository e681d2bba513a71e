import assert from "node:assert/strict";
import { superjsonCodec } from "../shared/codec.ts";
import * as z from "zod";
import { procedure, router } from "../shared/contract.ts";
import { Method, type SuccessFrame } from "../shared/wire.ts";
import { eventText, notificationText, resultFrame, successText } from "./frames.ts";
import { buildRoutes } from "./routes.ts";

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

Deno.test("each procedure keeps the shape of its own results, however their calls interleave", () => {
  const contract = router({
    at: procedure({ output: z.object({ id: z.number(), at: z.date() }) }),
    span: procedure({ output: z.object({ from: z.date(), to: z.date() }) }),
  });
  const routes = buildRoutes(contract, { at: () => undefined, span: () => undefined });
  const [at, span] = [routes.get("at")!, routes.get("span")!];
  const metas = new Map<string, unknown>();
  for (let n = 0; n < 4; n++) {
    for (
      const [route, value] of [
        [at, { id: n, at: new Date(n) }],
        [span, { from: new Date(n), to: new Date(n + 1) }],
      ] as const
    ) {
      const frame = resultFrame(superjsonCodec, n, value, route.encodeResult) as SuccessFrame;
      const { json, meta } = superjsonCodec.encode(value);
      assert.deepEqual(frame, { jsonrpc: "2.0", id: n, result: json, meta });
      assert.equal(successText(frame), JSON.stringify(frame));
      // From its second call on, a route hands out its shape's meta again.
      if (n > 0) assert.equal(frame.meta, metas.get(route.path), `${route.path} call ${n}`);
      metas.set(route.path, frame.meta);
    }
  }
});
