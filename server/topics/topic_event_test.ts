import assert from "node:assert/strict";
import { z } from "zod";
import type { Codec } from "../../shared/codec.ts";
import { superjsonCodec } from "../../shared/codec.ts";
import { RpcError } from "../../shared/errors.ts";
import { TopicEvent } from "./topic_event.ts";

/** A codec that writes every value as its own JSON, and counts how often it is asked. */
function countingCodec(): Codec & { calls: number } {
  return {
    calls: 0,
    encode(value: unknown) {
      this.calls++;
      return { json: value, meta: undefined };
    },
    decode: (json: unknown) => json,
  };
}

const message = z.object({ text: z.string() });

Deno.test("a topic event's frame, as each subscriber of a fan-out gets it", async (t) => {
  await t.step("subscribers with the same id get the same frame, encoded once", () => {
    const codec = countingCodec();
    const event = new TopicEvent("e:1", { text: "hi" });
    const first = event.frame(7, codec, undefined);
    assert.equal(
      first,
      '{"jsonrpc":"2.0","method":"rpc.data","params":{"subscription":7,"id":"e:1","data":{"text":"hi"}}}',
    );
    for (let i = 0; i < 3; i++) assert.equal(event.frame(7, codec, undefined), first);
    assert.equal(codec.calls, 1);
  });

  await t.step("each subscription id gets its own id in the frame, the event encoded once", () => {
    const codec = countingCodec();
    const event = new TopicEvent("e:2", { text: "hi" });
    const ids = [1, 2, 1, "a", 2];
    const frames = ids.map((id) => event.frame(id, codec, undefined));
    assert.deepEqual(
      frames.map((text) => JSON.parse(text!).params.subscription),
      ids,
    );
    assert.equal(codec.calls, 1);
  });

  await t.step("a second codec gets its own encoding, and leaves the first one's alone", () => {
    const plain = countingCodec();
    const event = new TopicEvent("e:3", { at: new Date("2026-01-01T00:00:00Z") });
    const withMeta = event.frame(1, superjsonCodec, undefined)!;
    const asIs = event.frame(1, plain, undefined)!;
    assert.ok(JSON.parse(withMeta).meta, "the default codec says the Date is one");
    assert.equal(JSON.parse(asIs).meta, undefined);
    assert.equal(event.frame(1, superjsonCodec, undefined), withMeta);
    assert.equal(event.frame(1, plain, undefined), asIs);
  });

  await t.step("a schema checks the event: what it strips is not sent", () => {
    const event = new TopicEvent("e:4", { text: "hi", secret: "no" });
    const frame = event.frame(1, superjsonCodec, message)!;
    assert.deepEqual(JSON.parse(frame).params.data, { text: "hi" });
    assert.equal(event.frame(1, superjsonCodec, message), frame);
    // Without the schema, the event as it was published.
    assert.deepEqual(JSON.parse(event.frame(1, superjsonCodec, undefined)!).params.data, {
      text: "hi",
      secret: "no",
    });
  });

  await t.step(
    "an event that fails its schema throws for every subscriber, not only the first",
    () => {
      const event = new TopicEvent("e:5", { text: 42 });
      for (const id of [1, 1, 2]) {
        assert.throws(() => event.frame(id, superjsonCodec, message), RpcError);
      }
    },
  );

  await t.step("an asynchronous schema leaves the event to be checked the slow way", () => {
    const slow = message.refine(async () => await Promise.resolve(true));
    const event = new TopicEvent("e:6", { text: "hi" });
    assert.equal(event.frame(1, superjsonCodec, slow), undefined);
    assert.equal(event.frame(1, superjsonCodec, slow), undefined);
  });
});
