/**
 * Counting connections, per server and per client address, to refuse new
 * ones before they are upgraded.
 *
 * @module
 */

/**
 * A connection's slot: give it back when the connection is gone. Giving it
 * back again does nothing. (An object rather than a closure: it is held for
 * a connection's whole life, and a closure and its scope cost twice as much.)
 */
export class Slot {
  readonly #counter: ConnectionCounter;
  readonly #key: string | undefined;
  #released = false;

  /**
   * @param counter The counter the slot was taken from.
   * @param key The address it is counted under, if known.
   */
  constructor(counter: ConnectionCounter, key: string | undefined) {
    this.#counter = counter;
    this.#key = key;
  }

  /** Gives the slot back, once. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#counter.giveBack(this.#key);
  }
}

/** Whether a connection may go ahead, and if not, the HTTP status and why. */
export type Admission =
  | { ok: true; slot: Slot }
  | { ok: false; status: 429 | 503; message: string };

/**
 * Counts open connections and refuses those over the server's or an
 * address's limit. A slot is taken before the handshake, so connections
 * still being authenticated count too.
 *
 * @example One connection per address
 * ```ts
 * import { ConnectionCounter } from "./admission.ts";
 * import assert from "node:assert/strict";
 *
 * const counter = new ConnectionCounter({ maxConnections: 10, maxConnectionsPerIp: 1 });
 * const first = counter.admit("192.0.2.1");
 * assert.equal(first.ok, true);
 * assert.equal(counter.admit("192.0.2.1").ok, false);
 * if (first.ok) first.slot.release();
 * assert.equal(counter.admit("192.0.2.1").ok, true);
 * ```
 */
export class ConnectionCounter {
  readonly #maxConnections: number;
  readonly #maxPerIp: number;
  readonly #perIp = new Map<string, number>();
  #total = 0;

  /** @param limits The caps: per server, and per client address. */
  constructor(limits: { maxConnections: number; maxConnectionsPerIp: number }) {
    this.#maxConnections = limits.maxConnections;
    this.#maxPerIp = limits.maxConnectionsPerIp;
  }

  /** How many slots are taken. */
  get size(): number {
    return this.#total;
  }

  /**
   * Takes a slot for a connection from `ip`, if there is one.
   *
   * @param ip The client's address, or `undefined` when it is not known
   *   (then only the server's cap applies).
   * @returns The slot, or the refusal.
   */
  admit(ip: string | undefined): Admission {
    if (this.#total >= this.#maxConnections) {
      return { ok: false, status: 503, message: "The server has too many connections" };
    }
    const key = ip === undefined ? undefined : addressKey(ip);
    const held = key === undefined ? 0 : this.#perIp.get(key) ?? 0;
    if (key !== undefined && held >= this.#maxPerIp) {
      return { ok: false, status: 429, message: "Too many connections from your address" };
    }
    this.#total++;
    if (key !== undefined) this.#perIp.set(key, held + 1);
    return { ok: true, slot: new Slot(this, key) };
  }

  /** @internal A slot was given back. */
  giveBack(key: string | undefined): void {
    this.#total--;
    if (key === undefined) return;
    const left = (this.#perIp.get(key) ?? 1) - 1;
    if (left > 0) this.#perIp.set(key, left);
    else this.#perIp.delete(key);
  }
}

/**
 * The key an address is counted under: an IPv4 address as it is, an IPv6
 * address by its /64 network (one client usually holds a whole /64), and an
 * IPv4-mapped IPv6 address as the IPv4 address.
 *
 * @example
 * ```ts
 * import { addressKey } from "./admission.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(addressKey("2001:db8::1"), addressKey("2001:db8:0:0:ffff::2"));
 * assert.equal(addressKey("::ffff:192.0.2.7"), "192.0.2.7");
 * ```
 *
 * @param ip An IP address, or any other string that names a client.
 * @returns The key.
 */
export function addressKey(ip: string): string {
  const address = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  if (!address.includes(":")) return address;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  const groups = expandIpv6(address.split("%")[0] ?? address);
  return groups === undefined ? address.toLowerCase() : `${groups.slice(0, 4).join(":")}::/64`;
}

/** The eight groups of an IPv6 address, or `undefined` if it isn't one. */
function expandIpv6(address: string): string[] | undefined {
  const halves = address.toLowerCase().split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] === "" ? [] : (halves[0] ?? "").split(":");
  const tail = halves.length === 2 && halves[1] !== "" ? (halves[1] ?? "").split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(missing).fill("0"), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return undefined;
  return groups.map((group) => group.replace(/^0+(?=.)/, ""));
}
