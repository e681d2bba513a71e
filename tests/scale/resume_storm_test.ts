/**
 * A reconnect storm: a thousand connections resume one topic key from one
 * position on one instance, and that instance reads the history from Redis
 * once, not once per connection (counted with `INFO commandstats`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { needsRedis, RedisServer } from "../_redis.ts";
import { sleep } from "../_wait.ts";
import { epochOf, feedClient, offsetOf, range } from "./_feed.ts";
import { Instance } from "./_instances.ts";

const CONNECTIONS = 1_000;
const BEHIND = 100;
const BATCH = 100;
const KEY = "storm";

/** One raw connection that resumes `feed.events` and checks each event as it comes. */
class Resumer {
  readonly socket: WebSocket;
  readonly closed: Promise<void>;
  /** The positions it expects, in order. */
  readonly #expected: readonly string[];
  heard = 0;
  /** What went wrong, if anything: an unexpected frame, an event out of order. */
  problem: string | undefined;

  private constructor(socket: WebSocket, expected: readonly string[]) {
    this.socket = socket;
    this.#expected = expected;
    this.closed = new Promise((resolve) => socket.addEventListener("close", () => resolve()));
    socket.onmessage = (event) => this.#receive(String(event.data));
  }

  /** Opens a connection and sends the resuming subscription. */
  static async open(url: string, lastEventId: string, expected: string[]): Promise<Resumer> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error(`Could not connect to ${url}`));
    });
    const resumer = new Resumer(socket, expected);
    socket.send(JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "feed.events",
      params: { key: KEY },
      lastEventId,
    }));
    return resumer;
  }

  #receive(text: string): void {
    const frame = JSON.parse(text);
    if (frame.id === 1 && frame.result?.subscription === 1) return; // the acknowledgement
    const expected = this.#expected[this.heard];
    if (frame.method === "rpc.data" && frame.params?.id === expected) {
      this.heard++;
      return;
    }
    this.problem ??= `after ${this.heard} events, expected ${expected}, got ${text.slice(0, 200)}`;
  }

  async close(): Promise<void> {
    if (this.socket.readyState < WebSocket.CLOSING) this.socket.close();
    await this.closed;
  }
}

Deno.test(needsRedis({
  name: `${CONNECTIONS} connections resuming one key from one position cost one history read`,
  async fn() {
    await using redis = await RedisServer.start({ appendOnly: false });
    await using instance = await Instance.start({ redis: redis.url });
    const publisher = feedClient(instance.url);
    const resumers: Resumer[] = [];
    try {
      const from = await publisher.feed.publish({ key: KEY, seq: 0 });
      const missed: string[] = [];
      for (const seq of range(1, BEHIND + 1)) {
        missed.push(await publisher.feed.publish({ key: KEY, seq }));
      }
      assert.equal(offsetOf(missed.at(-1)!), offsetOf(from) + BEHIND);
      assert.ok(missed.every((position) => epochOf(position) === epochOf(from)));
      await redis.resetStats();

      const start = Date.now();
      for (let opened = 0; opened < CONNECTIONS; opened += BATCH) {
        const batch = range(Math.min(BATCH, CONNECTIONS - opened));
        resumers.push(
          ...await Promise.all(batch.map(() => Resumer.open(instance.url, from, missed))),
        );
      }
      const deadline = Date.now() + 20_000;
      while (resumers.some((r) => r.heard < BEHIND && r.problem === undefined)) {
        if (Date.now() > deadline) break;
        await sleep(20);
      }
      const caughtUp = Date.now() - start;
      await sleep(200); // anything more would be a repeat

      const problems = resumers.flatMap((r) => r.problem === undefined ? [] : [r.problem]);
      assert.deepEqual(problems.slice(0, 3), [], `${problems.length} connections went wrong`);
      const short = resumers.filter((r) => r.heard !== BEHIND).length;
      assert.equal(short, 0, `${short} connections did not get exactly ${BEHIND} events`);

      // One READ script (EVALSHA, or EVAL if Redis had forgotten it), and within
      // it the two XRANGEs of one read: the oldest entry, then the page.
      // Commands run by a script are counted too. A read per connection
      // would show 1,000 and 2,000; no XREVRANGE: no one asked for the newest.
      const counts = await redis.commandCounts();
      const reads = (counts.get("evalsha") ?? 0) + (counts.get("eval") ?? 0);
      assert.equal(reads, 1, `history read ${reads} times: ${JSON.stringify([...counts])}`);
      assert.equal(counts.get("xrange"), 2);
      assert.equal(counts.get("xrevrange"), undefined);
      assert.equal(counts.get("subscribe"), 1, "one SUBSCRIBE for the key, not one per client");
      assert.equal((await publisher.stats()).subscribers, CONNECTIONS);
      console.log(`${CONNECTIONS} resumes of ${BEHIND} events caught up in ${caughtUp} ms`);
    } finally {
      await Promise.all(resumers.map((r) => r.close()));
      publisher.close();
    }
    await instance.stop();
  },
}));
