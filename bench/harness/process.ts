/**
 * Child processes for the orchestrator: spawned pinned to a CPU with enough
 * file descriptors, their stdout read as JSON lines, their stderr kept for
 * when something fails, and stopped for sure.
 *
 * @module
 */

import { lines, parseJsonLine } from "./lines.ts";

/** How a child is started. */
export interface SpawnOptions {
  /** The CPU to pin it to with taskset, or null for no pinning. */
  readonly cpu: number | null;
  /** Raise the open-file limit to this first, or null to leave it. */
  readonly nofile: number | null;
}

/** How many lines of a child's stderr are kept. */
const STDERR_TAIL_LINES = 30;

/** Wraps `command` in taskset and a shell that raises the fd limit. */
export function wrap(command: readonly string[], options: SpawnOptions): string[] {
  let argv = [...command];
  if (options.nofile !== null) {
    const raise = 'ulimit -n "$1" 2>/dev/null || { echo "cannot raise the open-file limit ' +
      'to $1 (hard limit $(ulimit -Hn))" >&2; exit 97; }; shift; exec "$@"';
    argv = ["sh", "-c", raise, "sh", String(options.nofile), ...argv];
  }
  if (options.cpu !== null) argv = ["taskset", "-c", String(options.cpu), ...argv];
  return argv;
}

/** A running child process that speaks the bench protocol on stdout. */
export class Child {
  readonly #process: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #objects: Record<string, unknown>[] = [];
  readonly #tail: string[] = [];
  #wake: (() => void) | null = null;
  #stdoutDone = false;
  /** Settles with the exit status. */
  readonly status: Promise<Deno.CommandStatus>;

  /** `env` is added to the orchestrator's environment. */
  constructor(
    command: readonly string[],
    options: SpawnOptions,
    env: Readonly<Record<string, string>> = {},
  ) {
    const [program, ...args] = wrap(command, options);
    this.#process = new Deno.Command(program ?? "false", {
      args,
      env: { NO_COLOR: "1", ...env },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.#process.stdin.getWriter();
    this.status = this.#process.status;
    this.#pumpStdout();
    this.#pumpStderr();
  }

  /** The child's process id (taskset and sh exec, so it is the program's). */
  get pid(): number {
    return this.#process.pid;
  }

  async #pumpStdout(): Promise<void> {
    try {
      for await (const line of lines(this.#process.stdout)) {
        const object = parseJsonLine(line);
        if (object === null) this.#keep(`stdout: ${line}`);
        else this.#objects.push(object);
        this.#wake?.();
      }
    } finally {
      this.#stdoutDone = true;
      this.#wake?.();
    }
  }

  async #pumpStderr(): Promise<void> {
    for await (const line of lines(this.#process.stderr)) this.#keep(line);
  }

  #keep(line: string): void {
    this.#tail.push(line);
    if (this.#tail.length > STDERR_TAIL_LINES) this.#tail.shift();
  }

  /** The last lines the child wrote to stderr (and non-JSON stdout). */
  get stderrTail(): string {
    return this.#tail.join("\n");
  }

  /** Resolves to the next JSON object on stdout; rejects on exit or timeout. */
  async nextJson(timeoutMs: number, what: string): Promise<Record<string, unknown>> {
    const deadline = performance.now() + timeoutMs;
    while (this.#objects.length === 0) {
      if (this.#stdoutDone) throw new Error(`${what}: the process exited first`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${what}: no answer within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
    return this.#objects.shift() as Record<string, unknown>;
  }

  /** Writes one line to the child's stdin. */
  async writeLine(text: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(text + "\n"));
  }

  /**
   * Closes stdin (a server exits on that), waits up to `graceMs` for the
   * child to exit, then kills it.
   */
  async stop(graceMs: number): Promise<void> {
    await this.#stdin.close().catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exited = await Promise.race([
      this.status.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (!exited) {
      try {
        this.#process.kill("SIGKILL");
      } catch {
        // It exited in between.
      }
      await this.status;
    }
  }
}
