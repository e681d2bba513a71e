/**
 * `deno task dev:cluster`: the chat example as several instances on one
 * Redis, so that a message typed in a tab of one instance shows in a tab of
 * another.
 *
 * It starts a `redis-server` of its own (on a free port, its files in a
 * temporary directory), unless `REDIS_URL` names a running Redis; then 2
 * instances of `server.ts` (3 with `--instances=3` or `INSTANCES=3`) on ports
 * 8000, 8001… (from `PORT` up; `PORT=0` gives each a free port), listening
 * on `HOST`. A port that is taken is said in one line, before anything starts.
 * Ctrl-C or SIGTERM stops the instances and the Redis it started.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { assertPortsFree, PortInUse } from "./port.ts";

const SERVER = new URL("./server.ts", import.meta.url);
const ROOT = new URL("../../", import.meta.url);
const INSTALL_REDIS = "dev:cluster needs redis-server: install it " +
  "(apt-get install -y redis-server on Debian/Ubuntu, brew install redis on macOS), " +
  "or set REDIS_URL to a running Redis.";
/** How long `redis-server` may take to answer PING. */
const REDIS_STARTUP = 5_000;
/** How long an instance may take to stop before it is killed. */
const STOP_TIMEOUT = 5_000;

/** A process this launcher started, and whether it has exited. */
interface Child {
  readonly process: Deno.ChildProcess;
  /** Whether it has exited. */
  exited: boolean;
}

/** A `redis-server` this launcher started, and its temporary directory. */
interface OwnRedis {
  readonly url: string;
  readonly child: Child;
  readonly dir: string;
}

/** One chat instance: its process and the URLs it printed. */
interface Instance {
  readonly child: Child;
  readonly url: string;
  readonly adminUrl: string;
}

/** A failure the launcher explains in its message, with no need for a stack. */
class StartFailed extends Error {}

/**
 * Starts `redis-server` on a free port of 127.0.0.1, its files in a new
 * temporary directory and nothing saved to disk.
 *
 * @throws {StartFailed} When `redis-server` is not on `PATH`, or did not start.
 */
async function startRedis(): Promise<OwnRedis> {
  const dir = await Deno.makeTempDir({ prefix: "wsrpc-chat-redis-" });
  // The free port may be taken again before redis binds it: try another.
  for (let attempt = 1;; attempt++) {
    const port = freePort();
    let child: Child;
    try {
      child = spawn("redis-server", {
        args: [
          ...["--port", String(port), "--bind", "127.0.0.1", "--dir", dir],
          ...["--save", "", "--appendonly", "no", "--loglevel", "warning"],
        ],
        stdout: "null",
        stderr: "piped",
      });
    } catch (error) {
      await Deno.remove(dir, { recursive: true });
      if (error instanceof Deno.errors.NotFound) throw new StartFailed(INSTALL_REDIS);
      throw error;
    }
    const output = new Response(child.process.stderr).text();
    const deadline = Date.now() + REDIS_STARTUP;
    while (!child.exited && Date.now() < deadline && !(await answersPing(port))) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (!child.exited && await answersPing(port)) {
      return { url: `redis://127.0.0.1:${port}`, child, dir };
    }
    await stop(child);
    const detail = (await output).trim();
    if (attempt === 3) {
      await Deno.remove(dir, { recursive: true });
      throw new StartFailed(`redis-server did not start on port ${port}:\n${detail}`);
    }
  }
}

/**
 * Starts one instance of `server.ts` and waits until it says where it listens.
 * Its other output (and all its errors) goes to this terminal.
 */
async function startInstance(
  port: number,
  options: {
    hostname: string | undefined;
    redisUrl: string;
    adminToken: string;
    children: Child[];
  },
): Promise<Instance> {
  const redisHost = new URL(options.redisUrl).host || "127.0.0.1:6379";
  const child = spawn(Deno.execPath(), {
    args: [
      "run",
      `--config=${fileURLToPath(new URL("./deno.json", import.meta.url))}`,
      `--allow-net=127.0.0.1,localhost,0.0.0.0,${redisHost}`,
      "--allow-read",
      "--allow-run", // `deno bundle`
      // node-redis reads the last two.
      "--allow-env=PORT,HOST,ADMIN_TOKEN,REDIS_DEBUG_MAINTENANCE,REDIS_EMIT_DIAGNOSTICS",
      SERVER.href,
      `--port=${port}`,
      `--redis=${options.redisUrl}`,
      ...(options.hostname === undefined ? [] : [`--host=${options.hostname}`]),
    ],
    cwd: ROOT,
    env: { ADMIN_TOKEN: options.adminToken },
    stdout: "piped",
    stderr: "inherit",
  });
  options.children.push(child);
  const lines = child.process.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/^Admin .*: (\S+)$/m.test(text)) {
    const { value, done } = await lines.read();
    if (done) throw new StartFailed(`The instance for port ${port} exited before it listened`);
    text += value;
  }
  // Pass the rest of its output on, so that the pipe never fills up.
  (async () => {
    for (let next = await lines.read(); !next.done; next = await lines.read()) {
      await Deno.stdout.write(new TextEncoder().encode(next.value));
    }
  })().catch(() => {});
  return {
    child,
    url: /^Chat example: (\S+)$/m.exec(text)?.[1] ?? `port ${port}`,
    adminUrl: /^Admin .*: (\S+)$/m.exec(text)?.[1] ?? "",
  };
}

/** Spawns a process, and tracks whether it has exited. */
function spawn(command: string | URL, options: Deno.CommandOptions): Child {
  const process = new Deno.Command(command, { stdin: "null", ...options }).spawn();
  const child: Child = { process, exited: false };
  process.status.then(() => child.exited = true);
  return child;
}

/** Asks a child to stop (SIGTERM), kills it if it takes too long, and waits for its end. */
async function stop(child: Child): Promise<void> {
  if (!child.exited) {
    try {
      child.process.kill("SIGTERM");
    } catch {
      // It exited between the check and the signal.
    }
  }
  const timer = setTimeout(() => {
    try {
      child.process.kill("SIGKILL");
    } catch {
      // Gone already.
    }
  }, STOP_TIMEOUT);
  await child.process.status;
  clearTimeout(timer);
}

/** A port that was free on 127.0.0.1 a moment ago. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** Whether a server on `port` answers `PING` with `+PONG`. */
async function answersPing(port: number): Promise<boolean> {
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
  } catch {
    return false;
  }
  try {
    await conn.write(new TextEncoder().encode("PING\r\n"));
    const buffer = new Uint8Array(64);
    const n = await conn.read(buffer);
    return n !== null && new TextDecoder().decode(buffer.subarray(0, n)).startsWith("+PONG");
  } catch {
    return false;
  } finally {
    conn.close();
  }
}

/** A Redis URL fit for the terminal: its password hidden. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.href;
  } catch {
    return url;
  }
}

/** Reads a whole number within bounds, or fails with a message that names where it came from. */
function parseCount(value: string, from: string, min: number, max: number): number {
  const count = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(count >= min && count <= max)) {
    throw new RangeError(`${from} must be a number from ${min} to ${max}, not "${value}"`);
  }
  return count;
}

/**
 * Runs the cluster until Ctrl-C, SIGTERM or the end of an instance.
 *
 * @returns The exit code: 0 when stopped by a signal, 1 when something failed.
 */
async function main(): Promise<number> {
  let count: number, firstPort: number;
  const hostname = Deno.env.get("HOST") || undefined;
  try {
    const { values } = parseArgs({ args: Deno.args, options: { instances: { type: "string" } } });
    const instancesArg = values.instances ?? (Deno.env.get("INSTANCES") || undefined);
    count = instancesArg === undefined ? 2 : parseCount(
      instancesArg,
      values.instances === undefined ? "INSTANCES" : "--instances",
      1,
      10,
    );
    firstPort = parseCount(Deno.env.get("PORT") || "8000", "PORT", 0, 65535 - count + 1);
    // Before Redis and the instances: a taken port is one line, and nothing to stop.
    assertPortsFree(hostname ?? "127.0.0.1", firstPort, count);
  } catch (error) {
    // A mistake in the command line or a taken port: one line says what to do.
    if (
      !(error instanceof PortInUse || error instanceof RangeError || error instanceof TypeError)
    ) {
      throw error;
    }
    console.error(error.message);
    return 1;
  }

  const stopped = Promise.withResolvers<number>();
  let stopping = false;
  const stopWith = (code: number) => {
    stopping = true;
    stopped.resolve(code);
  };
  const onSignal = () => stopWith(0);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", onSignal);
  Deno.addSignalListener("SIGINT", onSignal);

  let redis: OwnRedis | undefined;
  const children: Child[] = [];
  try {
    let redisUrl = Deno.env.get("REDIS_URL") || undefined;
    if (redisUrl === undefined) {
      redis = await startRedis();
      redisUrl = redis.url;
      console.log(`Redis: ${redisUrl} (started for this cluster, stopped with it)`);
    } else {
      console.log(`Redis: ${withoutPassword(redisUrl)} (from REDIS_URL)`);
    }
    const adminToken = crypto.randomUUID();
    const ports = Array.from({ length: count }, (_, i) => firstPort === 0 ? 0 : firstPort + i);
    const starting = ports.map((port) =>
      startInstance(port, { hostname, redisUrl, adminToken, children })
    );
    const started = await Promise.race([Promise.all(starting), stopped.promise]);
    if (typeof started === "number") return started;
    for (const [i, instance] of started.entries()) {
      console.log(`Instance ${i + 1}: ${instance.url}`);
      instance.child.process.status.then(({ code }) => {
        if (stopping) return;
        console.error(`Instance ${i + 1} exited (code ${code}): stopping the others.`);
        stopWith(1);
      });
    }
    console.log(`Admin (may clear rooms, on every instance): ${started[0]!.adminUrl}`);
    console.log(
      "Open one tab per instance: a message sent in one shows in all. Ctrl-C stops them.",
    );
    return await stopped.promise;
  } catch (error) {
    console.error(error instanceof StartFailed ? error.message : error);
    return 1;
  } finally {
    stopping = true;
    await Promise.all(children.map(stop));
    if (redis !== undefined) {
      await stop(redis.child);
      await Deno.remove(redis.dir, { recursive: true });
    }
  }
}

if (import.meta.main) Deno.exit(await main());
