/**
 * The client reads a subscription's event without parsing its envelope,
 * when the frame is laid out as wsrpc's server writes it
 * (client/parse_frame.ts). A real server and client on 127.0.0.1:
 * if the server's layout changes, the client still works (it parses the
 * frame whole), but this test says that the fast path was lost.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { procedure, router, subscription } from "../mod.ts";
import { createHandler, createTopics } from "../server/mod.ts";
import { createClient } from "../client/mod.ts";
import { serve } from "./_server.ts";

const Note = z.object({ text: z.string(), at: z.date() });

const api = router({
  echo: procedure({
    input: z.object({ text: z.string() }),
    output: z.object({ text: z.string() }),
  }),
  stamp: procedure({ input: z.string(), output: Note }),
  count: subscription({ input: z.number().int(), output: z.number() }),
  notes: subscription({ output: Note }),
  post: procedure({ input: z.string(), output: z.string() }),
});

/** The texts given to JSON.parse while `run` runs. */
async function parsedDuring(run: () => Promise<void>): Promise<string[]> {
  const parse = JSON.parse;
  const parsed: string[] = [];
  JSON.parse = (text: string, reviver?: Parameters<typeof parse>[1]) => {
    parsed.push(text);
    return parse(text, reviver);
  };
  try {
    await run();
  } finally {
    JSON.parse = parse;
  }
  return parsed;
}

Deno.test("the client reads events without parsing their envelope", async () => {
  const topics = createTopics();
  const notes = topics.topic<z.infer<typeof Note>>("notes");
  const rpc = createHandler(api, {
    handlers: {
      echo: ({ input }) => input,
      stamp: ({ input }) => ({ text: input, at: new Date(Date.UTC(2026, 11, 2)) }),
      count: async function* ({ input }) {
        for (let i = 1; i <= input; i++) yield i;
      },
      notes: ({ lastEventId, signal }) => notes.subscribe("all", { lastEventId, signal }),
      post: ({ input }) => notes.publish("all", { text: input, at: new Date(0) }),
    },
  });
  await using server = serve(rpc);
  const client = createClient(api, { url: server.url });
  try {
    const counted: number[] = [];
    const heard: string[] = [];
    const parsed = await parsedDuring(async () => {
      // Results: plain, and with a Date (meta).
      assert.deepEqual(await client.echo({ text: "hi" }), { text: "hi" });
      const stamped = await client.stamp("now");
      assert.ok(stamped.at instanceof Date);
      assert.equal(stamped.at.toISOString(), "2026-12-02T00:00:00.000Z");
      // Events without a position (a generator), and with one (a topic), with a Date.
      for await (const n of client.count(3)) counted.push(n);
      const stream = client.notes();
      await stream.started;
      const iterator = stream[Symbol.asyncIterator]();
      await client.post("first");
      await client.post("second");
      for (let i = 0; i < 2; i++) {
        const { value } = await iterator.next();
        assert.ok(value?.at instanceof Date);
        heard.push(value.text);
      }
      await iterator.return?.();
    });
    assert.deepEqual(counted, [1, 2, 3]);
    assert.deepEqual(heard, ["first", "second"]);

    // Results are parsed whole; of an event, the client parsed only the event and its meta.
    const whole = parsed.filter((text) => text.startsWith('{"jsonrpc":"2.0","method":"rpc.data"'));
    assert.deepEqual(whole, [], "events the client parsed whole");
    assert.ok(
      parsed.includes('{"text":"first","at":"1970-01-01T00:00:00.000Z"}'),
      "an event alone",
    );
    assert.ok(parsed.includes('{"values":{"data.at":["Date"]},"v":1}'), "and its meta");
  } finally {
    client.close();
    await topics.close();
  }
});
