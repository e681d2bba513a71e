/**
 * The Redis topic engine: one Redis Stream per topic key, so that every
 * server instance on one Redis shares each key's events and history.
 *
 * @module
 */

import { ErrorCode, RpcError } from "../../shared/errors.ts";
import type {
  EngineReceiver,
  HistoryLimits,
  HistoryPage,
  StoredEvent,
  TopicEngine,
} from "../topics/engine.ts";
import { newEpoch, type Position } from "../topics/position.ts";
import { type RedisClient, RedisLink } from "./link.ts";
import { PUBLISH, READ } from "./scripts.ts";
import { HistoryWindows } from "./window.ts";

/** Options of {@linkcode redisEngine}. */
export interface RedisEngineOptions {
  /** Where Redis is: `redis://[:password@]host[:port][/db]` (`redis://127.0.0.1:6379` by default). */
  url?: string | undefined;
  /** The first part of every key and channel (`wsrpc` by default). */
  prefix?: string | undefined;
  /**
   * Milliseconds a key's position (its epoch and newest offset) is kept after
   * its last publish (7 days by default). Past it, a client resuming from an
   * older position gets a gap with the reason `epoch`.
   */
  positionTtl?: number | undefined;
  /** Milliseconds between the engine's pings of Redis (2,000 by default). */
  pingInterval?: number | undefined;
  /** Milliseconds a ping may take before the connection is made again (2,000 by default). */
  pingTimeout?: number | undefined;
  /**
   * Milliseconds a publish or a read waits for Redis while the connection is
   * being made (at startup, or after Redis went away) before it fails with
   * `Unavailable` (1,000 by default).
   */
  connectWait?: number | undefined;
  /** The most recent events an instance remembers per listened key (1,000 by default). */
  windowSize?: number | undefined;
  /** Where connection problems are reported, at most every 10 s (`console.error` by default). */
  log?: ((message: string) => void) | undefined;
}

/**
 * A topic engine on Redis, for several server instances. Each topic key is one
 * Redis Stream; a Lua script gives each event its offset, appends it and
 * publishes it in one atomic step. Each instance subscribes (Redis pub/sub)
 * only to the keys its own clients subscribe to, and decodes and encodes each
 * event once for all of them. A resume is served from the stream, and many
 * resumes of one key from one instance cost one read.
 *
 * While Redis is unreachable, `publish` waits up to `connectWait` (1 s) for
 * it, then fails with `Unavailable`; subscribers wait; once it is back they get what they missed from the
 * stream, or a gap if it was lost.
 *
 * @example
 * ```ts ignore
 * import { createTopics } from "@wsrpc/core/server";
 * import { redisEngine } from "@wsrpc/core/redis";
 *
 * const topics = createTopics({
 *   engine: redisEngine({ url: Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379" }),
 * });
 * const messages = topics.topic<{ text: string }>("messages", { maxLength: 500 });
 * await messages.publish("general", { text: "hello from any instance" });
 * ```
 *
 * @param options Where Redis is, and how to watch the connection.
 * @returns An engine for `createTopics`.
 */
export function redisEngine(options: RedisEngineOptions = {}): TopicEngine {
  return new RedisEngine(options);
}

class RedisEngine implements TopicEngine {
  readonly #prefix: string;
  readonly #positionTtl: number;
  readonly #connectWait: number;
  readonly #commands: RedisLink;
  readonly #subscriber: RedisLink;
  readonly #windows: HistoryWindows;
  #receiver: EngineReceiver | undefined;
  /** Channels wanted, each with the stream it carries. */
  readonly #wanted = new Map<string, string>();
  /** Listens waiting for their channel to be subscribed. */
  readonly #pending = new Map<string, Array<() => void>>();
  readonly #scripts = new Map<string, string>(); // source → sha1
  readonly #onMessage = (message: string, channel: string) => this.#message(message, channel);

  constructor(options: RedisEngineOptions) {
    this.#prefix = options.prefix ?? "wsrpc";
    this.#positionTtl = options.positionTtl ?? 7 * 24 * 3_600_000;
    this.#connectWait = options.connectWait ?? 1_000;
    const url = options.url ?? "redis://127.0.0.1:6379";
    const log = options.log ?? ((message: string) => console.error(`wsrpc: ${message}`));
    const pingInterval = options.pingInterval ?? 2_000;
    const pingTimeout = options.pingTimeout ?? 2_000;
    this.#windows = new HistoryWindows(
      (stream, after, limit) => this.#fetch(stream, after, limit),
      options.windowSize ?? 1_000,
    );
    this.#commands = new RedisLink({
      url,
      pingInterval,
      pingTimeout,
      log,
      onUp: async (client) => {
        this.#scripts.clear();
        for (const source of [PUBLISH, READ]) {
          this.#scripts.set(source, String(await client.sendCommand(["SCRIPT", "LOAD", source])));
        }
      },
      onDown: () => {},
    });
    this.#subscriber = new RedisLink({
      url,
      pingInterval,
      pingTimeout,
      log,
      onUp: async (client, again) => {
        const channels = [...this.#wanted.keys()];
        if (channels.length > 0) await client.subscribe(channels, this.#onMessage);
        for (const channel of channels) this.#settle(channel);
        if (again) this.#receiver?.resync();
      },
      onDown: () => this.#windows.invalidateAll(),
    });
  }

  connect(receiver: EngineReceiver): void {
    this.#receiver = receiver;
  }

  async publish(stream: string, payload: string, limits: HistoryLimits): Promise<Position> {
    const maxAge = Number.isFinite(limits.maxAge) ? Math.max(1, Math.round(limits.maxAge)) : 0;
    const maxLength = Number.isFinite(limits.maxLength) ? limits.maxLength : 2 ** 53 - 1;
    let reply: unknown;
    try {
      reply = await this.#run(PUBLISH, this.#keys(stream), [
        payload,
        String(maxLength),
        String(maxAge),
        newEpoch(),
        String(this.#positionTtl),
        this.#channel(stream),
      ]);
    } catch (cause) {
      throw new RpcError(
        ErrorCode.Unavailable,
        `Could not publish to ${stream}: ${describe(cause)}`,
        { cause },
      );
    }
    const [epoch, offset] = reply as [string, number];
    return { epoch: String(epoch), offset: Number(offset) };
  }

  read(stream: string, after: number | undefined, limit: number): Promise<HistoryPage> {
    return this.#windows.read(stream, after, limit);
  }

  listen(stream: string, limits: HistoryLimits): Promise<void> {
    const channel = this.#channel(stream);
    this.#wanted.set(channel, stream);
    this.#windows.track(stream, limits);
    const done = new Promise<void>((resolve) => {
      const waiting = this.#pending.get(channel);
      if (waiting === undefined) this.#pending.set(channel, [resolve]);
      else waiting.push(resolve);
    });
    const client = this.#subscriber.client;
    if (client !== undefined) {
      // If the link drops first, its next `onUp` subscribes again and settles.
      client.subscribe(channel, this.#onMessage).then(() => this.#settle(channel), () => {});
    }
    return done;
  }

  unlisten(stream: string): void {
    const channel = this.#channel(stream);
    if (!this.#wanted.delete(channel)) return;
    this.#pending.delete(channel);
    this.#windows.untrack(stream);
    this.#subscriber.client?.unsubscribe(channel, this.#onMessage).catch(() => {});
  }

  async close(): Promise<void> {
    this.#wanted.clear();
    await Promise.all([this.#commands.close(), this.#subscriber.close()]);
  }

  #settle(channel: string): void {
    if (!this.#wanted.has(channel)) return;
    for (const resolve of this.#pending.get(channel) ?? []) resolve();
    this.#pending.delete(channel);
  }

  /** `epoch offset payload`, as the publish script sends it. */
  #message(message: string, channel: string): void {
    const stream = this.#wanted.get(channel);
    if (stream === undefined) return;
    const space = message.indexOf(" ");
    const next = message.indexOf(" ", space + 1);
    if (space < 0 || next < 0) return;
    const epoch = message.slice(0, space);
    const offset = Number(message.slice(space + 1, next));
    const payload = message.slice(next + 1);
    this.#windows.live(stream, epoch, offset, payload);
    this.#receiver?.event(stream, epoch, offset, payload);
  }

  async #fetch(stream: string, after: number | undefined, limit: number): Promise<HistoryPage> {
    const reply = await this.#run(READ, this.#keys(stream), [
      after === undefined ? "" : String(after),
      String(Math.max(0, Math.floor(limit))),
      newEpoch(),
      String(this.#positionTtl),
    ]) as [string, number, number, Array<[string, string[]]>];
    const [epoch, top, first, entries] = reply;
    const events: StoredEvent[] = entries.map(([id, fields]) => ({
      offset: Number(id.slice(0, id.indexOf("-"))),
      payload: fields[fields.indexOf("p") + 1] ?? "",
    }));
    if (after === undefined) events.reverse();
    return { epoch: String(epoch), top: Number(top), first: Number(first), events };
  }

  /** Runs a script by its hash, loading it again if Redis forgot it (a restart). */
  async #run(source: string, keys: string[], args: string[]): Promise<unknown> {
    const client: RedisClient | undefined = this.#commands.client ?? await this.#waitForLink();
    if (client === undefined) throw new Error(UNREACHABLE);
    const sha = this.#scripts.get(source);
    if (sha !== undefined) {
      try {
        return await client.sendCommand(["EVALSHA", sha, String(keys.length), ...keys, ...args]);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      }
    }
    return await client.sendCommand(["EVAL", source, String(keys.length), ...keys, ...args]);
  }

  /** The command link's client once it is up, or `undefined` after `connectWait`. */
  async #waitForLink(): Promise<RedisClient | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#commands.whenUp(),
      new Promise<void>((resolve) => timer = setTimeout(resolve, this.#connectWait)),
    ]);
    clearTimeout(timer);
    return this.#commands.client;
  }

  #keys(stream: string): string[] {
    return [`${this.#prefix}:{${stream}}:s`, `${this.#prefix}:{${stream}}:m`];
  }

  #channel(stream: string): string {
    return `${this.#prefix}:{${stream}}`;
  }
}

/** What `#run` throws when no link is up; `describe` tells it from a failure mid-command. */
const UNREACHABLE = "Redis is unreachable";

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (text === UNREACHABLE || text === "The client is closed") {
    return "Redis is unreachable; the event was not published";
  }
  return `Redis did not answer (${text}); the event may not have been published`;
}
