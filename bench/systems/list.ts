/**
 * The systems compared. Each one is a folder bench/systems/<id>/ with a
 * server program and a client-driver program that follow bench/harness/protocol.ts.
 * A system whose two files are not there yet is listed as not implemented.
 *
 * @module
 */

import type { WorkloadName } from "../harness/protocol.ts";
import { bundleForNode, nodeVersion } from "../harness/node_bundle.ts";

/** One system under test. */
export interface SystemSpec {
  /** Short id, also the folder name under bench/systems/. */
  readonly id: string;
  /** The name in the table. */
  readonly label: string;
  /** The runtime both programs run on, for the output. */
  readonly runtime: string;
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
  /** Builds what the command lines run (a Node bundle), once before the runs. */
  readonly prepare?: () => Promise<void>;
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
 * A system whose two programs are TypeScript files bundled for Node with
 * `deno bundle` (bench/harness/node_bundle.ts) into bench/results/node/<id>/
 * before the runs, and run with `node`.
 */
function nodeSystem(
  id: string,
  label: string,
  packages: readonly string[],
  notes: readonly string[],
  extras: Extras,
): SystemSpec {
  const source = `${ROOT}bench/systems/${id}/`;
  const built = `${ROOT}bench/results/node/${id}/`;
  return {
    id,
    label,
    runtime: `Node ${nodeVersion()?.replace(/^v/, "") ?? "(not found)"}`,
    files: [`${source}server.ts`, `${source}client.ts`],
    server: ["node", `${built}server.mjs`],
    client: ["node", `${built}client.mjs`],
    packages,
    notes,
    workloads: extras.workloads,
    redis: extras.redis ?? false,
    prepare: async () => {
      for (const program of ["server", "client"]) {
        await bundleForNode(
          `${source}${program}.ts`,
          `${built}${program}.mjs`,
          `${ROOT}bench/deno.json`,
        );
      }
    },
  };
}

/** The id of the baseline every ratio is taken against. */
export const RAW_ID = "raw";
/** The id of the second reference. */
export const TRPC_ID = "trpc";

/** Every system, in table order. */
export const SYSTEMS: readonly SystemSpec[] = [
  denoSystem(RAW_ID, "raw", [], [
    "Deno.serve + Deno.upgradeWebSocket, JSON.parse/JSON.stringify, one reply per message; " +
    "its fan-out (W4, W6) is a Set of sockets in its one process.",
  ], { workloads: [...BASIC, "w6"] }),
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
    "limits): the handler yields topic.subscribe(...), and publish calls topic.publish for " +
    "each event, back to back, then awaits them all; a fresh subscriber yields one ready marker after joining, which the driver awaits " +
    "and does not count. W7's resuming clients are plain WebSockets sending what a wsrpc " +
    "client sends on reconnect (the request with its lastEventId).",
  ], { workloads: [...BASIC, "w6", "w7"] }),
  denoSystem("wsrpc-rich", "wsrpc (rich)", ["npm:zod@^4.1.0"], [
    "As wsrpc (JSON), with rich values: every payload and event also carries a Date, so " +
    "the codec writes and reads superjson's format (meta beside the JSON) for every call and event.",
  ]),
  denoSystem("wsrpc-redis", "wsrpc (Redis)", ["npm:zod@^4.1.0", "npm:redis@^6.3.1"], [
    "The wsrpc (JSON) server with its fan-out topic on the Redis engine (redisEngine, default " +
    "settings), on a redis-server the bench starts for each run (no persistence), pinned with " +
    "the servers. W6: two instances share it, the subscribers split between them, the " +
    "publisher on the first, so every event reaches both through Redis. W7: one instance; " +
    "the Redis commands are counted with INFO commandstats over the storm.",
  ], { workloads: ["w6", "w7"], redis: true }),
  nodeSystem("socketio-redis", "socket.io + Redis adapter", [
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
