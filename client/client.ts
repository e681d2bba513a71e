/**
 * `createClient`: a typed proxy over one WebSocket.
 *
 * @module
 */

import { type Codec, superjsonCodec } from "../shared/codec.ts";
import { type Endpoint, flattenRouter, type Router } from "../shared/contract.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import { validate } from "../shared/validate.ts";
import { LazyCall } from "./lazy_call.ts";
import { RequestManager } from "./requests.ts";
import { Stream } from "./subscription.ts";
import { Transport, type WebSocketConstructor } from "./transport.ts";
import type { Client, ClientControls } from "./types.ts";

/** The options of {@linkcode createClient}. */
export interface ClientOptions {
  /** The server's WebSocket URL, such as `ws://localhost:8000/rpc`. */
  url: string | URL;
  /**
   * Validate inputs against the contract before sending them, so a bad call
   * fails without a round trip. Needs the contract value. Defaults to `false`:
   * the server validates every input anyway.
   */
  validateInput?: boolean;
  /** Turns payloads into JSON and back. Must match the server's. Defaults to superjson. */
  codec?: Codec;
  /** The `WebSocket` constructor to use. Defaults to the global one. */
  WebSocket?: WebSocketConstructor;
}

const CONTROLS: ReadonlySet<string> = new Set(["close"]);

/**
 * Makes a typed client of a contract. Pass the contract value, or only its
 * type (`createClient<typeof api>({ url })`) to keep zod out of a browser
 * bundle. The connection opens on the first call.
 *
 * Made from the type alone, the client can't tell a procedure from a
 * subscription until it is used, so each call is sent when it is awaited or
 * iterated, not when it is made.
 *
 * @example Call a procedure and read a subscription
 * ```ts ignore
 * import { createClient } from "@wsrpc/core/client";
 * import { api } from "./api.ts";
 *
 * const client = createClient(api, { url: "ws://localhost:8000/rpc" });
 * console.log(await client.hello("world"));
 * for await (const message of client.chat.messages({ room: "general" })) {
 *   console.log(message.text);
 * }
 * client.close();
 * ```
 *
 * @param contract The router contract, for run-time knowledge of each endpoint.
 * @param options Where to connect, and how.
 * @returns The client.
 */
export function createClient<TRouter extends Router>(
  contract: TRouter,
  options: ClientOptions,
): Client<TRouter>;
/**
 * Makes a typed client from the contract's type alone.
 *
 * @example Keep the contract's schemas out of the bundle
 * ```ts ignore
 * import { createClient } from "@wsrpc/core/client";
 * import type { api } from "./api.ts";
 *
 * const client = createClient<typeof api>({ url: "ws://localhost:8000/rpc" });
 * console.log(await client.hello("world"));
 * ```
 *
 * @param options Where to connect, and how.
 * @returns The client.
 */
export function createClient<TRouter extends Router>(options: ClientOptions): Client<TRouter>;
export function createClient<TRouter extends Router>(
  contractOrOptions: TRouter | ClientOptions,
  maybeOptions?: ClientOptions,
): Client<TRouter> {
  const contract = isRouter(contractOrOptions) ? contractOrOptions : undefined;
  const options = (maybeOptions ?? contractOrOptions) as ClientOptions;
  const endpoints = contract ? flattenRouter(contract) : undefined;
  if (contract) {
    for (const name of Object.keys(contract.routes)) {
      if (CONTROLS.has(name)) {
        throw new TypeError(`"${name}" is reserved on the client; move that route into a router`);
      }
    }
  }
  const codec = options.codec ?? superjsonCodec;
  const transport: Transport = new Transport(options.url, {
    message: (text) => requests.receive(text),
    close: (code, reason) =>
      requests.failAll(
        new RpcError(ErrorCode.ConnectionLost, describeClose(code, reason)),
        "error",
      ),
  }, options.WebSocket ?? WebSocket);
  const requests = new RequestManager((text) => transport.send(text), codec);

  const check = (endpoint: Endpoint | undefined, input: unknown): unknown =>
    options.validateInput && endpoint?.input ? validate(endpoint.input, input) : input;

  const call = (path: string, input: unknown): unknown => {
    if (endpoints === undefined) {
      return new LazyCall(
        () => requests.call(path, input),
        (sink) => requests.subscribe(path, input, sink),
      );
    }
    const endpoint = endpoints.get(path);
    if (endpoint?.kind === "subscription") {
      return new Stream((sink) => {
        try {
          const valid = check(endpoint, input);
          if (valid instanceof Promise) {
            let stop: (() => void) | undefined;
            let stopped = false;
            valid.then((value) => {
              if (!stopped) stop = requests.subscribe(path, value, sink);
            }, (error) => sink.error(RpcError.from(error)));
            return () => {
              stopped = true;
              stop?.();
            };
          }
          return requests.subscribe(path, valid, sink);
        } catch (error) {
          queueMicrotask(() => sink.error(RpcError.from(error)));
          return () => {};
        }
      });
    }
    if (endpoint === undefined) {
      return Promise.reject(new RpcError(ErrorCode.MethodNotFound, `Method not found: ${path}`));
    }
    try {
      const valid = check(endpoint, input);
      if (valid instanceof Promise) return valid.then((value) => requests.call(path, value));
      return requests.call(path, valid);
    } catch (error) {
      return Promise.reject(RpcError.from(error));
    }
  };

  const controls: ClientControls = {
    close() {
      transport.close();
      requests.failAll(new RpcError(ErrorCode.ConnectionLost, "The client was closed"), "complete");
    },
  };
  return makeProxy([], call, controls) as Client<TRouter>;
}

type Call = (path: string, input: unknown) => unknown;

function makeProxy(path: string[], call: Call, controls: ClientControls): unknown {
  const children = new Map<string, unknown>();
  const dotted = path.join(".");
  // A function target, so that the proxy can be called as well as walked.
  return new Proxy(() => {}, {
    get(_target, name) {
      if (typeof name !== "string" || name === "then") return undefined;
      if (path.length === 0 && CONTROLS.has(name)) {
        return controls[name as keyof ClientControls];
      }
      let child = children.get(name);
      if (child === undefined) {
        child = makeProxy([...path, name], call, controls);
        children.set(name, child);
      }
      return child;
    },
    apply(_target, _this, args: unknown[]) {
      return call(dotted, args[0]);
    },
  });
}

function isRouter(value: unknown): value is Router {
  return typeof value === "object" && value !== null && (value as Router).kind === "router";
}

function describeClose(code: number, reason: string): string {
  return `The connection closed (${code}${reason ? `: ${reason}` : ""})`;
}
