/**
 * The client driver both wsrpc systems share: one `createClient` per
 * connection, called as the README shows (`await` for calls, `for await` for
 * a stream, callbacks for the fan-out topic).
 *
 * @module
 */

import type { Connection, OnEvent, Payload, SystemDriver } from "../../workloads/system_driver.ts";
import type { ClientSubscription } from "@wsrpc/core/client";
import { isReady } from "./api.ts";

/** What the driver uses of a wsrpc client of the bench contract. */
export interface BenchClient<T extends Payload> {
  echo(input: T): Promise<T>;
  events(input: { n: number }): ClientSubscription<T>;
  fanout(): ClientSubscription<T>;
  publish(input: { count: number }): Promise<string>;
  ready(): Promise<void>;
  close(): void;
}

class WsrpcConnection<T extends Payload> implements Connection {
  readonly #client: BenchClient<T>;

  constructor(client: BenchClient<T>) {
    this.#client = client;
  }

  echo(payload: Payload): Promise<Payload> {
    // The workloads pass what the driver's `payload` made, so a T.
    return this.#client.echo(payload as T);
  }

  async events(n: number, onEvent: OnEvent): Promise<void> {
    for await (const event of this.#client.events({ n })) onEvent(event);
  }

  /** Resolves on the server's ready marker, which is not passed on. */
  subscribe(onEvent: OnEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      let ready = false;
      this.#client.fanout().subscribe({
        onData: (event) => {
          if (ready) onEvent(event);
          else if (isReady(event)) {
            ready = true;
            resolve();
          } else reject(new Error(`fan-out sent ${JSON.stringify(event)} before its marker`));
        },
        onError: (error) => {
          if (!ready) reject(error);
          else console.error("fan-out failed:", error);
        },
        onComplete: () => {
          if (!ready) reject(new Error("fan-out ended before its marker"));
        },
      });
    });
  }

  async publish(count: number): Promise<void> {
    await this.#client.publish({ count });
  }

  close(): void {
    this.#client.close();
  }
}

/**
 * A driver whose connections are clients made by `open`. A wsrpc client
 * connects on its first call; `connect` opens it with `ready()` instead, so
 * that opening is not counted in the first call.
 */
export function wsrpcDriver<T extends Payload>(
  open: (url: string) => BenchClient<T>,
  payload?: (i: number) => T,
): SystemDriver {
  const driver: SystemDriver = {
    async connect(url: string): Promise<Connection> {
      const client = open(url);
      await client.ready();
      return new WsrpcConnection(client);
    },
  };
  return payload === undefined ? driver : { ...driver, payload };
}
