/**
 * A seeded generator of malformed and mutated JSON-RPC frames, for the fuzz
 * test. The same seed makes the same frames.
 *
 * @module
 */

/**
 * mulberry32: a tiny, fast 32-bit PRNG, plenty for fuzzing.
 *
 * @param seed Any 32-bit integer.
 * @returns A function returning numbers in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The endpoints of the fuzzed server, with params that fit each. */
const METHODS = ["echo", "add", "greet", "when", "count", "slow", "boom", "rpc.ping"] as const;

/** Draws frames from one seed. */
export class FrameFuzzer {
  readonly #random: () => number;
  #serial = 0;

  /** @param seed The seed. */
  constructor(seed: number) {
    this.#random = mulberry32(seed);
  }

  /** The next frame: mostly malformed, sometimes valid, always text. */
  next(): string {
    const pick = this.#random();
    if (pick < 0.15) return JSON.stringify(this.#validRequest());
    if (pick < 0.35) return JSON.stringify(this.#mutatedRequest());
    if (pick < 0.45) return this.#truncated();
    if (pick < 0.55) return this.#charMutated();
    if (pick < 0.62) return this.#randomText(this.#int(0, 64));
    if (pick < 0.72) return JSON.stringify(this.#batch());
    if (pick < 0.78) return this.#deep();
    if (pick < 0.86) return JSON.stringify(this.#control());
    if (pick < 0.95) return JSON.stringify(this.#withMeta());
    if (pick < 0.998) return JSON.stringify(this.#value(3));
    return JSON.stringify(this.#hugeString());
  }

  /** A first frame for a server that wants `rpc.connect`: often almost one. */
  firstFrame(): string {
    if (this.#random() < 0.4) return this.next();
    const frame: Record<string, unknown> = { jsonrpc: "2.0", method: "rpc.connect" };
    frame.params = this.#oneOf<unknown>([
      { token: this.#randomText(this.#int(0, 8)) },
      { token: this.#value(2) },
      this.#value(3),
      [{ token: "t" }],
    ]);
    if (this.#random() < 0.1) delete frame.params;
    if (this.#random() < 0.2) frame.id = this.#id();
    if (this.#random() < 0.3) frame.meta = this.#withMeta().meta;
    if (this.#random() < 0.2) frame[this.#oneOf(["jsonrpc", "method"])] = this.#value(1);
    const text = JSON.stringify(frame);
    return this.#random() < 0.15 ? text.slice(0, this.#int(0, text.length)) : text;
  }

  #int(min: number, max: number): number {
    return min + Math.floor(this.#random() * (max - min + 1));
  }

  #oneOf<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.#random() * items.length)];
    if (item === undefined) throw new Error("oneOf needs items");
    return item;
  }

  /** Ids from a small pool, so that duplicates happen. */
  #id(): string | number {
    return this.#random() < 0.5 ? this.#int(0, 20) : `f${this.#int(0, 20)}`;
  }

  #validRequest(): Record<string, unknown> {
    const method = this.#oneOf(METHODS);
    const frame: Record<string, unknown> = { jsonrpc: "2.0", method };
    if (this.#random() < 0.8) frame.id = this.#id();
    switch (method) {
      case "echo":
        frame.params = [this.#value(3)];
        break;
      case "add":
        frame.params = [this.#int(-1000, 1000), this.#int(-1000, 1000)];
        break;
      case "greet":
        frame.params = { name: this.#randomText(this.#int(0, 20)), times: this.#int(0, 3) };
        break;
      case "when":
        frame.params = [new Date(this.#int(0, 2 ** 40)).toISOString()];
        frame.meta = { values: { "0": ["Date"] }, v: 1 };
        break;
      case "count":
        frame.params = { to: this.#int(0, 30) };
        break;
      case "slow":
        frame.params = [this.#int(0, 20)];
        break;
      default:
        break;
    }
    return frame;
  }

  #mutatedRequest(): Record<string, unknown> {
    const frame = this.#validRequest();
    const field = this.#oneOf(["jsonrpc", "id", "method", "params", "meta", "extra", "drop"]);
    if (field === "drop") {
      delete frame[this.#oneOf(["jsonrpc", "id", "method", "params"])];
    } else if (field === "method") {
      frame.method = this.#oneOf<unknown>([
        this.#randomText(this.#int(0, 12)),
        "__proto__",
        "constructor",
        "rpc.",
        "rpc.connect",
        "echo.echo",
        this.#value(1),
      ]);
    } else if (field === "id") {
      frame.id = this.#oneOf<unknown>([null, {}, [], true, 1.5, -0, 1e308, "", this.#value(2)]);
    } else {
      frame[field] = this.#value(3);
    }
    return frame;
  }

  #truncated(): string {
    const text = JSON.stringify(this.#random() < 0.5 ? this.#validRequest() : this.#batch());
    return text.slice(0, this.#int(0, Math.max(0, text.length - 1)));
  }

  #charMutated(): string {
    const chars = [...JSON.stringify(this.#validRequest())];
    const edits = this.#int(1, 4);
    for (let i = 0; i < edits; i++) {
      const at = this.#int(0, chars.length);
      const edit = this.#random();
      const char = this.#oneOf(['"', "{", "}", "[", "]", ",", ":", "\\", "0", "e", "-", " "]);
      if (edit < 0.33) chars.splice(at, 1);
      else if (edit < 0.66) chars.splice(at, 0, char);
      else chars[at] = char;
    }
    return chars.join("");
  }

  /** Random UTF-16 code units, lone surrogates and control characters included. */
  #randomText(length: number): string {
    let text = "";
    for (let i = 0; i < length; i++) {
      const kind = this.#random();
      const unit = kind < 0.6
        ? this.#int(0x20, 0x7e)
        : kind < 0.8
        ? this.#int(0, 0x1f)
        : kind < 0.9
        ? this.#int(0xd800, 0xdfff)
        : this.#int(0x80, 0xffff);
      text += String.fromCharCode(unit);
    }
    return text;
  }

  /** A random JSON value, with hostile keys sometimes. */
  #value(depth: number): unknown {
    const kind = this.#random();
    if (depth <= 0 || kind < 0.4) {
      return this.#oneOf<unknown>([
        null,
        true,
        false,
        0,
        -1,
        this.#int(-1e9, 1e9),
        this.#random() * 1e308,
        Number.MAX_SAFE_INTEGER + 2,
        this.#randomText(this.#int(0, 16)),
        "",
      ]);
    }
    if (kind < 0.7) {
      return Array.from({ length: this.#int(0, 5) }, () => this.#value(depth - 1));
    }
    const object: Record<string, unknown> = {};
    const keys = this.#int(0, 5);
    for (let i = 0; i < keys; i++) {
      const key = this.#oneOf([
        "__proto__",
        "constructor",
        "prototype",
        "toString",
        "a",
        "name",
        "to",
        this.#randomText(this.#int(0, 6)),
      ]);
      Object.defineProperty(object, key, {
        value: this.#value(depth - 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return object;
  }

  #batch(): unknown[] {
    const length = this.#random() < 0.05 ? this.#int(95, 120) : this.#int(0, 8);
    return Array.from({ length }, () => {
      const pick = this.#random();
      if (pick < 0.5) return this.#validRequest();
      if (pick < 0.8) return this.#mutatedRequest();
      return this.#value(2);
    });
  }

  #deep(): string {
    const depth = this.#int(1, 200);
    const open = this.#random() < 0.5 ? "[" : '{"a":';
    const close = open === "[" ? "]" : "}";
    const inner = `${open.repeat(depth)}1${close.repeat(this.#random() < 0.9 ? depth : 0)}`;
    return `{"jsonrpc":"2.0","id":${this.#int(0, 20)},"method":"echo","params":[${inner}]}`;
  }

  #control(): Record<string, unknown> {
    const method = this.#oneOf(["rpc.unsubscribe", "rpc.cancel", "rpc.ping", "rpc.connect"]);
    const frame: Record<string, unknown> = { jsonrpc: "2.0", method };
    if (this.#random() < 0.7) frame.id = this.#id();
    const target = this.#id();
    frame.params = this.#oneOf<unknown>([
      [target],
      { subscription: target },
      { id: target },
      this.#value(2),
    ]);
    return frame;
  }

  #withMeta(): Record<string, unknown> {
    const frame = this.#validRequest();
    frame.params = frame.params ?? [this.#value(2)];
    const type = this.#oneOf<unknown>([
      "Date",
      "undefined",
      "bigint",
      "map",
      "set",
      "regexp",
      "Error",
      "number",
      "URL",
      "nonsense",
      ["class", "X"],
      ["custom", "Y"],
      ["symbol", "Z"],
    ]);
    const path = this.#oneOf([
      "0",
      "0.a",
      "__proto__",
      "__proto__.polluted",
      "constructor.prototype.x",
      "prototype",
      "a\\.b",
      "",
    ]);
    frame.meta = this.#oneOf<unknown>([
      { values: { [path]: [type] }, v: 1 },
      { values: [type] },
      { values: { [path]: [type, this.#value(1)] } },
      { values: this.#value(2) },
      { referentialEqualities: { [path]: [this.#oneOf(["0", "0.a", "", "__proto__"])] } },
      this.#value(2),
    ]);
    return frame;
  }

  /** A string that is large, but within the message limit. */
  #hugeString(): Record<string, unknown> {
    this.#serial++;
    return {
      jsonrpc: "2.0",
      id: `huge-${this.#serial}`,
      method: "echo",
      params: ["h".repeat(this.#int(10_000, 900_000))],
    };
  }
}
