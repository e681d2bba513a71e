import assert from "node:assert/strict";
import { superjsonCodec } from "../shared/codec.ts";
import { CloseCode } from "../shared/close_codes.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import type { Schema } from "../shared/standard_schema.ts";
import {
  contextWithin,
  Handshake,
  type HandshakeSetup,
  parseParams,
  refusalAnswer,
} from "./handshake.ts";

/** What a handshake reported: the context and held frames, or the refusal. */
type Outcome =
  | { ready: unknown; held: readonly string[] }
  | { code: number; reason: string };

/** A handshake whose outcome is a promise, and the errors it reported. */
function handshake(
  accept: HandshakeSetup["accept"],
  setup: Partial<HandshakeSetup> = {},
): { handshake: Handshake; outcome: Promise<Outcome>; reported: RpcError[] } {
  const reported: RpcError[] = [];
  const { promise, resolve } = Promise.withResolvers<Outcome>();
  const handshake = new Handshake({
    codec: superjsonCodec,
    accept,
    timeout: 1_000,
    maxDepth: 64,
    maxHeldBytes: 100,
    report: (error) => reported.push(error),
    ...setup,
  }, {
    ready: (ctx, held) => resolve({ ready: ctx, held }),
    refuse: (code, reason) => resolve({ code, reason }),
  });
  return { handshake, outcome: promise, reported };
}

/** A schema that wants a `token`, as a Standard Schema without a library. */
const NEEDS_TOKEN: Schema<unknown, { token: string }> = {
  "~standard": {
    version: 1,
    vendor: "test",
    validate: (value) =>
      typeof value === "object" && value !== null && "token" in value &&
        typeof value.token === "string"
        ? { value: { token: value.token } }
        : { issues: [{ message: "Required", path: ["token"] }] },
  },
};

const connect = (params: unknown) =>
  JSON.stringify({ jsonrpc: "2.0", method: "rpc.connect", params });

Deno.test("the context is made from rpc.connect, and frames sent meanwhile follow in order", async () => {
  const { handshake: h, outcome } = handshake(async (params) => {
    await Promise.resolve();
    return { user: (params as { token: string }).token };
  });
  h.receive(connect({ token: "ada" }));
  h.receive('{"jsonrpc":"2.0","id":1,"method":"a"}');
  h.receive('{"jsonrpc":"2.0","id":2,"method":"b"}');
  assert.deepEqual(await outcome, {
    ready: { user: "ada" },
    held: ['{"jsonrpc":"2.0","id":1,"method":"a"}', '{"jsonrpc":"2.0","id":2,"method":"b"}'],
  });
});

Deno.test("each refusal of the context closes with its code from the one table", async (t) => {
  const cases: Array<[string, () => unknown, number, string]> = [
    [
      "Unauthorized: 4401",
      () => {
        throw new RpcError(ErrorCode.Unauthorized, "Sign in first");
      },
      CloseCode.Unauthorized,
      "Sign in first",
    ],
    [
      "Forbidden: 4403",
      () => {
        throw new RpcError(ErrorCode.Forbidden, "Banned");
      },
      CloseCode.Forbidden,
      "Banned",
    ],
    [
      "an unexpected failure: 1011, saying nothing more",
      () => {
        throw new TypeError("db is down at 10.0.0.7");
      },
      CloseCode.InternalError,
      "Internal error",
    ],
    [
      "Timeout: 4408, so the client tries again",
      () => {
        throw new RpcError(ErrorCode.Timeout, "The session store did not answer");
      },
      CloseCode.HandshakeTimeout,
      "The session store did not answer",
    ],
    [
      "any other RpcError: 4400",
      () => {
        throw new RpcError(ErrorCode.NotFound, "No such tenant");
      },
      CloseCode.BadConnectionParams,
      "No such tenant",
    ],
    [
      "params that fail their schema: 4400 with the first issue",
      () => parseParams(NEEDS_TOKEN, {}),
      CloseCode.BadConnectionParams,
      "Invalid connection params: token: Required",
    ],
  ];
  for (const [name, accept, code, reason] of cases) {
    await t.step(name, async () => {
      const { handshake: h, outcome, reported } = handshake(accept);
      h.receive(connect({}));
      assert.deepEqual(await outcome, { code, reason });
      assert.equal(reported.length, 1, "the server hears why");
    });
  }
});

Deno.test("a first frame that is not the notification rpc.connect closes with 4400", async (t) => {
  const frames = [
    "not json",
    '{"jsonrpc":"2.0","id":1,"method":"hello"}',
    '{"jsonrpc":"2.0","id":1,"method":"rpc.connect","params":{}}',
    `${"[".repeat(100)}${"]".repeat(100)}`,
  ];
  for (const frame of frames) {
    await t.step(frame.slice(0, 50), async () => {
      const { handshake: h, outcome } = handshake(() => "never");
      h.receive(frame);
      assert.deepEqual(await outcome, {
        code: CloseCode.BadConnectionParams,
        reason: 'The first frame must be the notification "rpc.connect"',
      });
    });
  }
  await t.step("and meta that can't be applied says so", async () => {
    const { handshake: h, outcome } = handshake(() => "never");
    h.receive(JSON.stringify({
      jsonrpc: "2.0",
      method: "rpc.connect",
      params: { a: "x" },
      meta: { values: { a: ["no-such-type"] } },
    }));
    assert.deepEqual(await outcome, {
      code: CloseCode.BadConnectionParams,
      reason: "Invalid connection params: bad meta",
    });
  });
});

Deno.test("too much sent before the context is made closes with 4429", async () => {
  const { handshake: h, outcome } = handshake(() => new Promise(() => {}), { maxHeldBytes: 10 });
  h.receive(connect({}));
  h.receive("0123456789");
  h.receive("x");
  assert.deepEqual(await outcome, {
    code: CloseCode.TooManyRequests,
    reason: "Too much was sent before the handshake ended",
  });
  h.dispose();
});

Deno.test("no rpc.connect, or no context, within the deadline closes with 4408", async (t) => {
  await t.step("nothing came", async () => {
    const { outcome } = handshake(() => "never", { timeout: 10 });
    assert.deepEqual(await outcome, {
      code: CloseCode.HandshakeTimeout,
      reason: "No rpc.connect came within 10 ms",
    });
  });
  await t.step("the context was too slow", async () => {
    const { handshake: h, outcome } = handshake(() => new Promise(() => {}), { timeout: 10 });
    h.receive(connect({}));
    assert.deepEqual(await outcome, {
      code: CloseCode.HandshakeTimeout,
      reason: "The connection was not accepted within 10 ms",
    });
  });
});

Deno.test("a disposed handshake reports nothing more", async () => {
  let settled = false;
  const { handshake: h, outcome } = handshake(async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return "late";
  }, { timeout: 20 });
  void outcome.then(() => settled = true);
  h.receive(connect({}));
  h.dispose();
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(settled, false);
});

Deno.test("a context that refuses before the upgrade gets the HTTP status of the same table", async (t) => {
  const cases: Array<[RpcError | Error, number, string, number]> = [
    [
      new RpcError(ErrorCode.Unauthorized, "Sign in first"),
      401,
      "401 Sign in first\n",
      CloseCode.Unauthorized,
    ],
    [new RpcError(ErrorCode.Forbidden, "Banned"), 403, "403 Banned\n", CloseCode.Forbidden],
    [
      new RpcError(ErrorCode.InvalidParams, "Bad cookie"),
      400,
      "400 Bad cookie\n",
      CloseCode.BadConnectionParams,
    ],
    [
      new RpcError(ErrorCode.NotFound, "No such tenant"),
      400,
      "400 No such tenant\n",
      CloseCode.BadConnectionParams,
    ],
    [
      RpcError.from(new TypeError("db is down at 10.0.0.7")),
      500,
      "500 Internal error\n",
      CloseCode.InternalError,
    ],
    [
      new RpcError(ErrorCode.Timeout, "Too slow"),
      503,
      "503 Too slow\n",
      CloseCode.HandshakeTimeout,
    ],
  ];
  for (const [error, status, body, close] of cases) {
    await t.step(`${status}: ${error.message}`, () => {
      const answer = refusalAnswer(RpcError.from(error));
      assert.equal(answer.status, status);
      assert.equal(answer.body, body);
      assert.equal(answer.headers["retry-after"], status === 503 ? "5" : undefined);
      assert.equal(answer.close, close, "and the close code of the same row, once upgraded");
    });
  }
});

Deno.test("a context made before the upgrade must come within the deadline", async (t) => {
  await t.step("in time, it is the context", async () => {
    assert.equal(await contextWithin(Promise.resolve("ctx"), 50), "ctx");
  });
  await t.step("too late, it is a Timeout that names the deadline", async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const slow = new Promise((resolve) => timer = setTimeout(resolve, 200));
    await assert.rejects(contextWithin(slow, 10), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, ErrorCode.Timeout);
      assert.equal(error.message, "The context was not made within 10 ms");
      return true;
    });
    clearTimeout(timer);
  });
  await t.step("its own failure comes through as it is", async () => {
    const refused = new RpcError(ErrorCode.Forbidden, "Banned");
    await assert.rejects(contextWithin(Promise.reject(refused), 50), refused);
  });
});
