/**
 * A child process a test starts and reads until it has printed what the
 * test waits for (its port, its links), then keeps reading, so that its
 * pipes close when it ends.
 *
 * @module
 */

/** A started child process, and what it printed up to the awaited text. */
export interface Spawned {
  /** The process. */
  readonly child: Deno.ChildProcess;
  /** What it printed on stdout, up to and including the awaited text. */
  readonly output: string;
  /** Everything it writes on stderr, once it has ended. */
  readonly stderr: Promise<string>;
  /** Resolves once its stdout has ended (the rest is read and dropped). */
  readonly stdoutEnded: Promise<void>;
}

/**
 * Spawns `command` (with stdout and stderr piped) and reads its stdout until
 * `ready` says it has printed what is awaited.
 *
 * @param command The command, with `stdout: "piped"` and `stderr: "piped"`.
 * @param ready Whether the output so far holds what is awaited.
 * @param what Names the process in the error when it ends before that.
 * @returns The process and its output so far.
 * @throws {Error} When it ends before `ready`, with its output and stderr.
 */
export async function spawnUntil(
  command: Deno.Command,
  ready: (output: string) => boolean,
  what: string,
): Promise<Spawned> {
  const child = command.spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  while (!ready(output)) {
    const { value, done } = await reader.read();
    if (done) {
      const { code } = await child.status;
      throw new Error(`${what} ended (${code}) before it was ready:\n${output}\n${await stderr}`);
    }
    output += value;
  }
  const stdoutEnded = (async () => {
    while (!(await reader.read()).done) {
      // Read to the end, so that the pipe closes.
    }
  })();
  return { child, output, stderr, stdoutEnded };
}

/**
 * Ends a spawned process with `signal`, if it still runs, and waits until
 * it and its pipes are done.
 *
 * @param spawned The process.
 * @param signal The signal to send.
 * @returns Its exit status.
 */
export async function stopSpawned(
  spawned: Spawned,
  signal: Deno.Signal = "SIGTERM",
): Promise<Deno.CommandStatus> {
  try {
    spawned.child.kill(signal);
  } catch {
    // Gone already.
  }
  await spawned.stdoutEnded;
  await spawned.stderr;
  return await spawned.child.status;
}

const ROOT = new URL("../", import.meta.url);

/**
 * Runs `deno task <task>` in the repository as a person runs it (on a free
 * port, without colors), until it has printed what `ready` awaits.
 *
 * @param task The task's name.
 * @param ready Whether the output so far holds what is awaited.
 * @returns The process and its output so far.
 */
export function spawnTask(task: string, ready: (output: string) => boolean): Promise<Spawned> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["task", task],
    cwd: ROOT,
    env: { PORT: "0", NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  return spawnUntil(command, ready, `deno task ${task}`);
}
