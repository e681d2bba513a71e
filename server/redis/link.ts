/**
 * One connection to Redis that heals itself: it reconnects with backoff and
 * checks that Redis still answers with its own pings, since a Deno process
 * can't tune TCP keepalive and a dead link may otherwise look open for hours.
 *
 * @module
 */

import { createClient } from "redis";
import { withResolvers } from "../../shared/resolvers.ts";

/** A node-redis client, as this engine uses it. */
export type RedisClient = ReturnType<typeof createClient>;

/** How a link connects and checks on Redis. */
export interface LinkOptions {
  readonly url: string;
  /** Milliseconds between pings. */
  readonly pingInterval: number;
  /** Milliseconds a ping may take before the link is dropped and made again. */
  readonly pingTimeout: number;
  /** Called with each new, ready client, before the link counts as up. */
  readonly onUp: (client: RedisClient, again: boolean) => Promise<void>;
  /** Called when a ready client is lost. */
  readonly onDown: (reason: string) => void;
  /** Where to report connection errors (rate-limited by the link). */
  readonly log: (message: string) => void;
}

const BACKOFF_FIRST = 50;
const BACKOFF_MAX = 2_000;
const LOG_EVERY = 10_000;

/** A self-healing connection to Redis. */
export class RedisLink {
  readonly #options: LinkOptions;
  #client: RedisClient | undefined;
  #up = false;
  #wasUp = false;
  #closed = false;
  #failures = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastLog = -Infinity;
  /** Settles when the link is next up; one for every waiter while it is down. */
  #nextUp: PromiseWithResolvers<void> | undefined;

  constructor(options: LinkOptions) {
    this.#options = options;
    void this.#connect();
  }

  /** The client, while the link is up. */
  get client(): RedisClient | undefined {
    return this.#up ? this.#client : undefined;
  }

  /** Resolves once the link is up (at once if it is). */
  whenUp(): Promise<void> {
    if (this.#up) return Promise.resolve();
    this.#nextUp ??= withResolvers<void>();
    return this.#nextUp.promise;
  }

  /** Closes the link for good. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    this.#up = false;
    this.#nextUp?.resolve();
    this.#nextUp = undefined;
    if (client?.isOpen) {
      try {
        await client.close();
      } catch {
        client.destroy();
      }
    }
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client: RedisClient = createClient({
      url: this.#options.url,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: false, connectTimeout: this.#options.pingTimeout },
    });
    client.on("error", (error: Error) => {
      this.#report(`Redis connection error: ${error.message}`);
      if (!client.isOpen) this.#lost(client, error.message);
    });
    this.#client = client;
    try {
      await client.connect();
      await this.#options.onUp(client, this.#wasUp);
    } catch (error) {
      this.#report(`Can't reach Redis at ${redact(this.#options.url)}: ${message(error)}`);
      this.#lost(client, message(error));
      return;
    }
    if (this.#closed || this.#client !== client) return;
    this.#up = true;
    this.#wasUp = true;
    this.#failures = 0;
    this.#nextUp?.resolve();
    this.#nextUp = undefined;
    this.#schedulePing(client);
  }

  #schedulePing(client: RedisClient): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(async () => {
      if (this.#client !== client || this.#closed) return;
      let timeout: ReturnType<typeof setTimeout> | undefined;
      const answered = await Promise.race([
        client.ping().then(() => true, () => false),
        new Promise<boolean>((resolve) =>
          timeout = setTimeout(() => resolve(false), this.#options.pingTimeout)
        ),
      ]);
      clearTimeout(timeout);
      if (this.#client !== client || this.#closed) return;
      if (answered) this.#schedulePing(client);
      else this.#lost(client, `no answer to a ping within ${this.#options.pingTimeout} ms`);
    }, this.#options.pingInterval);
  }

  /** Drops a client that failed, and makes a new one after a backoff. */
  #lost(client: RedisClient, reason: string): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    clearTimeout(this.#timer);
    if (client.isOpen) client.destroy();
    const wasUp = this.#up;
    this.#up = false;
    if (wasUp) this.#options.onDown(reason);
    if (this.#closed) return;
    const delay = Math.min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** this.#failures++);
    this.#timer = setTimeout(() => void this.#connect(), delay * (0.5 + Math.random() / 2));
  }

  #report(text: string): void {
    const now = Date.now();
    if (now - this.#lastLog < LOG_EVERY) return;
    this.#lastLog = now;
    this.#options.log(text);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The URL without its password, fit for a log. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.href;
  } catch {
    return "(a malformed URL)";
  }
}
