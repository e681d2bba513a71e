/**
 * A wsrpc server on topics and the Redis engine, run as its own process so
 * that tests can start several instances on one Redis and kill them for real.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 --allow-env=REDIS_DEBUG_MAINTENANCE,REDIS_EMIT_DIAGNOSTICS \
 *   tests/apps/topic_server.ts --redis redis://127.0.0.1:6379 [--port 0] [--max-length 1000] \
 *   [--ping-interval 2000] [--ping-timeout 2000] [--connect-wait 1000] [--prefix wsrpc]
 * ```
 *
 * Once it reaches Redis, it listens on 127.0.0.1:`port` (0 for a free port)
 * and prints `{"port":N,"pid":P}`. `feed.publish` publishes `{seq}` to a
 * key of the `feed` topic and answers with the event's position;
 * `feed.events` subscribes to a key and resumes from the client's
 * `lastEventId`; `stats` says what this instance holds. Its limits are lifted
 * (connections per IP, rate), so that one test machine can open a thousand
 * connections. On SIGTERM it shuts down gracefully, closes the topics and
 * exits by itself: one that does not exit is holding on to something.
 *
 * @module
 */

import { parseArgs } from "node:util";
import * as z from "zod";
import { procedure, router, subscription } from "../../mod.ts";
import { redisEngine } from "../../server/redis/mod.ts";
import { createHandler, createTopics, type RpcHandler } from "../../server/mod.ts";

/** An event of the `feed` topic: its number in the test's sequence, and who published it. */
export const FeedEvent = z.object({ seq: z.number().int(), publishedBy: z.number().int() });

/** The contract of this app. */
export const api = router({
  feed: router({
    publish: procedure({
      input: z.object({ key: z.string(), seq: z.number().int() }),
      output: z.string(),
    }),
    events: subscription({ input: z.object({ key: z.string() }), output: FeedEvent }),
  }),
  stats: procedure({
    output: z.object({
      pid: z.number(),
      streams: z.number(),
      subscribers: z.number(),
      connections: z.number(),
    }),
  }),
});

/** The command-line flags, as `tests/scale/_instances.ts` passes them. */
export interface TopicServerFlags {
  /** The Redis URL. */
  redis: string;
  /** The port to listen on; 0 for a free one. */
  port?: number;
  /** The `feed` topic's `maxLength`. */
  maxLength?: number;
  /** The engine's `pingInterval`, in ms. */
  pingInterval?: number;
  /** The engine's `pingTimeout`, in ms. */
  pingTimeout?: number;
  /** The engine's `connectWait`, in ms. */
  connectWait?: number;
  /** The engine's key prefix. */
  prefix?: string;
}

/** The arguments that start this app with `flags`. */
export function topicServerArgs(flags: TopicServerFlags): string[] {
  const args = ["--redis", flags.redis, "--port", String(flags.port ?? 0)];
  if (flags.maxLength !== undefined) args.push("--max-length", String(flags.maxLength));
  if (flags.pingInterval !== undefined) args.push("--ping-interval", String(flags.pingInterval));
  if (flags.pingTimeout !== undefined) args.push("--ping-timeout", String(flags.pingTimeout));
  if (flags.connectWait !== undefined) args.push("--connect-wait", String(flags.connectWait));
  if (flags.prefix !== undefined) args.push("--prefix", flags.prefix);
  return args;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      redis: { type: "string" },
      port: { type: "string", default: "0" },
      "max-length": { type: "string" },
      "ping-interval": { type: "string" },
      "ping-timeout": { type: "string" },
      "connect-wait": { type: "string" },
      prefix: { type: "string" },
    },
  });
  if (values.redis === undefined) throw new TypeError("--redis <url> is required");
  const number = (text: string | undefined) => text === undefined ? undefined : Number(text);

  const engine = redisEngine({
    url: values.redis,
    prefix: values.prefix,
    pingInterval: number(values["ping-interval"]),
    pingTimeout: number(values["ping-timeout"]),
    connectWait: number(values["connect-wait"]),
  });
  // Ready means reaching Redis, as a load balancer's health check would ask.
  const deadline = Date.now() + 10_000;
  while (true) {
    try {
      await engine.read("ready:probe", undefined, 0);
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  const topics = createTopics({ engine });
  const feed = topics.topic("feed", {
    schema: FeedEvent,
    maxLength: number(values["max-length"]),
  });

  const rpc: RpcHandler = createHandler(api, {
    // No WebSocket pings from the server: Deno 2.9 keeps the ping timer of a
    // socket whose TCP link was cut running after the close, which holds a
    // stopped process open for up to half the idle timeout (15 s by default).
    idleTimeout: 0,
    limits: {
      maxConnections: Infinity,
      maxConnectionsPerIp: Infinity,
      messagesPerSecond: Infinity,
      burst: Infinity,
    },
    handlers: {
      feed: {
        publish: ({ input }) => feed.publish(input.key, { seq: input.seq, publishedBy: Deno.pid }),
        events: async function* ({ input, lastEventId, signal }) {
          yield* feed.subscribe(input.key, { lastEventId, signal });
        },
      },
      stats: () => ({ pid: Deno.pid, ...topics.size, connections: rpc.connections }),
    },
  });

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: Number(values.port),
    onListen: ({ port }) => console.log(JSON.stringify({ port, pid: Deno.pid })),
  }, rpc);

  const stop = async () => {
    Deno.removeSignalListener("SIGTERM", stop);
    await rpc.shutdown({ timeout: 1_000 });
    await server.shutdown();
    await topics.close();
  };
  Deno.addSignalListener("SIGTERM", stop);
  await server.finished;
}
