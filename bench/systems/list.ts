/**
 * The systems compared. Each one is a folder bench/systems/<id>/ with a
 * server program and a client-driver program that follow bench/harness/protocol.ts.
 * A system whose two files are not there yet is listed as not implemented.
 *
 * @module
 */

import type { WorkloadName } from "../harness/protocol.ts";
import type { Bundled, BundleRuntime } from "../harness/runtimes.ts";
import { RUNTIME_NAMES } from "../harness/runtimes.ts";

/** A runtime a system's programs run on. */
export type Runtime = "deno" | BundleRuntime;

/** One system under test. */
export interface SystemSpec {
  /** Short id, also the folder name under bench/systems/. */
  readonly id: string;
  /** The name in the table. */
  readonly label: string;
  /** The runtimes its programs run on, for the output. */
  readonly runtime: string;
  /** The runtime its server runs on. */
  readonly serverRuntime: Runtime;
  /**
   * For a server on Node or Bun: the TypeScript entries that the orchestrator
   * bundles before the first run (the server's, and the client driver's when
   * it runs there too), and the bundles that `server` and `client` run.
   */
  readonly bundled?: Bundled;
  /** The files that must exist for the system to run. */
  readonly files: readonly string[];
  /** The server's command line. */
  readonly server: readonly string[];
  /** The client driver's command line, before `<workload> <url> <params>`. */
  readonly client: readonly string[];
  /** deno.lock specifiers whose resolved versions go in the output. */
  readonly packages: readonly string[];
  /** Said under the table. */
  readonly notes: readonly string[];
  /** The workloads it runs; the table leaves it out of the others' rows. */
  readonly workloads: readonly WorkloadName[];
  /**
   * Whether its servers run on a `redis-server` that the orchestrator starts
   * for each run (its url in their `BENCH_REDIS_URL`). Such a system runs W6
   * on `params.w6.instances` servers that share it; the others on one.
   */
  readonly redis: boolean;
}

/** The repository's root folder, where deno.json is. */
export const ROOT: string = decodeURIComponent(new URL("../../", import.meta.url).pathname);

/** The flags every Deno program of the benchmark runs with. */
const DENO_FLAGS = [
  "run",
  "--quiet",
  "--no-prompt",
  `--config=${ROOT}bench/deno.json`,
  "--allow-net=127.0.0.1",
  "--allow-env",
];

/** What sets a system apart from the defaults of {@linkcode denoSystem}. */
interface Extras {
  readonly workloads: readonly WorkloadName[];
  readonly redis?: boolean;
}

/** Where a system of {@linkcode bundledSystem} runs. */
interface BundledOn {
  /** The runtime of its server. */
  readonly runtime: BundleRuntime;
  /** The system whose client.ts is its client driver. */
  readonly client: string;
  /** Whether that driver is bundled and run on `runtime` too, rather than on Deno. */
  readonly clientBundled?: boolean;
}

/** W1–W5, the workloads every system runs. */
const BASIC: readonly WorkloadName[] = ["w1", "w2", "w3", "w4", "w5"];

/** A system whose two programs are TypeScript files run by Deno. */
function denoSystem(
  id: string,
  label: string,
  packages: readonly string[],
  notes: readonly string[],
  extras: Extras = { workloads: BASIC },
): SystemSpec {
  const server = `${ROOT}bench/systems/${id}/server.ts`;
  const client = `${ROOT}bench/systems/${id}/client.ts`;
  return {
    id,
    label,
    runtime: `Deno ${Deno.version.deno}`,
    serverRuntime: "deno",
    files: [server, client],
    server: [Deno.execPath(), ...DENO_FLAGS, server],
    client: [Deno.execPath(), ...DENO_FLAGS, client],
    packages,
    notes,
    workloads: extras.workloads,
    redis: extras.redis ?? false,
  };
}

/**
 * A system whose server is a TypeScript file bundled for Node or Bun
 * (bench/harness/runtimes.ts) before the first run. Its client driver is the
 * Deno one of a system (`on.client`, often another one), so that the columns
 * differ only in their server; or, with `on.clientBundled`, that client.ts
 * bundled and run on the server's runtime too (socket.io's driver, on Node).
 */
function bundledSystem(
  id: string,
  label: string,
  on: BundledOn,
  packages: readonly string[],
  notes: readonly string[],
  extras: Extras = { workloads: BASIC },
): SystemSpec {
  const server = { entry: `${ROOT}bench/systems/${id}/server.ts`, out: bundleOut(id, "server") };
  const client = `${ROOT}bench/systems/${on.client}/client.ts`;
  const driver = on.clientBundled ? { entry: client, out: bundleOut(id, "client") } : undefined;
  return {
    id,
    label,
    runtime: runtimeLabel(on.runtime, null, driver !== undefined),
    serverRuntime: on.runtime,
    bundled: { runtime: on.runtime, server, ...(driver === undefined ? {} : { client: driver }) },
    files: [server.entry, client],
    server: [on.runtime, server.out],
    client: driver === undefined
      ? [Deno.execPath(), ...DENO_FLAGS, client]
      : [on.runtime, driver.out],
    packages,
    notes,
    workloads: extras.workloads,
    redis: extras.redis ?? false,
  };
}

/** Where the bundle of a system's program goes. */
function bundleOut(id: string, program: "server" | "client"): string {
  return `${ROOT}bench/results/bundles/${id}-${program}.mjs`;
}

/**
 * How a system whose server runs on `runtime` (of `version`, when known) says
 * so, and where its client driver runs (there too, or on Deno).
 */
export function runtimeLabel(
  runtime: BundleRuntime,
  version: string | null,
  clientToo: boolean,
): string {
  const server = version === null ? RUNTIME_NAMES[runtime] : `${RUNTIME_NAMES[runtime]} ${version}`;
  return clientToo
    ? `${server} (server and client driver)`
    : `${server} (server), Deno ${Deno.version.deno} (client driver)`;
}

/** The id of the baseline every ratio is taken against. */
export const RAW_ID = "raw";
/** The id of the second reference. */
export const TRPC_ID = "trpc";

/**
 * A system the table divides by: the raw echo, and tRPC, each on every
 * runtime it runs on. A system's ratios are to the reference on its own
 * server's runtime.
 */
export interface Reference {
  readonly label: string;
  /** The reference's system id, by server runtime. */
  readonly ids: Readonly<Record<Runtime, string | null>>;
}

/** The references, in column order. */
export const REFERENCES: readonly Reference[] = [
  { label: "raw", ids: { deno: RAW_ID, node: "ws-node", bun: "raw-bun" } },
  { label: "tRPC", ids: { deno: TRPC_ID, node: "trpc-node", bun: null } },
];

/** Every system, in table order. */
export const SYSTEMS: readonly SystemSpec[] = [
  denoSystem(RAW_ID, "raw", [], [
    "Deno.serve + Deno.upgradeWebSocket, JSON.parse/JSON.stringify, one reply per message; " +
    "its fan-out (W4, W6) is a Set of sockets in its one process.",
  ], { workloads: [...BASIC, "w1same", "w6"] }),
  denoSystem(TRPC_ID, "tRPC", ["npm:@trpc/server@^11", "npm:@trpc/client@^11", "npm:ws@^8"], [
    "applyWSSHandler on a ws WebSocketServer, createWSClient + wsLink, default settings, " +
    "zod input validation, async-generator subscriptions; server and client on Deno.",
    "Its ws link waits a timer tick (setTimeout 0, about 2 ms on Deno) before sending, " +
    "which bounds W1.",
    "Deno's WebSocket client turns TCP_NODELAY off and writes a frame over ~1 KB as two " +
    "segments, so tRPC's batched frames in W2 stall on 40 ms delayed ACKs.",
  ]),
  denoSystem("wsrpc-json", "wsrpc (JSON)", ["npm:zod@^4.1.0"], [
    "createHandler + Deno.serve, createClient from the contract value, default settings; " +
    "plain JSON payloads. zod input validation (always on) and output validation (on, the " +
    "default) on the server; no client-side validation (the default). Limits at their " +
    "defaults but for the per-connection rate limit and the connection caps, which are off " +
    "(bench/systems/wsrpc/limits.ts says why).",
    "The fan-out is a topic key of the library's topics (createTopics, memory engine, default " +
    "limits): the handler returns topic.subscribe(...), so live events go straight from the " +
    "topic to each socket, and publish calls topic.publish for each event, back to back, then " +
    "awaits them all. The server publishes a ready marker to the key at startup and a fresh " +
    "subscriber replays the newest event (replay: 1), which the driver awaits and does not " +
    "count. W7's resuming clients are plain WebSockets sending what a wsrpc " +
    "client sends on reconnect (the request with its lastEventId).",
  ], { workloads: [...BASIC, "w1same", "w6", "w7"] }),
  denoSystem("wsrpc-rich", "wsrpc (rich)", ["npm:zod@^4.1.0"], [
    "As wsrpc (JSON), with rich values: every payload and event also carries a Date, so " +
    "the codec writes and reads superjson's format (meta beside the JSON) for every call and event.",
  ], { workloads: [...BASIC, "w1same"] }),
  denoSystem("wsrpc-redis", "wsrpc (Redis)", ["npm:zod@^4.1.0", "npm:redis@^6.3.1"], [
    "The wsrpc (JSON) server with its fan-out topic on the Redis engine (redisEngine, default " +
    "settings), on a redis-server the bench starts for each run (no persistence), pinned with " +
    "the servers. W6: two instances share it, the subscribers split between them, the " +
    "publisher on the first, so every event reaches both through Redis. W7: one instance; " +
    "the Redis commands are counted with INFO commandstats over the storm.",
  ], { workloads: ["w6", "w7"], redis: true }),
  bundledSystem("ws-node", "raw ws (Node)", { runtime: "node", client: RAW_ID }, [
    "npm:ws@^8",
  ], [
    "The raw baseline on Node: a ws WebSocketServer, text frames through the same dispatch " +
    "as raw (JSON.parse/JSON.stringify, one reply per message, the fan-out a Set of sockets); " +
    "raw's client driver on Deno.",
  ]),
  bundledSystem("trpc-node", "tRPC (Node)", { runtime: "node", client: TRPC_ID }, [
    "npm:@trpc/server@^11",
    "npm:@trpc/client@^11",
    "npm:ws@^8",
  ], [
    "tRPC's server of the tRPC column (applyWSSHandler on a ws WebSocketServer, the same " +
    "router) on Node, its home runtime; tRPC's client driver on Deno, so its W1 timer tick " +
    "and W2 stalls are those of the tRPC column.",
  ]),
  bundledSystem("wsrpc-node", "wsrpc (Node)", { runtime: "node", client: "wsrpc-json" }, [
    "npm:zod@^4.1.0",
    "npm:ws@^8",
  ], [
    "The wsrpc (JSON) server on Node: createHandler of @wsrpc/core/node on a node:http " +
    "server's upgrade event (ws underneath), the same options (bench/systems/wsrpc/" +
    "json_options.ts); wsrpc (JSON)'s client driver on Deno.",
  ]),
  bundledSystem(
    "rpc-websockets",
    "rpc-websockets (Node)",
    {
      runtime: "node",
      client: "rpc-websockets",
    },
    ["npm:rpc-websockets@^10", "npm:ws@^8"],
    [
      "rpc-websockets' Server (its own ws WebSocketServer), default settings; its CommonClient " +
      "on Deno's WebSocket (a factory like its browser build's), no reconnect.",
      "It has no per-call stream and no subscription procedure: its only server push is an " +
      "event, sent to every socket subscribed to it (rpc.on). W3's stream is the event " +
      "'stream', which the method 'events' emits n times (one connection in W3, so it reaches " +
      "that one alone); the fan-out is the event 'fanout'. Its notifications are " +
      "{notification, params} frames, not JSON-RPC 2.0 ones. No resume from a position, so no W7.",
    ],
  ),
  bundledSystem("raw-bun", "raw (Bun)", { runtime: "bun", client: RAW_ID }, [], [
    "The raw baseline on Bun: Bun.serve's websocket handlers, text frames through the same " +
    "dispatch as raw; raw's client driver on Deno.",
  ]),
  bundledSystem("wsrpc-bun", "wsrpc (Bun)", { runtime: "bun", client: "wsrpc-json" }, [
    "npm:zod@^4.1.0",
  ], [
    "The wsrpc (JSON) server on Bun: createHandler of @wsrpc/core/bun on Bun.serve, the same " +
    "options; wsrpc (JSON)'s client driver on Deno.",
  ]),
  bundledSystem(
    "wsrpc-redis-node",
    "wsrpc (Redis, Node)",
    {
      runtime: "node",
      client: "wsrpc-redis",
    },
    ["npm:zod@^4.1.0", "npm:redis@^6.3.1", "npm:ws@^8"],
    [
      "The wsrpc (Redis) server on Node: createHandler of @wsrpc/core/node on a node:http " +
      "server's upgrade event (ws underneath), the same options (bench/systems/wsrpc/" +
      "json_options.ts) with the fan-out topic on redisEngine, so W6 compares with socket.io " +
      "on the same runtime. W6 only, on two instances sharing the run's redis-server as " +
      "wsrpc (Redis); wsrpc (Redis)'s client driver on Deno.",
    ],
    { workloads: ["w6"], redis: true },
  ),
  bundledSystem("socketio-redis", "socket.io + Redis adapter", {
    runtime: "node",
    client: "socketio-redis",
    clientBundled: true,
  }, [
    "npm:socket.io@^4.8.1",
    "npm:@socket.io/redis-adapter@^8.3.0",
    "npm:redis@^6.3.1",
    "npm:socket.io-client@^4.8.1",
  ], [
    "socket.io's Server on a node:http server with the official Redis adapter " +
    "(@socket.io/redis-adapter's createAdapter on a node-redis client and its duplicate(), as " +
    "its docs show), every setting at its default (so perMessageDeflate off); server and " +
    "client on Node, each bundled with deno bundle. W6 only: two instances share the run's " +
    "redis-server, pinned with it; a subscriber joins a room (acked), a publish emits each " +
    "event to the room, which the adapter also publishes on Redis for the other instance.",
    "The driver opens each connection with io(url, { forceNew: true, transports: " +
    '["websocket"] }): forceNew, else io() shares one connection per url; WebSocket from the ' +
    "start, as every other driver (the default polls first and upgrades, which changes only " +
    "the connecting, not the measured round).",
  ], { workloads: ["w6"], redis: true }),
];
