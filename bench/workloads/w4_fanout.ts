/** W4: fan-out to many subscribed connections; deliveries/s. @module */

import type { Connection, Payload, SystemDriver } from "./system_driver.ts";
import { checkEvent } from "./check.ts";
import type { W4Params, W4Result } from "../harness/protocol.ts";
import { perSecond, sleep, withTimeout } from "../harness/stats.ts";
import { closeAll, openMany } from "./open_many.ts";

/** Counts one round of deliveries, per connection and in total. */
class Round {
  readonly #received: Uint32Array;
  readonly #target: number;
  #total = 0;
  #resolve: () => void = () => {};
  #reject: (error: unknown) => void = () => {};
  /** Resolves once every connection received every event of the round. */
  readonly done: Promise<void>;

  constructor(conns: number, publishes: number) {
    this.#received = new Uint32Array(conns);
    this.#target = conns * publishes;
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if (this.#target === 0) this.#resolve();
  }

  /** Records that connection `index` received `event`; rejects on a wrong one. */
  deliver(index: number, event: Payload): void {
    const seen = this.#received[index] ?? 0;
    try {
      checkEvent(event, seen);
    } catch (error) {
      this.#reject(error);
      return;
    }
    this.#received[index] = seen + 1;
    if (++this.#total === this.#target) this.#resolve();
  }
}

/** Publishes `publishes` events and waits until all were delivered; ms. */
async function publishRound(
  publisher: Connection,
  setRound: (round: Round) => void,
  conns: number,
  publishes: number,
  maxMs: number,
): Promise<number> {
  const round = new Round(conns, publishes);
  setRound(round);
  const start = performance.now();
  await withTimeout(
    Promise.all([publisher.publish(publishes), round.done]),
    maxMs,
    `fan-out of ${publishes} publishes to ${conns} connections`,
  );
  return performance.now() - start;
}

/**
 * The fan-out of W4 and W6: `params.conns` subscribed connections, spread
 * round-robin over `urls`, and a publisher connection to the first url that
 * asks for a warm-up round, then the measured round.
 */
export async function runFanOut(
  driver: SystemDriver,
  urls: readonly string[],
  params: W4Params,
): Promise<W4Result> {
  const first = urls[0];
  if (first === undefined) throw new Error("no server url");
  let round = new Round(params.conns, 0);
  const setRound = (next: Round): void => {
    round = next;
  };
  const subscribers: Connection[] = [];
  const opened = await withTimeout(
    Promise.all(urls.map((url, u) => {
      // Instance u gets subscribers u, u + n, u + 2n, ... (indices into the round).
      const indices = Array.from(
        { length: Math.ceil((params.conns - u) / urls.length) },
        (_, k) => u + k * urls.length,
      );
      return openMany(
        driver,
        url,
        indices.length,
        50,
        (conn, k) => conn.subscribe((event) => round.deliver(indices[k]!, event)),
      );
    })),
    params.maxMs,
    `subscribing ${params.conns} connections`,
  );
  for (const conns of opened) subscribers.push(...conns);
  const publisher = await driver.connect(first);
  try {
    await sleep(params.settleMs);
    if (params.warmupPublishes > 0) {
      await publishRound(publisher, setRound, params.conns, params.warmupPublishes, params.maxMs);
    }
    const ms = await publishRound(
      publisher,
      setRound,
      params.conns,
      params.publishes,
      params.maxMs,
    );
    const deliveries = params.conns * params.publishes;
    return {
      conns: params.conns,
      publishes: params.publishes,
      deliveries,
      ms,
      deliveriesPerSec: perSecond(deliveries, ms),
    };
  } finally {
    await closeAll([publisher, ...subscribers]);
  }
}

/** Runs W4 against `url`. */
export function runW4(driver: SystemDriver, url: string, params: W4Params): Promise<W4Result> {
  return runFanOut(driver, [url], params);
}
