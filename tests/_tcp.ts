/**
 * A WebSocket client written by hand over a raw TCP connection, for what a
 * real WebSocket won't do: stop reading (so the server's send buffer fills),
 * or send a text frame that is not UTF-8.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Opcodes of RFC 6455. */
export const Opcode = { Text: 0x1, Binary: 0x2, Close: 0x8 } as const;

/** A hand-made WebSocket client that reads only when asked to. */
export class TcpWebSocket {
  /** How many frames other than close frames `readClose` has skipped. */
  framesRead = 0;
  readonly #conn: Deno.TcpConn;
  #pending: Uint8Array;
  #reading: Promise<Uint8Array | null> | undefined;
  #closed = false;

  private constructor(conn: Deno.TcpConn, pending: Uint8Array) {
    this.#conn = conn;
    this.#pending = pending;
  }

  /**
   * Connects and does the opening handshake.
   *
   * @param url A `ws://127.0.0.1:port/path` URL.
   * @param headers Extra request headers.
   * @returns The client, once the server answered 101.
   * @throws {Error} When the server answers anything else.
   */
  static async open(url: string, headers: Record<string, string> = {}): Promise<TcpWebSocket> {
    const { hostname, port, pathname } = new URL(url);
    const conn = await Deno.connect({ hostname, port: Number(port) });
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    const lines = [
      `GET ${pathname} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${key}`,
      "Sec-WebSocket-Version: 13",
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    await writeAll(conn, encoder.encode(`${lines.join("\r\n")}\r\n\r\n`));
    let received: Uint8Array = new Uint8Array(0);
    while (true) {
      const end = indexOfHeaderEnd(received);
      if (end !== -1) {
        const head = decoder.decode(received.subarray(0, end));
        if (!head.startsWith("HTTP/1.1 101")) {
          conn.close();
          throw new Error(`The server refused the upgrade: ${head.split("\r\n")[0]}`);
        }
        return new TcpWebSocket(conn, received.slice(end + 4));
      }
      const chunk = new Uint8Array(4096);
      const read = await conn.read(chunk);
      if (read === null) {
        conn.close();
        throw new Error("The server closed during the handshake");
      }
      received = concat(received, chunk.subarray(0, read));
    }
  }

  /**
   * Sends one masked frame, as a client must.
   *
   * @param opcode The frame's opcode.
   * @param payload The payload: text is sent as UTF-8.
   */
  async send(opcode: number, payload: string | Uint8Array): Promise<void> {
    await writeAll(this.#conn, maskedFrame(opcode, payload));
  }

  /**
   * Sends text frames in one write, so the server reads them all at once.
   *
   * @param texts The frames' text.
   */
  async sendAll(texts: readonly string[]): Promise<void> {
    const frames = texts.map((text) => maskedFrame(Opcode.Text, text));
    await writeAll(this.#conn, frames.reduce(concat, new Uint8Array(0)));
  }

  /**
   * Reads frames until the server's close frame, skipping the rest.
   *
   * @param timeout Milliseconds to wait.
   * @returns The close code (1005 when the frame has none), or `undefined` if
   *   the connection ended (or was reset) without a close frame.
   */
  async readClose(timeout = 5000): Promise<number | undefined> {
    const deadline = Date.now() + timeout;
    while (true) {
      const frame = parseFrame(this.#pending);
      if (frame !== undefined) {
        this.#pending = this.#pending.slice(frame.size);
        if (frame.opcode !== Opcode.Close) {
          this.framesRead++;
          continue;
        }
        if (frame.payload.length < 2) return 1005;
        return new DataView(frame.payload.buffer, frame.payload.byteOffset).getUint16(0);
      }
      this.#reading ??= this.#readChunk();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const read = await Promise.race([
        this.#reading,
        new Promise<"late">((resolve) => {
          timer = setTimeout(() => resolve("late"), Math.max(0, deadline - Date.now()));
        }),
      ]);
      clearTimeout(timer);
      if (read === "late") throw new Error("No close frame arrived in time");
      this.#reading = undefined;
      if (read === null) return undefined;
      this.#pending = concat(this.#pending, read);
    }
  }

  /** One read; `null` at the end of the stream or once closed. */
  #readChunk(): Promise<Uint8Array | null> {
    const chunk = new Uint8Array(65536);
    return this.#conn.read(chunk).then(
      (read) => read === null ? null : chunk.slice(0, read),
      () => null,
    );
  }

  /** Drops the TCP connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#conn.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** A client frame: masked, as RFC 6455 requires. */
function maskedFrame(opcode: number, payload: string | Uint8Array): Uint8Array {
  const data = typeof payload === "string" ? encoder.encode(payload) : payload;
  const length = data.length;
  const lengthBytes = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const frame = new Uint8Array(2 + lengthBytes + 4 + length);
  frame[0] = 0x80 | opcode;
  const view = new DataView(frame.buffer);
  if (lengthBytes === 0) frame[1] = 0x80 | length;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    view.setUint16(2, length);
  } else {
    frame[1] = 0x80 | 127;
    view.setBigUint64(2, BigInt(length));
  }
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const start = 2 + lengthBytes;
  frame.set(mask, start);
  for (let i = 0; i < length; i++) frame[start + 4 + i] = (data[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return frame;
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let written = 0;
  while (written < data.length) written += await conn.write(data.subarray(written));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

function indexOfHeaderEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}

/** One unmasked server frame at the start of `bytes`, if it is all there. */
function parseFrame(
  bytes: Uint8Array,
): { opcode: number; payload: Uint8Array; size: number } | undefined {
  if (bytes.length < 2) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let length = (bytes[1] ?? 0) & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (bytes.length < 4) return undefined;
    length = view.getUint16(2);
    offset = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return undefined;
    length = Number(view.getBigUint64(2));
    offset = 10;
  }
  if (bytes.length < offset + length) return undefined;
  return {
    opcode: (bytes[0] ?? 0) & 0x0f,
    payload: bytes.slice(offset, offset + length),
    size: offset + length,
  };
}
