/**
 * A TCP proxy process that tests drive to break the network on purpose.
 *
 * ```sh
 * deno run --allow-net tests/_fault_proxy.ts 127.0.0.1:8000
 * ```
 *
 * It listens on a free port of 127.0.0.1, prints `{"port":N}`, and forwards
 * bytes both ways between each client and the target. It reads one command
 * a line on stdin and answers each with one JSON line on stdout:
 *
 * | command              | effect                                                       |
 * | -------------------- | ------------------------------------------------------------ |
 * | `cut`                | close every connection abruptly (no WebSocket close frame)   |
 * | `freeze`             | stop forwarding both ways, without closing: a half-open link |
 * | `thaw`               | forward again, held bytes first                              |
 * | `delay <ms>`         | hold each chunk this long before forwarding: a slow link     |
 * | `target <host:port>` | send new connections there (a restarted server)              |
 * | `stats`              | answer with how many connections were accepted and are open  |
 *
 * Freezing affects new connections too: they are accepted but nothing flows.
 * The process exits when stdin closes.
 *
 * @module
 */

interface Link {
  readonly client: Deno.Conn;
  server: Deno.Conn | undefined;
  closed: boolean;
}

let target = parseTarget(Deno.args[0] ?? "");
let delay = 0;
let thawed: Promise<void> = Promise.resolve();
let thaw: (() => void) | undefined;
let accepted = 0;
const links = new Set<Link>();

function parseTarget(text: string): { hostname: string; port: number } {
  const at = text.lastIndexOf(":");
  const port = Number(text.slice(at + 1));
  if (at < 1 || !Number.isInteger(port) || port <= 0) {
    throw new TypeError(`Expected a target such as 127.0.0.1:8000, got "${text}"`);
  }
  return { hostname: text.slice(0, at), port };
}

function closeLink(link: Link): void {
  if (link.closed) return;
  link.closed = true;
  links.delete(link);
  for (const conn of [link.client, link.server]) {
    try {
      conn?.close();
    } catch {
      // Already closed.
    }
  }
}

/**
 * Copies one direction of a link. Each chunk is due `delay` ms after it was
 * read and is written in order; while frozen, chunks (and the end of the
 * stream) are held, not dropped.
 */
async function pump(link: Link, from: Deno.Conn, to: Deno.Conn): Promise<void> {
  const queue: Array<{ chunk: Uint8Array | null; due: number }> = [];
  let wake: (() => void) | undefined;
  const reading = (async () => {
    const buffer = new Uint8Array(64 * 1024);
    while (!link.closed) {
      let read: number | null;
      try {
        read = await from.read(buffer);
      } catch {
        read = null;
      }
      queue.push({ chunk: read === null ? null : buffer.slice(0, read), due: Date.now() + delay });
      wake?.();
      if (read === null) return;
    }
  })();
  try {
    while (!link.closed) {
      if (queue.length === 0) {
        await new Promise<void>((resolve) => wake = resolve);
        wake = undefined;
        continue;
      }
      const { chunk, due } = queue[0]!;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await thawed;
      if (link.closed) return;
      queue.shift();
      if (chunk === null) return;
      let written = 0;
      while (written < chunk.length) written += await to.write(chunk.subarray(written));
    }
  } catch {
    // The other side went away.
  } finally {
    closeLink(link);
    await reading;
  }
}

async function serveLink(client: Deno.Conn): Promise<void> {
  const link: Link = { client, server: undefined, closed: false };
  links.add(link);
  try {
    link.server = await Deno.connect(target);
  } catch {
    closeLink(link);
    return;
  }
  if (link.closed) {
    link.server.close();
    return;
  }
  await Promise.all([pump(link, client, link.server), pump(link, link.server, client)]);
}

function obey(line: string): Record<string, unknown> {
  const [command = "", argument = ""] = line.trim().split(/\s+/);
  switch (command) {
    case "cut":
      for (const link of [...links]) closeLink(link);
      break;
    case "freeze":
      if (thaw === undefined) thawed = new Promise((resolve) => thaw = resolve);
      break;
    case "thaw":
      thaw?.();
      thaw = undefined;
      break;
    case "delay":
      delay = Number(argument);
      if (!Number.isFinite(delay) || delay < 0) return { error: `Bad delay "${argument}"` };
      break;
    case "target":
      try {
        target = parseTarget(argument);
      } catch (error) {
        return { error: (error as Error).message };
      }
      break;
    case "stats":
      return { ok: command, accepted, open: links.size };
    default:
      return { error: `Unknown command "${command}"` };
  }
  return { ok: command };
}

const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const encoder = new TextEncoder();
const say = (value: unknown) => Deno.stdout.writeSync(encoder.encode(JSON.stringify(value) + "\n"));
say({ port: listener.addr.port });

const accepting = (async () => {
  try {
    for await (const client of listener) {
      accepted++;
      void serveLink(client);
    }
  } catch {
    // The listener was closed.
  }
})();

let pending = "";
for await (const text of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  pending += text;
  let newline: number;
  while ((newline = pending.indexOf("\n")) >= 0) {
    const line = pending.slice(0, newline);
    pending = pending.slice(newline + 1);
    if (line.trim() !== "") say(obey(line));
  }
}

listener.close();
thaw?.();
for (const link of [...links]) closeLink(link);
await accepting;
Deno.exit(0);
