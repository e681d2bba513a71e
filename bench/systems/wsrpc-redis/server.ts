/**
 * The wsrpc (Redis) server: the wsrpc (JSON) server with its fan-out topic on
 * the Redis engine, on the `redis-server` the orchestrator started for the
 * run (its url in `BENCH_REDIS_URL`). W6 runs two of these on one Redis.
 *
 * @module
 */

import { redisEngine } from "@wsrpc/core/redis";
import { REDIS_URL_ENV } from "../../harness/protocol.ts";
import { serveJson } from "../wsrpc/json_server.ts";

const url = Deno.env.get(REDIS_URL_ENV);
if (url === undefined) throw new Error(`${REDIS_URL_ENV} is not set: the orchestrator sets it`);
await serveJson(redisEngine({ url, prefix: "bench" }));
