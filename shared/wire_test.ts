import assert from "node:assert/strict";
import { type Meta, type RequestFrame, type RequestId, requestText } from "./wire.ts";

Deno.test("requestText writes what JSON.stringify writes of the frame, with its meta last", () => {
  const ids: (RequestId | undefined)[] = [undefined, 0, 7, -1.5, 'a"b', "é", null];
  const params: unknown[] = [undefined, null, 0, "x", [1, "two"], { a: { b: [null] } }, () => 1];
  // Each meta object again after another: the last one's text is kept.
  const metas: (Meta | undefined)[] = [
    undefined,
    { values: { a: ["Date"] }, v: 1 },
    { values: { b: ["bigint"] }, v: 1 },
    { values: { a: ["Date"] }, v: 1 },
  ];
  const positions: (string | undefined)[] = [undefined, "e:1", 'q"\\'];
  for (const id of ids) {
    for (const param of params) {
      for (const meta of metas) {
        for (const lastEventId of positions) {
          const frame: RequestFrame = id === undefined
            ? { jsonrpc: "2.0", method: "do.it" }
            : { jsonrpc: "2.0", id, method: "do.it" };
          if (param !== undefined) frame.params = param;
          if (lastEventId !== undefined) frame.lastEventId = lastEventId;
          if (meta !== undefined) frame.meta = meta;
          assert.equal(
            requestText(id, "do.it", param, meta, lastEventId),
            JSON.stringify(frame),
            Deno.inspect({ id, param, meta, lastEventId }),
          );
        }
      }
    }
  }
  assert.throws(() => requestText(1, "m", { n: 1n }), TypeError, "a BigInt, as JSON.stringify");
});
