/**
 * Hostile input: each frame gets the right error or close, nothing crashes,
 * and no prototype is touched.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as z from "zod";
import { ErrorCode, procedure, router, subscription } from "../mod.ts";
import { CloseCode } from "../protocol.ts";
import { createHandler } from "../server/mod.ts";
import { RawSocket, serve } from "./_server.ts";
import { Opcode, TcpWebSocket } from "./_tcp.ts";
import { waitFor } from "./_wait.ts";

const api = router({
  echo: procedure({ input: z.unknown(), output: z.unknown() }),
  record: procedure({ input: z.record(z.string(), z.unknown()), output: z.array(z.string()) }),
  when: procedure({ input: z.date(), output: z.date() }),
  count: procedure({ input: z.number(), output: z.number() }),
  slow: procedure({ input: z.number(), output: z.number() }),
  ticks: subscription({ output: z.number() }),
});

/** The own properties of the built-in prototypes, to see that nothing was added. */
function prototypeSnapshot(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((proto) => Reflect.ownKeys(proto).map(String).sort().join(","))
    .join("|");
}

const pristine = prototypeSnapshot();

function assertPrototypesUntouched(): void {
  assert.equal(prototypeSnapshot(), pristine);
  const probe: Record<string, unknown> = {};
  for (const key of ["polluted", "x", "isAdmin"]) assert.equal(probe[key], undefined);
}

function startServer() {
  const seen: unknown[] = [];
  const rpc = createHandler(api, {
    onError: () => {},
    handlers: {
      echo: ({ input }) => {
        seen.push(input);
        return input;
      },
      record: ({ input }) => {
        seen.push(input);
        return Object.keys(input);
      },
      when: ({ input }) => input,
      count: ({ input }) => input,
      slow: ({ input }) => new Promise((resolve) => setTimeout(() => resolve(input), 50)),
      ticks: async function* ({ signal }) {
        let n = 0;
        while (!signal.aborted) {
          yield n++;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      },
    },
  });
  return { server: serve(rpc), rpc, seen };
}

type Reply = { id: unknown; result?: unknown; error?: { code: number; message: string } };

const codeOf = (reply: unknown): number | undefined => (reply as Reply).error?.code;

Deno.test("hostile superjson meta is invalid params, and pollutes nothing", async (t) => {
  const { server } = startServer();
  await using socket = await RawSocket.open(server.url);
  const send = (params: unknown, meta: unknown, id: number) =>
    socket.request({ jsonrpc: "2.0", id, method: "echo", params, meta });

  const hostile: Array<[string, unknown]> = [
    ["a __proto__ path in values", { values: { "__proto__.polluted": ["undefined"] } }],
    ["a constructor.prototype path", { values: { "constructor.prototype.x": ["Date"] } }],
    ["a prototype path", { values: { "prototype": ["Date"] } }],
    [
      "a __proto__ key in the tree",
      JSON.parse('{"values":{"__proto__":{"polluted":["undefined"]}}}'),
    ],
    ["an escaped __proto__ path", { values: { "a\\.b.__proto__": ["Date"] } }],
    ["an unknown type", { values: { "0": ["nonsense"] } }],
    ["a string where children go (a stack overflow in superjson)", { values: ["map", "x"] }],
    ["a composite type written flat", { values: { "0": ["class", "x"] } }],
    ["an unregistered class", { values: { "0": [["class", "Admin"]] } }],
    ["a version that is not a number", { values: { "0": ["Date"] }, v: "1" }],
    ["values that are a string", { values: "Date" }],
    ["an empty annotation", { values: { "0": [] } }],
  ];
  let id = 0;
  for (const [name, meta] of hostile) {
    await t.step(name, async () => {
      const started = performance.now();
      const reply = await send([{ a: 1 }], meta, ++id);
      assert.equal(codeOf(reply), ErrorCode.InvalidParams, JSON.stringify(reply));
      assert.ok(performance.now() - started < 50, "answered at once, without a stack overflow");
      assertPrototypesUntouched();
    });
  }

  await t.step("referentialEqualities can't make a cycle or a doubling graph", async () => {
    // Each level's `b` would become its `a`: 2^30 paths for a walker to follow.
    let json: Record<string, unknown> = { a: null, b: null };
    const equalities: Record<string, string[]> = {};
    let path = "";
    for (let level = 0; level < 30; level++) {
      json = { a: json, b: null };
      equalities[path + "a"] = [path + "b"];
      path += "a.";
    }
    equalities["a"] = ["a.a.a.b"]; // and a cycle
    const started = performance.now();
    const reply = await send(json, { referentialEqualities: equalities }, 99) as Reply;
    assert.ok(performance.now() - started < 1000);
    assert.deepEqual(reply.result, json, "the equalities were ignored");
    assertPrototypesUntouched();
  });
});

Deno.test('"__proto__", "constructor" and "prototype" keys in JSON params stay plain data', async () => {
  const { server, seen } = startServer();
  await using socket = await RawSocket.open(server.url);
  const frame = '{"jsonrpc":"2.0","id":1,"method":"record","params":' +
    '{"__proto__":{"polluted":1,"isAdmin":true},"constructor":{"prototype":{"x":1}},"ok":1}}';
  const reply = await socket.request(frame) as Reply;
  assert.ok(Array.isArray(reply.result), JSON.stringify(reply));
  const input = seen.at(-1) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(input), Object.prototype);
  assert.equal(input.isAdmin, undefined);
  const echoed = await socket.request(
    '{"jsonrpc":"2.0","id":2,"method":"echo","params":{"__proto__":{"isAdmin":true}}}',
  ) as Reply;
  assert.equal((echoed.result as Record<string, unknown>).isAdmin, undefined);
  assertPrototypesUntouched();
});

Deno.test("request ids of every kind are answered as the protocol says", async (t) => {
  const { server } = startServer();
  await using socket = await RawSocket.open(server.url);
  const idError = {
    code: ErrorCode.InvalidRequest,
    message: 'The "id" member must be a string, a number or null',
  };

  await t.step('{"id":null} is a request answered with id null', async () => {
    assert.deepEqual(
      await socket.request('{"jsonrpc":"2.0","id":null,"method":"count","params":[1]}'),
      { jsonrpc: "2.0", id: null, result: 1 },
    );
    assert.deepEqual(await socket.request('{"id":null}'), {
      jsonrpc: "2.0",
      id: null,
      error: { code: ErrorCode.InvalidRequest, message: 'The "jsonrpc" member must be "2.0"' },
    });
  });

  for (const id of ["{}", "[]", "true", "1e400", "-1e400", '{"__proto__":1}']) {
    await t.step(`an id of ${id} is an invalid request, answered with id null`, async () => {
      const reply = await socket.request(
        `{"jsonrpc":"2.0","id":${id},"method":"count","params":[1]}`,
      );
      assert.deepEqual(reply, { jsonrpc: "2.0", id: null, error: idError });
    });
  }

  await t.step("odd but valid ids keep their value", async () => {
    for (const id of [0, -1, 1.5, 2 ** 53 + 2, "", "x".repeat(1000), "__proto__", "constructor"]) {
      const reply = await socket.request({ jsonrpc: "2.0", id, method: "count", params: [7] });
      assert.deepEqual(reply, { jsonrpc: "2.0", id, result: 7 });
    }
  });

  await t.step("a duplicate id of a running call is refused; the first still answers", async () => {
    socket.send({ jsonrpc: "2.0", id: "dup", method: "slow", params: [1] });
    assert.deepEqual(
      await socket.request({ jsonrpc: "2.0", id: "dup", method: "count", params: [2] }),
      {
        jsonrpc: "2.0",
        id: "dup",
        error: { code: ErrorCode.InvalidRequest, message: "Request id dup is already in use" },
      },
    );
    assert.deepEqual(await socket.next(), { jsonrpc: "2.0", id: "dup", result: 1 });
  });

  await t.step("a duplicate id inside one batch is refused too", async () => {
    const replies = await socket.request([
      { jsonrpc: "2.0", id: 5, method: "slow", params: [5] },
      { jsonrpc: "2.0", id: 5, method: "slow", params: [6] },
    ]) as Reply[];
    assert.deepEqual(replies.map(codeOf), [undefined, ErrorCode.InvalidRequest]);
  });

  await t.step("a long id is cut short in the error message", async () => {
    const id = "i".repeat(5000);
    socket.send({ jsonrpc: "2.0", id, method: "slow", params: [1] });
    const reply = await socket.request({
      jsonrpc: "2.0",
      id,
      method: "count",
      params: [1],
    }) as Reply;
    assert.equal(reply.id, id);
    assert.ok((reply.error?.message.length ?? 0) < 200);
    await socket.next();
  });
});

Deno.test("huge numbers and odd values are checked by the schema, not trusted", async () => {
  const { server } = startServer();
  await using socket = await RawSocket.open(server.url);
  for (const number of ["1e400", "-1e400", "1e-400", "123456789012345678901234567890"]) {
    const reply = await socket.request(
      `{"jsonrpc":"2.0","id":1,"method":"count","params":[${number}]}`,
    );
    const expected = JSON.parse(number);
    if (Number.isFinite(expected)) {
      assert.deepEqual(reply, { jsonrpc: "2.0", id: 1, result: expected });
    } else assert.equal(codeOf(reply), ErrorCode.InvalidParams);
  }
  const bigint = await socket.request({
    jsonrpc: "2.0",
    id: 2,
    method: "when",
    params: ["not a date"],
    meta: { values: { "0": ["Date"] } },
  });
  assert.equal(codeOf(bigint), ErrorCode.InvalidParams);
  for (
    const method of ["__proto__", "constructor", "toString", "hasOwnProperty", "rpc.__proto__"]
  ) {
    assert.equal(
      codeOf(await socket.request({ jsonrpc: "2.0", id: 3, method })),
      ErrorCode.MethodNotFound,
    );
  }
  assertPrototypesUntouched();
});

Deno.test("very deep nesting is refused cheaply, even where the parser would cope", async () => {
  const { server } = startServer();
  await using socket = await RawSocket.open(server.url);
  const depth = 100_000;
  const started = performance.now();
  const deepParams = `{"jsonrpc":"2.0","id":1,"method":"echo","params":${"[".repeat(depth)}${
    "]".repeat(depth)
  }}`;
  assert.equal(codeOf(await socket.request(deepParams)), ErrorCode.InvalidRequest);
  const deepMeta = `{"jsonrpc":"2.0","id":2,"method":"echo","params":[1],"meta":${
    '{"a":'.repeat(depth)
  }1${"}".repeat(depth)}}`;
  assert.equal(codeOf(await socket.request(deepMeta)), ErrorCode.InvalidRequest);
  const unclosed = "[".repeat(depth);
  assert.equal(codeOf(await socket.request(unclosed)), ErrorCode.InvalidRequest);
  assert.ok(performance.now() - started < 2000);
  assert.deepEqual(await socket.request({ jsonrpc: "2.0", id: 3, method: "count", params: [3] }), {
    jsonrpc: "2.0",
    id: 3,
    result: 3,
  });
});

Deno.test("frames that are not JSON-RPC text close only their own connection", async (t) => {
  const { server, rpc } = startServer();
  await using bystander = await RawSocket.open(server.url);

  await t.step("a binary frame: 1003", async () => {
    const socket = await RawSocket.open(server.url);
    socket.socket.send(new Uint8Array([0x7b, 0x7d]));
    assert.equal((await socket.closed).code, CloseCode.UnsupportedData);
  });

  await t.step("a text frame that is not UTF-8 ends that connection", async () => {
    using client = await TcpWebSocket.open(server.url);
    await client.send(Opcode.Text, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    const code = await client.readClose();
    // Deno checks UTF-8 itself and closes with 1007, or drops the connection.
    assert.ok(code === 1007 || code === undefined, `closed with ${code}`);
  });

  await t.step("garbage text of every kind gets an error reply, not a crash", async () => {
    await using socket = await RawSocket.open(server.url);
    for (
      const text of ["", " ", "null", "0", '"x"', "{", "}", "[[]]", "[null]", "\u0000", "\ud800"]
    ) {
      const reply = await socket.request(text);
      const codes = Array.isArray(reply) ? reply.map(codeOf) : [codeOf(reply)];
      for (const code of codes) {
        assert.ok(
          code === ErrorCode.ParseError || code === ErrorCode.InvalidRequest,
          `${JSON.stringify(text)} got ${JSON.stringify(reply)}`,
        );
      }
    }
  });

  await t.step("the other connection never noticed", async () => {
    assert.deepEqual(
      await bystander.request({ jsonrpc: "2.0", id: 1, method: "count", params: [1] }),
      {
        jsonrpc: "2.0",
        id: 1,
        result: 1,
      },
    );
  });

  await bystander.close();
  await waitFor(() => rpc.connections === 0, "every connection to be let go");
  assertPrototypesUntouched();
  await server.close();
});
