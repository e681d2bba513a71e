/**
 * A real `redis-server` for tests: on a free port of 127.0.0.1, with its data
 * in a temporary directory, and ways to stop, kill and restart it.
 *
 * Tests using it need `--allow-all` (or run, read, write, env and net), and
 * wrap their definitions in {@link needsRedis}, so that they are skipped
 * (and said to be) where `redis-server` is not installed.
 *
 * @module
 */

import { createClient } from "redis";
import { type Requirement, requirement } from "./_skip.ts";
import { sleep } from "./_wait.ts";

/** How long `redis-server` may take to answer PING after it was started. */
const STARTUP_TIMEOUT = 5_000;

/** How long one PING may wait for its answer. */
const PING_TIMEOUT = 500;

/** The Debian package name is the binary's name. */
const BINARY = "redis-server";

/**
 * Marks a test as needing `redis-server`: ignored (and reported) when it is
 * not installed, failing when it is not installed on CI.
 */
export const needsRedis: Requirement = requirement("Redis", {
  available: redisAvailable(),
  missing: `${BINARY} is not installed`,
  howToGet: `apt-get install -y ${BINARY}`,
});

/** Whether `redis-server` is an executable file in a directory of `PATH`. */
export function redisAvailable(): boolean {
  return findBinary() !== undefined;
}

/** The first `redis-server` on `PATH`, if any. */
function findBinary(): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "") continue;
    const path = `${dir}/${BINARY}`;
    try {
      const info = Deno.statSync(path);
      if (info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return path;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** A running `redis-server` child, and the text it wrote. */
interface Running {
  child: Deno.ChildProcess;
  output: Promise<string>;
  exited: boolean;
}

/** Options of {@link RedisServer.start}. */
export interface RedisServerOptions {
  /**
   * Log every write to an append-only file, synced before the reply, so that
   * acknowledged writes survive a restart (default `true`).
   */
  appendOnly?: boolean;
}

/**
 * One `redis-server` process for one test.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * Deno.test(needsRedis({
 *   name: "redis answers",
 *   async fn() {
 *     await using redis = await RedisServer.start();
 *     assert.equal(await redis.command("SET", "k", "v"), "OK");
 *     assert.equal((await redis.commandCounts()).get("set"), 1);
 *   },
 * }));
 * ```
 */
export class RedisServer implements AsyncDisposable {
  /** The port it listens on, on 127.0.0.1; the same after a restart. */
  readonly port: number;
  readonly #binary: string;
  readonly #dir: string;
  readonly #appendOnly: boolean;
  #running: Running | undefined;

  private constructor(binary: string, dir: string, port: number, appendOnly: boolean) {
    this.#binary = binary;
    this.#dir = dir;
    this.port = port;
    this.#appendOnly = appendOnly;
  }

  /**
   * Starts `redis-server` on a free port with an empty temporary directory.
   *
   * @param options Whether to keep an append-only file (default `true`).
   * @returns The server, once it answers PING.
   * @throws {Error} When `redis-server` is not installed, or does not answer in time.
   */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const binary = findBinary();
    if (binary === undefined) throw new Error(`${BINARY} is not on PATH`);
    const dir = await Deno.makeTempDir({ prefix: "wsrpc-redis-" });
    // The free port may be taken again before redis binds it: try another.
    for (let attempt = 1;; attempt++) {
      const server = new RedisServer(binary, dir, freePort(), options.appendOnly ?? true);
      try {
        await server.#launch();
        return server;
      } catch (error) {
        if (attempt === 3) {
          await Deno.remove(dir, { recursive: true });
          throw error;
        }
      }
    }
  }

  /** The URL for a Redis client: `redis://127.0.0.1:port`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Stops it with SIGTERM (a clean shutdown) and waits until it is gone. */
  async stop(): Promise<void> {
    await this.#end("SIGTERM");
  }

  /** Kills it with SIGKILL (no shutdown of any kind) and waits until it is gone. */
  async kill(): Promise<void> {
    await this.#end("SIGKILL");
  }

  /**
   * Stops it (unless it is already stopped or killed), waits, and starts it
   * again on the same port and directory, so the append-only file is replayed.
   *
   * @param options `downFor`: milliseconds to stay down (default 0).
   * @throws {Error} When it does not answer PING in time, e.g. because the port was taken.
   */
  async restart(options: { downFor?: number } = {}): Promise<void> {
    await this.stop();
    await sleep(options.downFor ?? 0);
    await this.#launch();
  }

  /**
   * Runs one command with a short-lived client, which sends nothing else:
   * {@link commandCounts} sees exactly the commands run here (its own `INFO`
   * included, from the next call on).
   *
   * @param args The command and its arguments: `command("XLEN", "stream")`.
   * @returns The reply: a string, a number, `null` or an array of those.
   * @throws {Error} An error reply, or when the server cannot be reached.
   */
  async command(...args: string[]): Promise<unknown> {
    const client = createClient({
      url: this.url,
      RESP: 2,
      disableClientInfo: true,
      socket: { reconnectStrategy: false },
    });
    // RESP2 and no client info: the connection sends no HELLO or CLIENT SETINFO of its own.
    // Errors also reject `connect` or `sendCommand`; without a listener they would crash.
    client.on("error", () => {});
    try {
      await client.connect();
      return await client.sendCommand(args);
    } finally {
      client.destroy();
    }
  }

  /**
   * How often each command ran since the start or {@link resetStats}, from
   * `INFO commandstats`: `cmdstat_xrange:calls=3,...` gives `xrange → 3`,
   * subcommands read `config|resetstat`.
   */
  async commandCounts(): Promise<Map<string, number>> {
    const info = await this.command("INFO", "commandstats");
    const counts = new Map<string, number>();
    for (const match of String(info).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      counts.set(match[1]!, Number(match[2]));
    }
    return counts;
  }

  /** Sets the command counts back to zero (`CONFIG RESETSTAT`). */
  async resetStats(): Promise<void> {
    await this.command("CONFIG", "RESETSTAT");
  }

  /** Stops it and removes its directory. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
    await Deno.remove(this.#dir, { recursive: true });
  }

  /** Spawns the process and waits until it answers PING. */
  async #launch(): Promise<void> {
    const child = new Deno.Command(this.#binary, {
      args: [
        ...["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.#dir],
        ...["--save", "", "--appendonly", this.#appendOnly ? "yes" : "no"],
        ...["--appendfsync", "always", "--loglevel", "warning"],
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const running: Running = { child, output: readAll(child), exited: false };
    this.#running = running;
    child.status.then(() => running.exited = true);
    const deadline = Date.now() + STARTUP_TIMEOUT;
    while (!(await answersPing(this.port))) {
      if (running.exited || Date.now() > deadline) {
        await this.kill();
        const output = (await running.output).trim();
        throw new Error(`${BINARY} on port ${this.port} did not answer PING:\n${output}`);
      }
      await sleep(20);
    }
  }

  /** Sends `signal` unless it is gone already, and waits for its end and its output. */
  async #end(signal: Deno.Signal): Promise<void> {
    const running = this.#running;
    if (running === undefined) return;
    this.#running = undefined;
    if (!running.exited) {
      try {
        running.child.kill(signal);
      } catch {
        // It exited between the check and the signal.
      }
    }
    await running.child.status;
    await running.output;
  }
}

/** A port that was free on 127.0.0.1 a moment ago. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** Reads the child's stdout and stderr to their end, so both pipes close. */
async function readAll(child: Deno.ChildProcess): Promise<string> {
  const [stdout, stderr] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return stdout + stderr;
}

/** Whether a server on `port` answers `PING` with `+PONG` within {@link PING_TIMEOUT}. */
async function answersPing(port: number): Promise<boolean> {
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
  } catch {
    return false;
  }
  // Whatever holds the port may accept and never answer; closing ends the read.
  let open = true;
  const close = () => {
    if (open) conn.close();
    open = false;
  };
  const timer = setTimeout(close, PING_TIMEOUT);
  try {
    await conn.write(new TextEncoder().encode("PING\r\n"));
    const buffer = new Uint8Array(64);
    let reply = "";
    while (!reply.includes("\r\n")) {
      const n = await conn.read(buffer);
      if (n === null) return false;
      reply += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return reply.startsWith("+PONG");
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    close();
  }
}
