/**
 * The one server app of the conformance suite, written once for every
 * runtime: each runtime's entry point in servers/ serves it with its own
 * adapter, in its own process, and the Deno tests drive it over the wire.
 * It holds every scenario of the suite (JSON-RPC examples, limits, origins,
 * connection params, a resumable feed, slow work for the shutdown), and the
 * config on its command line picks the settings.
 *
 * @module
 */

import { appendFileSync, existsSync, readFileSync } from "node:fs";
import process from "node:process";
import * as z from "zod";
import { ErrorCode, procedure, router, RpcError, subscription } from "../../mod.ts";
import {
  createTopics,
  type Limits,
  type OriginPolicy,
  type ServerOptions,
} from "../../server/mod.ts";
import { tracked } from "../../server/tracked.ts";

/** What a test asks of the server, as JSON on its command line. */
export interface AppConfig {
  /** The port; 0 (the default) for a free one. */
  port?: number;
  /** The server's limits. */
  limits?: Partial<Limits>;
  /** The `origins` option. */
  origins?: string[] | "*";
  /** Sign in with `rpc.connect` params (a token) instead of no context. */
  connectionParams?: boolean;
  /** Milliseconds the context takes to make. */
  contextDelay?: number;
  /** A JSON-lines file of events that `feed` tails; `produce` events are appended to it. */
  store?: string;
  /** How many events the server appends to `store`, one every 20 ms. */
  produce?: number;
  /** Milliseconds running calls get when the server is told to shut down (SIGTERM). */
  shutdownTimeout?: number;
  /** The `idleTimeout` option. */
  idleTimeout?: number;
  /** On Node: upgrade in `handleUpgrade` (the default), or in the app's own `WebSocketServer`. */
  nodeServer?: "upgrade" | "wss";
}

/** An event of the feed. */
export const FeedEvent = z.object({ seq: z.number(), token: z.string() });

/** A message said in a room: its Date travels as a Date, on every runtime. */
export const RoomMessage = z.object({ text: z.string(), at: z.date(), servedBy: z.number() });

/** A message said in a room. */
export type RoomMessage = z.infer<typeof RoomMessage>;

/** How many messages a room keeps for clients that resume. */
export const ROOM_HISTORY = 50;

const EVENT = "x".repeat(1024);
const Params = z.object({ token: z.string().min(1) });
const TOKENS: Readonly<Record<string, string>> = { "t-ada": "ada", "t-bob": "bob" };

/** The contract of the app. */
export const api = router({
  subtract: procedure({
    input: z.union([
      z.tuple([z.number(), z.number()]),
      z.object({ minuend: z.number(), subtrahend: z.number() }),
    ]),
    output: z.number(),
  }),
  sum: procedure({ input: z.array(z.number()), output: z.number() }),
  update: procedure({ input: z.array(z.number()), output: z.null() }),
  notify_hello: procedure({ input: z.number(), output: z.null() }),
  get_data: procedure({ output: z.tuple([z.string(), z.number()]) }),
  echo: procedure({ input: z.unknown(), output: z.unknown() }),
  refuse: procedure({ output: z.null() }),
  crash: procedure({ output: z.null() }),
  whoami: procedure({ output: z.string() }),
  /** Runs for `input` ms, or until cancelled. */
  work: procedure({ input: z.number(), output: z.string() }),
  retryableWork: procedure({ input: z.number(), output: z.string(), idempotent: true }),
  /** Waits until `release` is called, on any connection. */
  wait: procedure({ input: z.number(), output: z.number() }),
  release: procedure({ output: z.number() }),
  /** What the server has seen; a call to it is not counted. */
  stats: procedure({
    output: z.object({
      calls: z.array(z.string()),
      contexts: z.number(),
      waiting: z.number(),
      connections: z.number(),
      work: z.object({ started: z.number(), done: z.number(), cancelled: z.number() }),
      generators: z.object({ started: z.number(), finished: z.number() }),
      produced: z.number(),
      pid: z.number(),
    }),
  }),
  clock: router({
    ticks: subscription({ input: z.object({ count: z.number().int() }), output: z.number() }),
    forever: subscription({ output: z.number() }),
  }),
  /** As many 1 KiB events as the client takes. */
  firehose: subscription({ output: z.string() }),
  feed: subscription({ output: FeedEvent.extend({ servedBy: z.number() }) }),
  /** Chat rooms on a topic of the library (memory engine). */
  room: router({
    /** Says `texts` in `room`, in order; returns the last one's position. */
    say: procedure({
      input: z.object({ room: z.string(), texts: z.array(z.string()).min(1) }),
      output: z.string(),
    }),
    messages: subscription({ input: z.object({ room: z.string() }), output: RoomMessage }),
  }),
  ticks: subscription({ output: z.object({ n: z.number(), servedBy: z.number() }) }),
});

type Ctx = { user: string };

/**
 * The server's options for a config.
 *
 * @param config What the test asked for.
 * @param connections How many connections the server holds, from its adapter.
 * @returns The options for any runtime's `createHandler`.
 */
export function appOptions(
  config: AppConfig,
  connections: () => number,
): ServerOptions<typeof api.routes, Ctx, { token: string } | undefined> {
  const calls: string[] = [];
  const waiting: Array<() => void> = [];
  const work = { started: 0, done: 0, cancelled: 0 };
  const generators = { started: 0, finished: 0 };
  let contexts = 0;
  let produced = 0;
  const store = config.store;
  if (store !== undefined && config.produce) produce(store, config.produce);
  const rooms = createTopics().topic("rooms", { schema: RoomMessage, maxLength: ROOM_HISTORY });

  const context = async (
    request: Request,
    { params }: { params: { token: string } | undefined },
  ): Promise<Ctx> => {
    contexts++;
    if (config.contextDelay) await pause(config.contextDelay);
    if (params === undefined) return { user: request.headers.get("x-user") ?? "guest" };
    if (params.token === "t-mallory") throw new RpcError(ErrorCode.Forbidden, "Banned");
    const user = TOKENS[params.token];
    if (user === undefined) throw new RpcError(ErrorCode.Unauthorized, "Unknown token");
    return { user };
  };

  const doWork = async (ms: number, signal: AbortSignal) => {
    work.started++;
    await pause(ms, signal);
    if (signal.aborted) {
      work.cancelled++;
      throw new Error("Cancelled");
    }
    work.done++;
    return `done by ${process.pid}`;
  };

  return {
    limits: config.limits,
    origins: config.origins as OriginPolicy | undefined,
    idleTimeout: config.idleTimeout,
    connectionParams: config.connectionParams ? Params : undefined,
    context,
    onError: () => {},
    handlers: {
      subtract: ({ input }) =>
        Array.isArray(input) ? input[0] - input[1] : input.minuend - input.subtrahend,
      sum: ({ input }) => input.reduce((total, n) => total + n, 0),
      update: ({ input }) => {
        calls.push(`update ${input.join(",")}`);
        return null;
      },
      notify_hello: ({ input }) => {
        calls.push(`notify_hello ${input}`);
        return null;
      },
      get_data: () => ["hello", 5] as [string, number],
      echo: ({ input, ctx }) => {
        calls.push(`echo by ${ctx.user}`);
        return typeof input === "string" && ctx.user !== "guest" ? `${ctx.user}: ${input}` : input;
      },
      refuse: () => {
        throw new RpcError(ErrorCode.Forbidden, "Not for you", { data: { need: "admin" } });
      },
      crash: () => {
        throw new Error("secret database password in this message");
      },
      whoami: ({ ctx }) => ctx.user,
      work: ({ input, signal }) => doWork(input, signal),
      retryableWork: ({ input, signal }) => doWork(input, signal),
      wait: ({ input }) => new Promise<number>((resolve) => waiting.push(() => resolve(input))),
      release: () => {
        const released = waiting.splice(0);
        for (const resolve of released) resolve();
        return released.length;
      },
      stats: () => ({
        calls,
        contexts,
        waiting: waiting.length,
        connections: connections(),
        work,
        generators,
        produced,
        pid: process.pid,
      }),
      clock: {
        ticks: async function* ({ input }) {
          for (let i = 1; i <= input.count; i++) yield i;
        },
        forever: async function* ({ signal }) {
          let i = 0;
          while (!signal.aborted) {
            yield i++;
            await pause(5, signal);
          }
        },
      },
      firehose: async function* ({ signal }) {
        while (!signal.aborted) {
          produced++;
          yield EVENT;
        }
      },
      feed: async function* ({ lastEventId, signal }) {
        generators.started++;
        try {
          let seq = lastEventId === undefined ? 0 : Number(lastEventId) + 1;
          while (!signal.aborted && store !== undefined) {
            const events = readStore(store);
            for (; seq < events.length && !signal.aborted; seq++) {
              yield tracked(String(seq), { ...events[seq]!, servedBy: process.pid });
            }
            await pause(10, signal);
          }
        } finally {
          generators.finished++;
        }
      },
      ticks: async function* ({ signal }) {
        for (let n = 0; !signal.aborted; n++) {
          yield { n, servedBy: process.pid };
          await pause(20, signal);
        }
      },
      room: {
        say: async ({ input: { room, texts } }) => {
          let position = "";
          for (const text of texts) {
            position = await rooms.publish(room, { text, at: new Date(), servedBy: process.pid });
          }
          return position;
        },
        messages: ({ input, lastEventId, signal }) =>
          rooms.subscribe(input.room, { lastEventId, signal }),
      },
    },
  };
}

/**
 * Reads the config from the command line: its first argument, as JSON.
 *
 * @returns The config.
 */
export function readConfig(): AppConfig {
  return JSON.parse(process.argv[2] ?? "{}") as AppConfig;
}

/** The events in the store; a torn last line is not one. */
export function readStore(path: string): Array<z.infer<typeof FeedEvent>> {
  if (!existsSync(path)) return [];
  const events = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    try {
      events.push(FeedEvent.parse(JSON.parse(line)));
    } catch {
      break;
    }
  }
  return events;
}

/** Appends events to the store, one every 20 ms, until there are `count`. */
function produce(store: string, count: number): void {
  const timer = setInterval(() => {
    const seq = readStore(store).length;
    if (seq >= count) return clearInterval(timer);
    // One write of one line: a SIGKILL can't leave half of it behind.
    appendFileSync(store, `${JSON.stringify({ seq, token: crypto.randomUUID() })}\n`);
  }, 20);
}

/** Resolves after `ms`, or as soon as `signal` fires. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
