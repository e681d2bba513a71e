/**
 * The Deno adapter: puts the core on `Deno.serve`, with `Deno.upgradeWebSocket`.
 * Every Deno quirk the server works around is here, and only here.
 *
 * @module
 */

import { Deadlines } from "../shared/deadlines.ts";
import { spaceOutIdleTimer } from "./deno_idle_timer.ts";
import type { RpcCore } from "./core.ts";
import type { RpcHandler } from "./options.ts";
import {
  type Admitted,
  type ConnectionInfo,
  type Decision,
  type HttpAnswer,
  isAdmitted,
  type ServerSocket,
  type SocketEvents,
} from "./socket.ts";

/**
 * Serves a core from `Deno.serve`: the handler upgrades the requests the
 * core admits, and answers the others.
 *
 * @param core The served contract.
 * @returns A `(Request, info?) => Response` handler.
 */
export function serveOnDeno(core: RpcCore): RpcHandler {
  const handle = (request: Request, info?: ConnectionInfo): Response | Promise<Response> => {
    const respond = (decision: Decision): Response =>
      isAdmitted(decision) ? upgrade(request, decision) : toResponse(decision);
    const decision = core.decide(request, snapshot(info));
    return decision instanceof Promise ? decision.then(respond) : respond(decision);
  };
  return Object.defineProperties(handle, {
    connections: { get: () => core.connections },
    shutdown: { value: core.shutdown },
  }) as RpcHandler;
}

/** Upgrades an admitted request; a request that can't be upgraded gets the core's fallback. */
function upgrade(request: Request, admitted: Admitted): Response {
  let upgraded: { socket: WebSocket; response: Response };
  try {
    upgraded = Deno.upgradeWebSocket(request, { idleTimeout: admitted.idleTimeout });
  } catch {
    admitted.abandon();
    return toResponse(admitted.unupgradable);
  }
  spaceOutIdleTimer(upgraded.socket, admitted.idleTimeout);
  new DenoSocket(upgraded.socket, admitted);
  return upgraded.response;
}

/**
 * Sockets whose upgrade has not completed yet, with one timer for all: a
 * client that leaves during the upgrade leaves a socket that never opens and
 * never closes (Deno sends no event), and its slot must be freed.
 */
const opening = new Deadlines<DenoSocket>((socket) => socket.end(), { keepArmed: false });

const OPEN = 1;

/**
 * A Deno `WebSocket`, as the core's seam. It listens to its socket itself,
 * as an `EventListenerObject`: an `on*` handler costs a wrapper, its scope
 * and an entry in a map of handlers for as long as the socket lives, even
 * once set back to `null`, and a server holds many idle sockets.
 */
class DenoSocket implements ServerSocket, EventListenerObject {
  readonly #socket: WebSocket;
  /** The admitted connection, until the socket opens. */
  #admitted: Admitted | undefined;
  /** Where the socket's events go, once it is open. */
  #events: SocketEvents | undefined;
  #ended = false;
  /** Inside the open event: no frame has been read yet. */
  #opening = false;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(socket: WebSocket, admitted: Admitted) {
    this.#socket = socket;
    this.#admitted = admitted;
    opening.set(this, admitted.openTimeout);
    socket.addEventListener("open", this, { once: true });
    socket.addEventListener("message", this);
    // An error is always followed by a close, which is what counts: no error listener.
    socket.addEventListener("close", this);
  }

  /** @internal The socket's events. */
  handleEvent(event: Event): void {
    if (event.type === "message") this.#events?.message((event as MessageEvent).data);
    else if (event.type === "close") this.end();
    else if (event.type === "open") this.#opened();
  }

  #opened(): void {
    opening.delete(this);
    const admitted = this.#admitted!;
    this.#admitted = undefined;
    this.#opening = true;
    try {
      this.#events = admitted.open(this);
    } finally {
      this.#opening = false;
    }
  }

  send(text: string): void {
    this.#socket.send(text);
  }

  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  close(code: number, reason: string): void {
    // A socket refused as it opens (its origin, a shutdown) closes at once:
    // Deno reads no frame before the open event has run. Waiting would give
    // a frame the client sent at once time to be read, and then:
    if (this.#opening) {
      this.#socket.close(code, reason);
      return;
    }
    // closing from inside a message event, with more frames already read,
    // makes Deno end the TCP connection without the close frame; a moment
    // later it sends it.
    this.#closeTimer ??= setTimeout(() => {
      if (this.#socket.readyState === OPEN) this.#socket.close(code, reason);
    }, 0);
  }

  /** The socket closed, or never opened. */
  end(): void {
    // Deno may report a close twice.
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#closeTimer);
    opening.delete(this);
    this.#events?.closed();
    this.#admitted?.abandon();
  }
}

/**
 * A copy of the handler info that outlives the upgrade: Deno's own throws
 * "Request closed" once the request has been answered.
 */
function snapshot(info: ConnectionInfo | undefined): ConnectionInfo | undefined {
  return info === undefined ? undefined : { remoteAddr: info.remoteAddr };
}

function toResponse({ status, body, headers }: HttpAnswer): Response {
  return new Response(body, {
    status,
    headers: { ...headers, "content-type": "text/plain; charset=utf-8" },
  });
}
