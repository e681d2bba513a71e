import assert from "node:assert/strict";
import { SendBuffer, type SendBufferLimits } from "./send_buffer.ts";

/** A socket whose peer reads only when the test says so. */
class FakeSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  send(text: string): void {
    this.sent.push(text);
    this.bufferedAmount += text.length;
  }
}

const LIMITS: SendBufferLimits = {
  sendBufferHighWater: 100,
  sendBufferMax: 1_000,
  slowConsumerTimeout: 10_000,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A buffer on a fake socket, and the reasons it gave up on the peer. */
function setup(limits: Partial<SendBufferLimits> = {}) {
  const socket = new FakeSocket();
  const slow: string[] = [];
  const buffer = new SendBuffer(socket, { ...LIMITS, ...limits }, {
    close: (_code: number, reason: string) => slow.push(reason),
  });
  return { socket, buffer, slow };
}

Deno.test("a peer above the high water is congested; at it, it is not", () => {
  const { socket, buffer } = setup();
  buffer.send("x".repeat(100));
  assert.equal(buffer.congested, false);
  buffer.send("x");
  assert.equal(buffer.congested, true);
  socket.bufferedAmount = 100; // the peer read one byte
  assert.equal(buffer.congested, false);
  buffer.dispose();
});

Deno.test("the socket's buffered amount is read only once what was sent could pass the high water", () => {
  let reads = 0;
  const socket = {
    readyState: 1,
    held: 0,
    peerReads: false,
    get bufferedAmount() {
      reads++;
      return this.held;
    },
    send(text: string) {
      if (!this.peerReads) this.held += text.length;
    },
  };
  const buffer = new SendBuffer(socket, { ...LIMITS, sendBufferHighWater: 1_000 }, { close() {} });
  for (let i = 0; i < 22; i++) buffer.send("0123456789"); // at most 22 × (30 + 14) bytes held
  assert.equal(reads, 0, "22 frames can't hold more than the high water");
  buffer.send("0123456789");
  assert.equal(reads, 1, "the 23rd could");
  socket.held = 0; // the peer reads everything, at once
  socket.peerReads = true;
  for (let i = 0; i < 100; i++) buffer.send("0123456789");
  assert.equal(buffer.congested, false);
  assert.ok(reads <= 6, `${reads} reads for 123 small frames`);
  buffer.dispose();
});

Deno.test("a waiter resumes once the peer has read down to half the high water", async () => {
  const { socket, buffer } = setup();
  buffer.send("x".repeat(150));
  let resumed = false;
  const waiting = buffer.whenDrained(new AbortController().signal).then(() => resumed = true);
  socket.bufferedAmount = 80; // below the high water, not yet half of it
  await sleep(30);
  assert.equal(resumed, false);
  socket.bufferedAmount = 50;
  await waiting;
  assert.equal(buffer.congested, false);
  buffer.dispose();
});

Deno.test("a waiter resumes when its signal fires, or when the buffer is disposed", async () => {
  const { buffer } = setup();
  buffer.send("x".repeat(150));
  const controller = new AbortController();
  const aborted = buffer.whenDrained(controller.signal);
  const disposed = buffer.whenDrained(new AbortController().signal);
  controller.abort();
  await aborted;
  buffer.dispose();
  await disposed;
  let waited = true;
  void buffer.whenDrained(new AbortController().signal).then(() => waited = false);
  await Promise.resolve();
  assert.equal(waited, false, "a disposed buffer makes no one wait");
});

Deno.test("more than sendBufferMax unread gives up on the peer at once, and sends nothing more", () => {
  const { socket, buffer, slow } = setup();
  buffer.send("x".repeat(1_001));
  assert.deepEqual(slow, ["The client fell 1000 bytes behind"]);
  buffer.send("more");
  assert.equal(socket.sent.length, 1);
});

Deno.test("a peer that stays above the high water past slowConsumerTimeout is given up on", async () => {
  const { buffer, slow } = setup({ slowConsumerTimeout: 30 });
  buffer.send("x".repeat(150));
  await buffer.whenDrained(new AbortController().signal);
  assert.deepEqual(slow, ["The client did not catch up within 30 ms"]);
});

Deno.test("a peer that catches up in time is not given up on", async () => {
  const { socket, buffer, slow } = setup({ slowConsumerTimeout: 200 });
  buffer.send("x".repeat(150));
  const waiting = buffer.whenDrained(new AbortController().signal);
  await sleep(20);
  socket.bufferedAmount = 0;
  await waiting;
  await sleep(250);
  assert.deepEqual(slow, []);
  buffer.dispose();
});

Deno.test("nothing is sent on a socket that is not open", () => {
  const { socket, buffer } = setup();
  socket.readyState = 0;
  buffer.send("early");
  socket.readyState = 2;
  buffer.send("late");
  assert.deepEqual(socket.sent, []);
});
