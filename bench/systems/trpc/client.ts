/**
 * The tRPC v11 client driver: one `createWSClient` + `wsLink` client per
 * connection, default settings (so its link waits a timer tick before it
 * sends, batching what was queued in that tick). Runs on Deno, whose global
 * WebSocket the ws link uses.
 *
 * @module
 */

import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import type { Connection, OnEvent, Payload, SystemDriver } from "../../workloads/system_driver.ts";
import { runDriver } from "../../workloads/run_driver.ts";
import type { AppRouter } from "./router.ts";

type WsClient = ReturnType<typeof createWSClient>;
type Client = ReturnType<typeof createTRPCClient<AppRouter>>;

class TrpcConnection implements Connection {
  readonly #ws: WsClient;
  readonly #client: Client;

  constructor(ws: WsClient) {
    this.#ws = ws;
    this.#client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
  }

  echo(payload: Payload): Promise<Payload> {
    return this.#client.echo.query(payload);
  }

  events(n: number, onEvent: OnEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      let received = 0;
      const subscription = this.#client.events.subscribe({ n }, {
        onData: (event) => {
          onEvent(event);
          if (++received === n) {
            subscription.unsubscribe();
            resolve();
          }
        },
        onError: reject,
        onComplete: () => {
          if (received < n) reject(new Error(`stream completed after ${received} of ${n}`));
        },
      });
      if (n === 0) resolve();
    });
  }

  subscribe(onEvent: OnEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#client.fanout.subscribe(undefined, {
        onStarted: () => resolve(),
        onData: onEvent,
        onError: reject,
      });
    });
  }

  async publish(count: number): Promise<void> {
    await this.#client.publish.mutate({ count });
  }

  async close(): Promise<void> {
    await this.#ws.close();
  }
}

function connect(url: string): Promise<Connection> {
  return new Promise((resolve) => {
    const ws: WsClient = createWSClient({ url, onOpen: () => resolve(new TrpcConnection(ws)) });
  });
}

const driver: SystemDriver = { connect };

if (import.meta.main) await runDriver(driver);
