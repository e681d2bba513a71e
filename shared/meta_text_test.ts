import assert from "node:assert/strict";
import { metaText } from "./meta_text.ts";
import type { Meta } from "./wire.ts";

Deno.test("metaText writes what JSON.stringify writes, meta after meta", () => {
  const frozen = Object.freeze({ values: Object.freeze({ at: ["Date"] }), v: 1 });
  const metas: Meta[] = [
    { values: { at: ["Date"] }, v: 1 },
    { values: { at: ["Date"] }, v: 1 },
    { values: { at: ["bigint"] }, v: 1 },
    { values: { at: ["bigint"] } },
    { values: { at: ["bigint"] }, v: 2 },
    { values: { at: ["bigint"] }, x: 1 },
    { values: { at: ["bigint"] }, v: undefined },
    { values: { at: ["Date"], n: ["undefined"] }, v: 1 },
    { values: { n: ["undefined"], at: ["Date"] }, v: 1 },
    { values: { at: ["Date"] }, v: 1 },
    { values: { at: ["Date"], more: ["Date"] }, v: 1 },
    { values: { at: ["Date"] }, v: 1 },
    { values: { at: ["set", { 0: ["Date"] }] }, v: 1 },
    { values: { at: ["set", { 0: ["Date"] }] }, v: 1 },
    { values: { at: [["typed-array", "Uint8Array"]] }, v: 1 },
    { values: ["Date"], v: 1 },
    { values: { 2: ["Date"], 1: ["bigint"] }, v: 1 },
    { values: { 1: ["bigint"], 2: ["Date"] }, v: 1 },
    { values: { "a\\.b": ["Date"] }, v: 1 },
    { values: { "a.b": ["Date"] }, v: 1 },
    { values: {}, v: 1 },
    { values: { at: ["Date"] }, v: 1 },
    // Frozen, as a flat shape hands out its meta (superjson_format/flat_shape.ts).
    frozen,
    frozen,
    Object.freeze({ values: Object.freeze({ at: ["Date"], id: ["Date"] }), v: 1 }),
    frozen,
    { values: { at: ["bigint"] }, v: 1 },
    frozen,
  ];
  for (const [i, meta] of metas.entries()) {
    assert.equal(metaText(meta), JSON.stringify(meta), `meta ${i}`);
    assert.equal(metaText(meta), JSON.stringify(meta), `meta ${i} again`);
  }
});
