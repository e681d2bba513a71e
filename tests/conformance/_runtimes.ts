/**
 * The conformance suite's harness: the same app (./_app.ts) served by Deno,
 * Node and Bun, each in its own process, for tests that speak to it over the
 * wire. Deno runs the TypeScript sources; Node and Bun run a bundle of them
 * made with `deno bundle` (no other registry or tool needed). A runtime this
 * machine lacks is skipped locally and fails on CI (tests/_skip.ts).
 *
 * @module
 */

import { bundleEntry, runtimeMissing, toolVersion } from "../_bundle.ts";
import { requirement } from "../_skip.ts";
import type { AppConfig } from "./_app.ts";

/** The runtimes every conformance test runs on. */
export const RUNTIMES = ["deno", "node", "bun"] as const;

/** A runtime the suite runs on. */
export type Runtime = typeof RUNTIMES[number];

const ROOT = new URL("../../", import.meta.url);

/** The versions found, by runtime: Deno's own, and Node's and Bun's on the PATH. */
export const VERSIONS: Readonly<Record<Runtime, string | undefined>> = {
  deno: Deno.version.deno,
  node: toolVersion("node"),
  bun: toolVersion("bun"),
};

const needs: Record<Runtime, (definition: Deno.TestDefinition) => Deno.TestDefinition> = {
  deno: (definition) => definition,
  node: requirement("Node", {
    available: runtimeMissing("node", VERSIONS.node) === undefined,
    missing: runtimeMissing("node", VERSIONS.node) ?? "",
    howToGet: "apt-get install -y nodejs",
  }),
  bun: requirement("Bun", {
    available: runtimeMissing("bun", VERSIONS.bun) === undefined,
    missing: runtimeMissing("bun", VERSIONS.bun) ?? "",
    howToGet: "npm i -g bun@1.4.5",
  }),
};

/**
 * Declares one test per runtime, named `name (runtime)`.
 *
 * @param name What a user would see.
 * @param fn The test, given the runtime to start servers on.
 */
export function conformance(
  name: string,
  fn: (runtime: Runtime, t: Deno.TestContext) => Promise<void>,
): void {
  for (const runtime of RUNTIMES) {
    Deno.test(needs[runtime]({ name: `${name} (${runtime})`, fn: (t) => fn(runtime, t) }));
  }
}

/**
 * Declares a test for one runtime only, named `name (runtime)`.
 *
 * @param runtime The runtime.
 * @param name What a user would see.
 * @param fn The test.
 */
export function onRuntime(
  runtime: Runtime,
  name: string,
  fn: (t: Deno.TestContext) => Promise<void>,
): void {
  Deno.test(needs[runtime]({ name: `${name} (${runtime})`, fn }));
}

/** Bundles made in this test process, by entry point. */
const bundles = new Map<string, Promise<string>>();

/**
 * A JavaScript bundle of a TypeScript entry point, npm packages included,
 * for Node and Bun; made once per test process.
 *
 * @param entry The entry point, relative to the repository root.
 * @returns The bundle's path.
 */
export function bundle(entry: string): Promise<string> {
  let made = bundles.get(entry);
  if (made === undefined) {
    made = (async () => {
      const dir = await Deno.makeTempDir({ prefix: "wsrpc-bundle-" });
      const out = `${dir}/${entry.replaceAll("/", "_").replace(/\.ts$/, ".mjs")}`;
      await bundleEntry(entry, out, { cwd: ROOT });
      return out;
    })();
    bundles.set(entry, made);
  }
  return made;
}

/**
 * The command that runs an entry point on a runtime.
 *
 * @param runtime The runtime.
 * @param entry The entry point, relative to the repository root.
 * @param args Its arguments.
 * @returns The program and its arguments.
 */
export async function commandFor(
  runtime: Runtime,
  entry: string,
  args: string[],
): Promise<[string, string[]]> {
  switch (runtime) {
    case "deno":
      return [Deno.execPath(), ["run", "--allow-all", entry, ...args]];
    case "node":
      return ["node", [await bundle(entry), ...args]];
    case "bun":
      return ["bun", [await bundle(entry), ...args]];
  }
}

/** The conformance app, running on one runtime in its own process. */
export class AppServer implements AsyncDisposable {
  /** The runtime it runs on. */
  readonly runtime: Runtime;
  /** The port it listens on. */
  readonly port: number;
  readonly #child: Deno.ChildProcess;
  readonly #lines: AsyncIterator<string>;

  private constructor(
    runtime: Runtime,
    child: Deno.ChildProcess,
    lines: AsyncIterator<string>,
    port: number,
  ) {
    this.runtime = runtime;
    this.#child = child;
    this.#lines = lines;
    this.port = port;
  }

  /**
   * Starts the app and waits until it listens.
   *
   * @param runtime Where to run it.
   * @param config What to serve, and how.
   * @returns The running server.
   */
  static async start(runtime: Runtime, config: AppConfig = {}): Promise<AppServer> {
    const [program, args] = await commandFor(
      runtime,
      `tests/conformance/servers/${runtime}.ts`,
      [JSON.stringify(config)],
    );
    const child = new Deno.Command(program, {
      args,
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      // The app logs refused origins; WSRPC_DEBUG=1 shows what it says.
      stderr: Deno.env.get("WSRPC_DEBUG") ? "inherit" : "null",
    }).spawn();
    const lines = readLines(child.stdout);
    const first = await lines.next();
    if (first.done) throw new Error(`The ${runtime} server exited: ${(await child.status).code}`);
    const { port } = JSON.parse(first.value) as { port: number };
    return new AppServer(runtime, child, lines, port);
  }

  /** The WebSocket URL of the app (it serves on every path). */
  get url(): string {
    return `ws://127.0.0.1:${this.port}/rpc`;
  }

  /**
   * Asks for a graceful shutdown (SIGTERM) and waits for the app to say it
   * is done.
   *
   * @returns How many connections were left when the shutdown resolved.
   */
  async shutdown(): Promise<{ connections: number }> {
    this.#child.kill("SIGTERM");
    const line = await this.#lines.next();
    if (line.done) throw new Error("The server exited without shutting down");
    const { shutdown } = JSON.parse(line.value) as { shutdown: { connections: number } };
    await this.#child.status;
    return shutdown;
  }

  /** Kills it with SIGKILL, and waits until it is gone. */
  async kill(): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await this.#child.status;
    // Read to the end, so that the pipe is closed.
    while (!(await this.#lines.next()).done) {
      // Nothing more is expected.
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.kill();
  }
}

/** The lines of a stream, one at a time. */
async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let text = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    let newline;
    while ((newline = text.indexOf("\n")) >= 0) {
      yield text.slice(0, newline);
      text = text.slice(newline + 1);
    }
  }
}
