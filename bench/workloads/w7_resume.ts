/**
 * W7: a resume storm. The driver publishes `history` events to the fan-out
 * topic, reports the "primed" phase, then opens `clients` connections at once,
 * each resuming the topic from the position `behind` events before the newest
 * (as clients do when they reconnect after a blip), and waits until every
 * one has the newest event, checking that each gets exactly the events after
 * its position, in order. It reports the "caught-up" phase before closing,
 * so the orchestrator can count what the storm cost the server's Redis.
 *
 * @module
 */

import type { Payload, ResumedConnection, SystemDriver } from "./system_driver.ts";
import type { W7Params, W7Result } from "../harness/protocol.ts";
import { percentile, withTimeout } from "../harness/stats.ts";
import type { PhaseGate } from "./w5_idle.ts";

/** `epoch:offset`, as topics write a position. */
function parsePosition(id: string): { epoch: string; offset: number } {
  const colon = id.lastIndexOf(":");
  const offset = Number(id.slice(colon + 1));
  if (colon <= 0 || !Number.isSafeInteger(offset)) throw new Error(`not a position: ${id}`);
  return { epoch: id.slice(0, colon), offset };
}

/** Checks one client's events: the offsets after its position, in order, and their payloads. */
class Follower {
  readonly #epoch: string;
  readonly #top: number;
  #next: number;
  #firstA: number | undefined;
  #count = 0;

  constructor(epoch: string, from: number, top: number) {
    this.#epoch = epoch;
    this.#next = from + 1;
    this.#top = top;
  }

  /** Takes one event; true once it was the newest. Throws on a wrong one. */
  take(id: string, event: Payload): boolean {
    const expected = `${this.#epoch}:${this.#next}`;
    if (id !== expected) throw new Error(`got the event at ${id}, expected ${expected}`);
    this.#firstA ??= event.a;
    if (event.a !== this.#firstA + this.#count) {
      throw new Error(`event ${id} came as ${JSON.stringify(event)}`);
    }
    this.#count++;
    return this.#next++ === this.#top;
  }
}

/** Runs W7 against `url`, calling `gate` at each phase. */
export async function runW7(
  driver: SystemDriver,
  url: string,
  params: W7Params,
  gate: PhaseGate,
): Promise<W7Result> {
  const resume = driver.resume;
  if (resume === undefined) throw new Error("this system has no resumable fan-out topic");
  if (params.behind > params.history) {
    throw new Error("W7 can't be further behind than its history");
  }
  const newest = await withTimeout(
    resume.prime(url, params.history),
    params.maxMs,
    `publishing ${params.history} events`,
  );
  const { epoch, offset: top } = parsePosition(newest);
  const from = top - params.behind;
  const lastEventId = `${epoch}:${from}`;
  await gate("primed", 0);

  const conns: ResumedConnection[] = [];
  const caughtUp = new Float64Array(params.clients);
  let left = params.clients;
  const all = Promise.withResolvers<void>();
  const fail = (client: number, error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    all.reject(new Error(`client ${client}: ${message}`));
  };
  try {
    const start = performance.now();
    const opening = Promise.all(Array.from({ length: params.clients }, async (_, client) => {
      const follower = new Follower(epoch, from, top);
      let done = false;
      const conn = await resume.resume(
        url,
        lastEventId,
        (id, event) => {
          try {
            if (!follower.take(id, event)) return;
          } catch (error) {
            fail(client, error);
            return;
          }
          done = true;
          caughtUp[client] = performance.now() - start;
          if (--left === 0) all.resolve();
        },
        (error) => {
          if (!done) fail(client, error);
        },
      );
      conns.push(conn);
    }));
    await withTimeout(opening, params.maxMs, `opening ${params.clients} connections`);
    const connectMs = performance.now() - start;
    await withTimeout(
      all.promise,
      params.maxMs,
      `${params.clients} clients catching up on ${params.behind} events`,
    );
    const ms = performance.now() - start;
    await gate("caught-up", conns.length);
    const sorted = caughtUp.sort();
    return {
      clients: params.clients,
      behind: params.behind,
      ms,
      connectMs,
      clientP50Ms: percentile(sorted, 50),
      clientMaxMs: percentile(sorted, 100),
    };
  } finally {
    all.promise.catch(() => {});
    for (const conn of conns) conn.close();
  }
}
