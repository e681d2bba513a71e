/**
 * Drives `tests/_fault_proxy.ts`, a TCP proxy in its own process, from a test.
 *
 * @module
 */

const SCRIPT = new URL("../_fault_proxy.ts", import.meta.url);

/** What `stats` answers. */
export interface ProxyStats {
  /** Connections accepted since the proxy started. */
  accepted: number;
  /** Connections open now. */
  open: number;
}

/** A running fault proxy: a WebSocket URL through it, and the faults it injects. */
export class FaultProxy implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;
  /** The port the proxy listens on. */
  readonly port: number;

  private constructor(
    child: Deno.ChildProcess,
    lines: AsyncIterator<string>,
    port: number,
  ) {
    this.#child = child;
    this.#stdin = child.stdin.getWriter();
    this.#lines = lines;
    this.port = port;
  }

  /**
   * Starts a proxy to `target` and waits until it listens.
   *
   * @param target Where to forward, as `host:port`.
   */
  static async start(target: string): Promise<FaultProxy> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net=127.0.0.1", SCRIPT.href, target],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const lines = readLines(child.stdout);
    const first = await lines.next();
    if (first.done) throw new Error("The fault proxy exited before it listened");
    const { port } = JSON.parse(first.value) as { port: number };
    return new FaultProxy(child, lines, port);
  }

  /** The proxy's URL for a path on the target: `ws://127.0.0.1:<proxy port>/rpc`. */
  url(path = "/rpc"): string {
    return `ws://127.0.0.1:${this.port}${path}`;
  }

  /** Closes every connection abruptly: no close frame, as when a cable is pulled. */
  cut(): Promise<void> {
    return this.#command("cut").then(() => {});
  }

  /** Stops forwarding both ways without closing anything: a half-open link. */
  freeze(): Promise<void> {
    return this.#command("freeze").then(() => {});
  }

  /** Forwards again, starting with what was held. */
  thaw(): Promise<void> {
    return this.#command("thaw").then(() => {});
  }

  /** Holds every chunk `ms` milliseconds before forwarding it; 0 for no delay. */
  delay(ms: number): Promise<void> {
    return this.#command(`delay ${ms}`).then(() => {});
  }

  /** Sends new connections to another `host:port`. */
  target(target: string): Promise<void> {
    return this.#command(`target ${target}`).then(() => {});
  }

  /** How many connections the proxy has accepted, and how many are open. */
  async stats(): Promise<ProxyStats> {
    const answer = await this.#command("stats");
    return { accepted: answer.accepted as number, open: answer.open as number };
  }

  /** Closes stdin, which makes the proxy close everything and exit, and waits for it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#stdin.close().catch(() => {});
    while (!(await this.#lines.next()).done) {
      // Drain stdout so the process can exit and its pipe closes.
    }
    const status = await this.#child.status;
    if (!status.success) throw new Error(`The fault proxy exited with ${status.code}`);
  }

  async #command(line: string): Promise<Record<string, unknown>> {
    await this.#stdin.write(new TextEncoder().encode(line + "\n"));
    const answer = await this.#lines.next();
    if (answer.done) throw new Error(`The fault proxy exited on "${line}"`);
    const parsed = JSON.parse(answer.value) as Record<string, unknown>;
    if (parsed.ok === undefined) {
      throw new Error(`The fault proxy refused "${line}": ${parsed.error}`);
    }
    return parsed;
  }
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let pending = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    pending += text;
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      yield pending.slice(0, newline);
      pending = pending.slice(newline + 1);
    }
  }
}
