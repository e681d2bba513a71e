/**
 * Runs `tests/apps/resumable_server.ts` in its own process, so that a test
 * can kill it for real.
 *
 * @module
 */

const APP = new URL("../apps/resumable_server.ts", import.meta.url);
const ROOT = new URL("../../", import.meta.url);

/** A server process: its port, and a way to kill it. */
export class ServerProcess implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #output: Promise<void>;
  /** The port it listens on. */
  readonly port: number;

  private constructor(child: Deno.ChildProcess, output: Promise<void>, port: number) {
    this.#child = child;
    this.#output = output;
    this.port = port;
  }

  /**
   * Starts the app and waits until it listens.
   *
   * @param options The port (0 for a free one), the store file, and how many events it makes.
   */
  static async start(
    options: { port: number; store: string; count: number },
  ): Promise<ServerProcess> {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        `--allow-read=${options.store}`,
        `--allow-write=${options.store}`,
        APP.href,
        String(options.port),
        options.store,
        String(options.count),
      ],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`The server exited before it listened: ${await child.status}`);
      text += value;
    }
    const { port } = JSON.parse(text.slice(0, text.indexOf("\n"))) as { port: number };
    // Keep reading, so that the pipe closes when the process ends.
    const output = (async () => {
      while (!(await reader.read()).done) {
        // Nothing else is expected.
      }
    })();
    return new ServerProcess(child, output, port);
  }

  /** The server's WebSocket URL. */
  get url(): string {
    return `ws://127.0.0.1:${this.port}/`;
  }

  /** Kills it with SIGKILL (no cleanup of any kind) and waits until it is gone. */
  async kill(): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await this.#child.status;
    await this.#output;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.kill();
  }
}
