/**
 * Server instances on one Redis, each `tests/apps/topic_server.ts` in its own
 * process, so that a test can kill one for real (SIGKILL) and check that the
 * others neither crashed nor hung.
 *
 * @module
 */

import { topicServerArgs, type TopicServerFlags } from "../apps/topic_server.ts";
import { spawnUntil } from "../_spawned.ts";

const APP = new URL("../apps/topic_server.ts", import.meta.url);
const ROOT = new URL("../../", import.meta.url);

/** How long an instance may take to exit after SIGTERM before it counts as hung. */
const STOP_TIMEOUT = 5_000;

/** What an instance is started with: the app's flags, without the port (always a free one). */
export type InstanceOptions = Omit<TopicServerFlags, "port">;

/** One server process. */
export class Instance implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #stdout: Promise<void>;
  readonly #stderr: Promise<string>;
  #exited = false;
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** Its process id. */
  readonly pid: number;

  private constructor(
    child: Deno.ChildProcess,
    streams: { stdout: Promise<void>; stderr: Promise<string> },
    port: number,
  ) {
    this.#child = child;
    this.#stdout = streams.stdout;
    this.#stderr = streams.stderr;
    this.port = port;
    this.pid = child.pid;
    child.status.then(() => this.#exited = true);
  }

  /**
   * Starts an instance and waits until it listens.
   *
   * @param options The Redis URL and the app's settings.
   * @throws {Error} When it exits before it listens, with what it wrote on stderr.
   */
  static async start(options: InstanceOptions): Promise<Instance> {
    const command = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        // node-redis reads these two (its debug switches) on every connection.
        "--allow-env=REDIS_DEBUG_MAINTENANCE,REDIS_EMIT_DIAGNOSTICS",
        APP.href,
        ...topicServerArgs({ ...options, port: 0 }),
      ],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
    // Its stderr (the engine reports lost links there) is shown when something fails.
    const spawned = await spawnUntil(command, (text) => text.includes("\n"), "An instance");
    const { output } = spawned;
    const { port } = JSON.parse(output.slice(0, output.indexOf("\n"))) as { port: number };
    return new Instance(
      spawned.child,
      { stdout: spawned.stdoutEnded, stderr: spawned.stderr },
      port,
    );
  }

  /** Its WebSocket URL (the app serves wsrpc on every path). */
  get url(): string {
    return `ws://127.0.0.1:${this.port}/`;
  }

  /** Whether the process has ended (crashed, killed or stopped). */
  get exited(): boolean {
    return this.#exited;
  }

  /** Kills it with SIGKILL (no cleanup of any kind) and waits until it is gone. */
  async kill(): Promise<void> {
    this.#signal("SIGKILL");
    await this.#child.status;
    await this.#settle();
  }

  /**
   * Stops it with SIGTERM and waits until it exits by itself.
   *
   * @returns What it wrote on stderr.
   * @throws {Error} When it had crashed already, exits with an error, or is
   *   still running after {@link STOP_TIMEOUT} ms (it is then killed).
   */
  async stop(): Promise<string> {
    const crashed = this.#exited;
    this.#signal("SIGTERM");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hung = await Promise.race([
      this.#child.status.then(() => false),
      new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(true), STOP_TIMEOUT)),
    ]);
    clearTimeout(timer);
    if (hung) await this.kill();
    const status = await this.#child.status;
    const stderr = await this.#settle();
    if (crashed) throw new Error(`Instance ${this.pid} had exited (${status.code}):\n${stderr}`);
    if (hung) {
      throw new Error(
        `Instance ${this.pid} hung: no exit ${STOP_TIMEOUT} ms after SIGTERM:\n${stderr}`,
      );
    }
    if (!status.success) {
      throw new Error(`Instance ${this.pid} exited with ${status.code} on SIGTERM:\n${stderr}`);
    }
    return stderr;
  }

  /** Kills it if it still runs: the end of a test that failed halfway. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#exited) await this.kill();
    else await this.#settle();
  }

  #signal(signal: Deno.Signal): void {
    if (this.#exited) return;
    try {
      this.#child.kill(signal);
    } catch {
      // It exited between the check and the signal.
    }
  }

  async #settle(): Promise<string> {
    await this.#stdout;
    return await this.#stderr;
  }
}

/** Several instances on one Redis, disposed together. */
export class Instances implements AsyncDisposable {
  /** The instances, in the order they were started. */
  readonly list: readonly Instance[];

  private constructor(list: Instance[]) {
    this.list = list;
  }

  /**
   * Starts `count` instances at once, and waits until they all listen.
   *
   * @param count How many.
   * @param options The Redis URL and the app's settings, the same for each.
   */
  static async start(count: number, options: InstanceOptions): Promise<Instances> {
    const started = await Promise.allSettled(
      Array.from({ length: count }, () => Instance.start(options)),
    );
    const list = started.flatMap((result) => result.status === "fulfilled" ? [result.value] : []);
    const failure = started.find((result) => result.status === "rejected");
    if (failure !== undefined) {
      for (const instance of list) await instance.kill();
      throw failure.reason;
    }
    return new Instances(list);
  }

  /** The instance at `index`. */
  at(index: number): Instance {
    const instance = this.list[index];
    if (instance === undefined) throw new RangeError(`No instance ${index}`);
    return instance;
  }

  /**
   * Stops every instance that still runs, and fails if one crashed or hung.
   * Instances the test killed itself are left out.
   */
  async stop(options: { killed?: readonly Instance[] } = {}): Promise<void> {
    const errors: unknown[] = [];
    for (const instance of this.list) {
      if (options.killed?.includes(instance)) continue;
      try {
        await instance.stop();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, "Instances crashed or hung");
  }

  /** Kills every instance still running. */
  async [Symbol.asyncDispose](): Promise<void> {
    for (const instance of this.list) await instance[Symbol.asyncDispose]();
  }
}
