/**
 * `createClient`: a typed proxy over one WebSocket.
 *
 * @module
 */

import { type Codec, superjsonCodec } from "../shared/codec.ts";
import { type Endpoint, flattenRouter, type Router } from "../shared/contract.ts";
import { ErrorCode, RpcError } from "../shared/errors.ts";
import { validate } from "../shared/validate.ts";
import { DEFAULT_MAX_MESSAGE_SIZE, Method, requestText } from "../shared/wire.ts";
import { LazyCall } from "./lazy_call.ts";
import type { CallOptions, ClientOptions, SubscribeOptions } from "./options.ts";
import { type Adopt, type CallSettings, RequestManager } from "./requests.ts";
import { endOnAbort, type OpenSubscription, Stream } from "./subscription.ts";
import { checkServerUrl } from "./server_url.ts";
import { Transport, type WebSocketConstructor } from "./transport.ts";
import type { Client, ClientControls } from "./types.ts";

const CONTROLS: ReadonlySet<string> = new Set(["close", "ready", "connection"]);

/**
 * Makes a typed client of a contract. Pass the contract value, or only its
 * type (`createClient<typeof api>({ url })`) to keep zod out of a browser
 * bundle. The connection opens on the first call.
 *
 * Every call is sent, awaited or not. Made from the type alone, the client
 * can't tell a procedure from a subscription, so it goes by use: a call read
 * as a stream in the tick it was made (`for await`, `subscribe`, `started`)
 * opens a subscription; any other is sent as a procedure call on the next
 * microtask. The server acknowledges a subscription sent that way as one,
 * and the call becomes that subscription: `await` gives the stream, and its
 * events wait until they are read.
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
 * @example A call nobody awaits is sent too; a subscription awaited is its stream
 * ```ts
 * import * as z from "zod";
 * import { procedure, router, subscription } from "@wsrpc/core";
 * import { createHandler } from "@wsrpc/core/server";
 * import { createClient } from "@wsrpc/core/client";
 * import assert from "node:assert/strict";
 *
 * const api = router({
 *   toggle: procedure({ input: z.number(), output: z.boolean() }),
 *   ticks: subscription({ input: z.number(), output: z.number() }),
 * });
 * const toggled = Promise.withResolvers<number>();
 * const rpc = createHandler(api, {
 *   handlers: {
 *     toggle: ({ input }) => (toggled.resolve(input), true),
 *     ticks: async function* ({ input }) {
 *       for (let i = 1; i <= input; i++) yield i;
 *     },
 *   },
 * });
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, rpc);
 * const client = createClient<typeof api>({ url: `ws://127.0.0.1:${server.addr.port}/rpc` });
 *
 * const onClick = () => client.toggle(7); // not awaited: still sent
 * onClick();
 * assert.equal(await toggled.promise, 7);
 *
 * const ticks = await client.ticks(2); // the subscription, live, not the wire's reply
 * const seen: number[] = [];
 * for await (const tick of ticks) seen.push(tick);
 * assert.deepEqual(seen, [1, 2]);
 * client.close();
 * await server.shutdown();
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
  for (const name of Object.keys(contract?.routes ?? {})) {
    if (CONTROLS.has(name)) {
      throw new TypeError(`"${name}" is reserved on the client; move that route into a router`);
    }
  }
  checkServerUrl(options.url);
  const codec = options.codec ?? superjsonCodec;
  const defaultTimeout = options.timeout ?? 30_000;
  let closedError: RpcError | undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;

  const transport: Transport = new Transport({
    url: options.url,
    WebSocket: options.WebSocket ?? globalWebSocket(),
    reconnect: options.reconnect ?? {},
    heartbeat: options.heartbeat ?? {},
    hello: "connectionParams" in options ? () => helloFrame(options, codec) : undefined,
  }, {
    open: () => {
      requests.resume();
      // A connection opened with nothing to do (by ready(), or a reconnect) is idle already.
      if (requests.idle) armIdleTimer();
    },
    message: (text) => requests.receive(text),
    lost: (code) => requests.lost(code),
    closed: (error) => {
      closedError = error;
      requests.failAll(error, "error");
    },
  });
  const requests = new RequestManager(transport, codec, {
    maxQueue: options.maxQueue ?? 1000,
    maxMessageSize: options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
    connectionError: () => transport.state === "open" ? undefined : transport.lastError,
    onIdle: armIdleTimer,
  });

  const { idleTimeout } = options;
  function armIdleTimer(): void {
    if (idleTimeout === undefined) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (requests.idle) transport.suspend();
    }, idleTimeout);
  }

  /**
   * The input to send: validated if asked to (a promise of it when the
   * schema is asynchronous). A closed client refuses at once, by throwing.
   */
  function checkedInput(endpoint: Endpoint | undefined, input: unknown): unknown {
    if (closedError) throw closedError;
    if (idleTimer !== undefined) {
      clearTimeout(idleTimer);
      idleTimer = undefined;
    }
    return options.validateInput && endpoint?.input ? validate(endpoint.input, input) : input;
  }

  /** The settings of calls made without options: one object per endpoint, not one per call. */
  const plainSettings = new Map<Endpoint | undefined, CallSettings>();

  function settingsOf(
    endpoint: Endpoint | undefined,
    callOptions: CallOptions | undefined,
    adopt: Adopt | undefined,
  ): CallSettings {
    const idempotent = endpoint?.idempotent ?? false;
    if (callOptions !== undefined || adopt !== undefined) {
      const timeout = callOptions?.timeout ?? defaultTimeout;
      return { timeout, signal: callOptions?.signal, idempotent, adopt };
    }
    let settings = plainSettings.get(endpoint);
    if (settings === undefined) {
      settings = { timeout: defaultTimeout, signal: undefined, idempotent, adopt: undefined };
      plainSettings.set(endpoint, settings);
    }
    return settings;
  }

  const callProcedure = (
    path: string,
    input: unknown,
    callOptions: CallOptions | undefined,
    endpoint: Endpoint | undefined,
    adopt?: Adopt,
  ): Promise<unknown> => {
    try {
      const valid = checkedInput(endpoint, input);
      const settings = settingsOf(endpoint, callOptions, adopt);
      if (valid instanceof Promise) return valid.then((v) => requests.call(path, v, settings));
      return requests.call(path, valid, settings);
    } catch (error) {
      return Promise.reject(RpcError.from(error));
    }
  };

  const openSubscription = (
    path: string,
    input: unknown,
    subscribeOptions: SubscribeOptions | undefined,
    endpoint: Endpoint | undefined,
  ): OpenSubscription =>
    endOnAbort((sink) => {
      let stop: (() => void) | undefined;
      let stopped = false;
      const fail = (error: unknown) => sink.error(RpcError.from(error));
      try {
        const open = (valid: unknown) => {
          if (!stopped) stop = requests.subscribe(path, valid, sink);
        };
        const valid = checkedInput(endpoint, input);
        if (valid instanceof Promise) valid.then(open).catch(fail);
        else open(valid);
      } catch (error) {
        queueMicrotask(() => fail(error));
      }
      return () => {
        stopped = true;
        stop?.();
      };
    }, subscribeOptions?.signal);

  const call = (path: string, input: unknown, extra: unknown): unknown => {
    if (endpoints === undefined) {
      const lazyOptions = extra as (CallOptions & SubscribeOptions) | undefined;
      return new LazyCall({
        method: path,
        call: (adopt) => callProcedure(path, input, lazyOptions, undefined, adopt),
        open: openSubscription(path, input, lazyOptions, undefined),
      }, lazyOptions);
    }
    // A path the contract does not name as an endpoint: a namespace, or a typo.
    return Promise.reject(new RpcError(ErrorCode.MethodNotFound, `Method not found: ${path}`));
  };

  /** The function of an endpoint the contract names; called as it is, without the proxy's trap. */
  const endpointFunction = (path: string): EndpointFunction | undefined => {
    const endpoint = endpoints?.get(path);
    if (endpoint === undefined) return undefined;
    if (endpoint.kind === "subscription") {
      return (input, extra) => {
        const subscribeOptions = extra as SubscribeOptions | undefined;
        return new Stream(
          openSubscription(path, input, subscribeOptions, endpoint),
          subscribeOptions,
        );
      };
    }
    return (input, extra) => callProcedure(path, input, extra as CallOptions | undefined, endpoint);
  };

  const controls: ClientControls = {
    close() {
      clearTimeout(idleTimer);
      closedError ??= new RpcError(ErrorCode.ConnectionLost, "The client was closed");
      transport.close();
      requests.failAll(closedError, "complete");
    },
    ready() {
      if (transport.state === "open") return Promise.resolve();
      if (closedError) return Promise.reject(closedError);
      return new Promise<void>((resolve, reject) => {
        const stopState = transport.onStateChange((state, error) => {
          if (state === "open") settle();
          else if (state === "closed") settle(closedError ?? error);
        });
        // The first failed attempt settles it: the client goes on trying, and calls keep waiting.
        const stopFailure = transport.onAttemptFailed((error) => settle(error));
        function settle(error?: RpcError): void {
          stopState();
          stopFailure();
          if (error === undefined) resolve();
          else reject(error);
        }
        transport.connect();
      });
    },
    connection: {
      get state() {
        return transport.state;
      },
      get lastError() {
        return transport.lastError;
      },
      get attempt() {
        return transport.attempt;
      },
      onStateChange: (listener) => transport.onStateChange(listener),
    },
  };
  if (options.lazy === false) transport.connect();
  return makeProxy([], { call, endpointFunction, controls }) as Client<TRouter>;
}

async function helloFrame(options: ClientOptions, codec: Codec): Promise<string> {
  const source = options.connectionParams;
  const params = typeof source === "function" ? await source() : source;
  const { json, meta } = codec.encode(params ?? {});
  return requestText(undefined, Method.Connect, json, meta);
}

/** What a call to an endpoint of the contract runs. */
type EndpointFunction = (input: unknown, options: unknown) => unknown;

/** What every level of the proxy shares. */
interface ProxyParts {
  /** Runs a call to a path that is not a known endpoint (every path, without a contract). */
  call(path: string, input: unknown, options: unknown): unknown;
  /** The function of a path the contract names as an endpoint, or undefined. */
  endpointFunction(path: string): EndpointFunction | undefined;
  controls: ClientControls;
}

function makeProxy(path: string[], parts: ProxyParts): unknown {
  const children = new Map<string, unknown>();
  const dotted = path.join(".");
  // A function target, so that the proxy can be called as well as walked.
  return new Proxy(() => {}, {
    get(_target, name) {
      if (typeof name !== "string" || name === "then") return undefined;
      if (path.length === 0 && CONTROLS.has(name)) {
        return parts.controls[name as keyof ClientControls];
      }
      let child = children.get(name);
      if (child === undefined) {
        const childPath = [...path, name];
        // An endpoint has nothing below it: a plain function, cheaper to call than a proxy.
        child = parts.endpointFunction(childPath.join(".")) ?? makeProxy(childPath, parts);
        children.set(name, child);
      }
      return child;
    },
    apply(_target, _this, args: unknown[]) {
      return parts.call(dotted, args[0], args[1]);
    },
  });
}

function isRouter(value: unknown): value is Router {
  return typeof value === "object" && value !== null && (value as Router).kind === "router";
}

/** The global `WebSocket`; Node 20 has none, and then the option is needed. */
function globalWebSocket(): WebSocketConstructor {
  const found = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (found === undefined) {
    throw new TypeError(
      'There is no global WebSocket here (Node 20?): pass one as the WebSocket option, such as `import { WebSocket } from "ws"`',
    );
  }
  return found;
}
