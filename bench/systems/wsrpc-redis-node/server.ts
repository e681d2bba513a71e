/**
 * wsrpc (Redis) on Node: the server of wsrpc/node_server.ts with its fan-out
 * topic on the Redis engine, on the `redis-server` the orchestrator started
 * for the run (its url in `BENCH_REDIS_URL`), as wsrpc-redis/server.ts does
 * on Deno. W6 runs two of these on one Redis. Bundled with `deno bundle`, run
 * by `node`.
 *
 * @module
 */

import process from "node:process";
import { redisEngine } from "@wsrpc/core/redis";
import { REDIS_URL_ENV } from "../../harness/protocol.ts";
import { serveJsonOnNode } from "../wsrpc/node_server.ts";

const url = process.env[REDIS_URL_ENV];
if (url === undefined) throw new Error(`${REDIS_URL_ENV} is not set: the orchestrator sets it`);
await serveJsonOnNode(redisEngine({ url, prefix: "bench" }));
