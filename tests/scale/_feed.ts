/**
 * The client side of the scale tests: clients of `tests/apps/topic_server.ts`,
 * subscribers that record everything they hear, and the checks on what they
 * heard.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type Client,
  type ClientOptions,
  createClient,
  type RpcError,
  type SubscriptionGap,
  type Unsubscribable,
} from "../../client/mod.ts";
import { api } from "../apps/topic_server.ts";
import { sleep } from "../_wait.ts";

/** A client of the topic server. */
export type FeedClient = Client<typeof api>;

/** The `seq` of warm-up events, published until every subscriber is live. */
export const WARM_UP = -1;

/**
 * A client of the topic server that reconnects quickly and gives up on a
 * call after 5 s (a call that hangs is a failure, not a slow test).
 *
 * @param url One instance's URL, or a list to fail over along.
 */
export function feedClient(url: ClientOptions["url"]): FeedClient {
  return createClient(api, {
    url,
    reconnect: { baseDelay: 20, maxDelay: 100 },
    timeout: 5_000,
  });
}

/** What a subscriber heard: an event's `seq`, or a gap. */
export type Heard = { seq: number } | { gap: SubscriptionGap };

/** One subscription to a key of the `feed` topic, recording what it hears, in order. */
export class Follower implements Unsubscribable {
  /** Events and gaps, in the order they arrived. */
  readonly heard: Heard[] = [];
  /** The error that ended the subscription, if one did. */
  error: RpcError | undefined;
  /** Whether the server ended the subscription. */
  completed = false;
  readonly #handle: Unsubscribable;

  /**
   * Subscribes at once.
   *
   * @param client The client to subscribe with.
   * @param key The topic key.
   */
  constructor(client: FeedClient, key: string) {
    this.#handle = client.feed.events({ key }).subscribe({
      onData: (event) => this.heard.push({ seq: event.seq }),
      onGap: (gap) => this.heard.push({ gap }),
      onError: (error) => this.error = error,
      onComplete: () => this.completed = true,
    });
  }

  /** The `seq` of every event heard but the warm-ups. */
  get seqs(): number[] {
    return this.heard.flatMap((entry) =>
      "seq" in entry && entry.seq !== WARM_UP ? [entry.seq] : []
    );
  }

  /** The gaps heard. */
  get gaps(): SubscriptionGap[] {
    return this.heard.flatMap((entry) => "gap" in entry ? [entry.gap] : []);
  }

  /** How many events it heard, warm-ups included. */
  get events(): number {
    return this.heard.filter((entry) => "seq" in entry).length;
  }

  unsubscribe(): void {
    this.#handle.unsubscribe();
  }
}

/**
 * Publishes warm-up events through `client` every 20 ms until each follower
 * has heard one. A new subscriber starts after the newest event at the moment
 * it subscribes; once it has heard an event it is live, and must miss nothing
 * published afterwards.
 */
export async function warmUp(
  client: FeedClient,
  key: string,
  followers: readonly Follower[],
): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (followers.some((follower) => follower.events === 0)) {
    const failed = followers.find((follower) => follower.error !== undefined);
    if (failed !== undefined) throw failed.error;
    if (Date.now() > deadline) throw new Error("A subscriber heard no warm-up event in 10 s");
    await client.feed.publish({ key, seq: WARM_UP });
    await sleep(20);
  }
}

/** What was published to one key: each event's `seq` and position. */
export class Publications {
  readonly #positions = new Map<number, string>();

  /** Records one acknowledged publish. */
  record(seq: number, position: string): void {
    this.#positions.set(seq, position);
  }

  /** How many were acknowledged. */
  get size(): number {
    return this.#positions.size;
  }

  /**
   * The `seq`s in the order Redis gave them (by offset), which is the order
   * every subscriber must hear them in. Asserts that the offsets are
   * consecutive, in one epoch: no publish was lost or doubled on the way in.
   */
  order(): number[] {
    const entries = [...this.#positions].map(([seq, position]) => ({ seq, position }));
    assert.equal(new Set(entries.map(({ position }) => epochOf(position))).size, 1, "one epoch");
    entries.sort((x, y) => offsetOf(x.position) - offsetOf(y.position));
    const first = offsetOf(entries[0]?.position ?? "e:0");
    entries.forEach(({ position }, i) =>
      assert.equal(offsetOf(position), first + i, "consecutive offsets")
    );
    return entries.map(({ seq }) => seq);
  }
}

/**
 * Publishes `seqs` to `key` from `lanes` loops at once (`seq` goes to lane
 * `seq % lanes`), each pausing `pause` ms after each publish, so that
 * publishes overlap and their order is Redis's, as with many users.
 *
 * @returns What was published.
 * @throws {RpcError} The first publish that failed.
 */
export async function publishLanes(
  client: FeedClient,
  key: string,
  seqs: readonly number[],
  options: { lanes: number; pause: number },
): Promise<Publications> {
  const published = new Publications();
  await Promise.all(
    range(options.lanes).map(async (lane) => {
      for (const seq of seqs.filter((_, i) => i % options.lanes === lane)) {
        published.record(seq, await client.feed.publish({ key, seq }));
        if (options.pause > 0) await sleep(options.pause);
      }
    }),
  );
  return published;
}

/**
 * Asserts that a follower heard warm-ups, then exactly `expected`, in order,
 * each once, and nothing else: no gap, no error, no end.
 */
export function assertExactly(follower: Follower, expected: readonly number[], who: string): void {
  assert.equal(follower.error, undefined, `${who}: the subscription failed`);
  assert.equal(follower.completed, false, `${who}: the subscription ended`);
  assert.deepEqual(follower.gaps, [], `${who}: heard a gap`);
  const firstReal = follower.heard.findIndex((entry) => "seq" in entry && entry.seq !== WARM_UP);
  const lateWarmUps = follower.heard.slice(firstReal).filter((entry) =>
    "seq" in entry && entry.seq === WARM_UP
  );
  assert.equal(lateWarmUps.length, 0, `${who}: a warm-up event came after the real ones`);
  assertSequence(follower.seqs, expected, who);
}

/**
 * Asserts that `seqs` equals `expected`, and if not, says what went wrong
 * (lost, repeated, out of order) rather than printing two long arrays.
 */
export function assertSequence(seqs: readonly number[], expected: readonly number[], who: string) {
  if (seqs.length === expected.length && seqs.every((seq, i) => seq === expected[i])) return;
  const heard = new Set(seqs);
  const lost = expected.filter((seq) => !heard.has(seq));
  const repeated = seqs.filter((seq, i) => seqs.indexOf(seq) !== i);
  const wanted = new Set(expected);
  const unexpected = seqs.filter((seq) => !wanted.has(seq));
  const disorder = seqs.findIndex((seq, i) => i > 0 && seq < seqs[i - 1]!);
  assert.fail(
    `${who}: heard ${seqs.length} events, expected ${expected.length}; ` +
      `lost ${lost.length} ${JSON.stringify(lost.slice(0, 10))}, ` +
      `repeated ${repeated.length} ${JSON.stringify(repeated.slice(0, 10))}, ` +
      `unexpected ${JSON.stringify(unexpected.slice(0, 10))}, ` +
      `first out of order at index ${disorder}`,
  );
}

/** `[0, 1, …, n - 1]`, or `[from, …, to - 1]`. */
export function range(from: number, to?: number): number[] {
  const [start, end] = to === undefined ? [0, from] : [from, to];
  return Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
}

/**
 * Waits until every follower has heard `count` events past the warm-ups (or
 * failed), then a little longer, so that a repeat would be heard too; or
 * until nothing new has been heard for a second, so that a test that lost
 * events fails at once, on its assertions, which say what went wrong.
 */
export async function settle(followers: readonly Follower[], count: number): Promise<void> {
  const total = () => followers.reduce((sum, follower) => sum + follower.heard.length, 0);
  let last = total();
  let quietSince = Date.now();
  while (followers.some((f) => f.error === undefined && f.seqs.length < count)) {
    if (Date.now() - quietSince > 1_000) return;
    await sleep(10);
    if (total() !== last) [last, quietSince] = [total(), Date.now()];
  }
  await sleep(200);
}

/** The offset of a position `epoch:offset`. */
export function offsetOf(position: string): number {
  return Number(position.slice(position.indexOf(":") + 1));
}

/** The epoch of a position `epoch:offset`. */
export function epochOf(position: string): string {
  return position.slice(0, position.indexOf(":"));
}
