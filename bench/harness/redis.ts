/**
 * The `redis-server` a run of a system on Redis shares: started by the
 * orchestrator on a free port of 127.0.0.1 (pinned like the servers), with no
 * persistence, and stopped after the run. Its command counts come from
 * `INFO commandstats`, over a few lines of RESP.
 *
 * @module
 */

import { wrap } from "./process.ts";
import type { SpawnOptions } from "./process.ts";
import { sleep } from "./stats.ts";

const BINARY = "redis-server";
const STARTUP_MS = 5_000;
const STOP_GRACE_MS = 3_000;

/** The line of `redis-server --version`, or null when it is not installed. */
export async function redisVersion(): Promise<string | null> {
  try {
    const out = await new Deno.Command(BINARY, { args: ["--version"], stdout: "piped" }).output();
    if (!out.success) return null;
    const text = new TextDecoder().decode(out.stdout);
    return /v=(\S+)/.exec(text)?.[1] ?? text.trim();
  } catch {
    return null;
  }
}

/** A reply, as far as these commands need: strings, numbers, null, arrays. */
type Reply = string | number | null | Reply[];

/** Encodes a command as a RESP array of bulk strings. */
function encode(args: readonly string[]): Uint8Array {
  const encoder = new TextEncoder();
  let text = `*${args.length}\r\n`;
  for (const arg of args) text += `$${encoder.encode(arg).length}\r\n${arg}\r\n`;
  return encoder.encode(text);
}

/** Parses one reply at `at`; undefined while it is incomplete. */
function parse(bytes: Uint8Array, at: number): [Reply, number] | undefined {
  const end = bytes.indexOf(13, at); // \r
  if (end < 0 || end + 1 >= bytes.length) return undefined;
  const line = new TextDecoder().decode(bytes.subarray(at + 1, end));
  const next = end + 2;
  switch (String.fromCharCode(bytes[at]!)) {
    case "+":
      return [line, next];
    case "-":
      throw new Error(`redis: ${line}`);
    case ":":
      return [Number(line), next];
    case "$": {
      const length = Number(line);
      if (length < 0) return [null, next];
      if (next + length + 2 > bytes.length) return undefined;
      return [new TextDecoder().decode(bytes.subarray(next, next + length)), next + length + 2];
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return [null, next];
      const items: Reply[] = [];
      let from = next;
      for (let i = 0; i < count; i++) {
        const item = parse(bytes, from);
        if (item === undefined) return undefined;
        items.push(item[0]);
        from = item[1];
      }
      return [items, from];
    }
    default:
      throw new Error(`redis: unexpected reply ${line}`);
  }
}

/** Runs one command on a connection of its own. */
async function command(port: number, ...args: string[]): Promise<Reply> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(encode(args));
    let bytes = new Uint8Array(0);
    const chunk = new Uint8Array(16_384);
    while (true) {
      const reply = parse(bytes, 0);
      if (reply !== undefined) return reply[0];
      const n = await conn.read(chunk);
      if (n === null) throw new Error(`redis closed the connection during ${args[0]}`);
      const grown = new Uint8Array(bytes.length + n);
      grown.set(bytes);
      grown.set(chunk.subarray(0, n), bytes.length);
      bytes = grown;
    }
  } finally {
    conn.close();
  }
}

/** A port that was free on 127.0.0.1 a moment ago. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** One `redis-server` for one run. */
export class RedisProcess {
  readonly port: number;
  readonly #child: Deno.ChildProcess;
  #exited = false;

  private constructor(port: number, child: Deno.ChildProcess) {
    this.port = port;
    this.#child = child;
    child.status.then(() => this.#exited = true);
  }

  /**
   * Starts `redis-server` on a free port, placed as `spawn` says; resolves
   * once it answers PING.
   */
  static async start(spawn: SpawnOptions): Promise<RedisProcess> {
    let lastError: unknown;
    // The free port may be taken again before redis binds it: try another.
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = freePort();
      const [program, ...args] = wrap([
        BINARY,
        ...["--port", String(port), "--bind", "127.0.0.1"],
        ...["--save", "", "--appendonly", "no", "--loglevel", "warning"],
      ], spawn);
      const child = new Deno.Command(program!, {
        args,
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      const redis = new RedisProcess(port, child);
      try {
        await redis.#waitForPing();
        return redis;
      } catch (error) {
        lastError = error;
        await redis.stop();
      }
    }
    throw lastError;
  }

  /** `redis://127.0.0.1:<port>`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Sets the command counts back to zero. */
  async resetStats(): Promise<void> {
    await command(this.port, "CONFIG", "RESETSTAT");
  }

  /**
   * The calls of each command since the start or the last reset, from
   * `INFO commandstats` (`cmdstat_xrange:calls=3,…` gives `xrange: 3`), but
   * for the counting's own `info` and `config|resetstat`.
   */
  async commandCounts(): Promise<Record<string, number>> {
    const info = String(await command(this.port, "INFO", "commandstats"));
    const counts: Record<string, number> = {};
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      const name = match[1]!;
      if (name !== "info" && name !== "config|resetstat") counts[name] = Number(match[2]);
    }
    return counts;
  }

  /** Stops it (SIGTERM, then SIGKILL after a grace period) and waits until it is gone. */
  async stop(): Promise<void> {
    if (!this.#exited) {
      try {
        this.#child.kill("SIGTERM");
      } catch {
        // It exited in between.
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const exited = await Promise.race([
        this.#child.status.then(() => true),
        new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), STOP_GRACE_MS)),
      ]);
      clearTimeout(timer);
      if (!exited) {
        try {
          this.#child.kill("SIGKILL");
        } catch {
          // It exited in between.
        }
      }
    }
    await this.#child.status;
  }

  async #waitForPing(): Promise<void> {
    const deadline = performance.now() + STARTUP_MS;
    while (true) {
      try {
        if (await command(this.port, "PING") === "PONG") return;
      } catch {
        // Not listening yet.
      }
      if (this.#exited) throw new Error(`${BINARY} on port ${this.port} exited at start`);
      if (performance.now() > deadline) {
        throw new Error(`${BINARY} on port ${this.port} did not answer PING`);
      }
      await sleep(20);
    }
  }
}
