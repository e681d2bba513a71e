/**
 * W7's side of the wsrpc (JSON) and wsrpc (Redis) drivers: plain WebSockets
 * that send what a wsrpc client sends when it reconnects (the subscription
 * request with its `lastEventId`, PROTOCOL.md) and read the `rpc.data` frames
 * with `JSON.parse`. A thousand of these cost the client process far less
 * than a thousand `createClient`s, so the storm measures the server. Plain
 * JSON payloads only (no superjson meta).
 *
 * @module
 */

import type {
  OnTrackedEvent,
  Payload,
  ResumedConnection,
  ResumeDriver,
} from "../../workloads/system_driver.ts";

/** A frame from a wsrpc server, as far as W7 reads it. */
interface Frame {
  readonly id?: string | number;
  readonly method?: string;
  readonly result?: unknown;
  readonly error?: { readonly code: number; readonly message: string };
  readonly params?: {
    readonly id?: string;
    readonly data?: Payload;
    readonly reason?: string;
    readonly error?: { readonly message: string };
  };
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.onopen = () => resolve(socket);
    socket.onerror = () => reject(new Error(`could not connect to ${url}`));
  });
}

function describe(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Calls `publish` on a connection of its own; resolves to the newest position. */
async function prime(url: string, count: number): Promise<string> {
  const socket = await open(url);
  try {
    return await new Promise<string>((resolve, reject) => {
      socket.onmessage = (message: MessageEvent<string>) => {
        const frame = JSON.parse(message.data) as Frame;
        if (frame.id !== 1) return;
        if (typeof frame.result === "string") resolve(frame.result);
        else reject(new Error(`publish answered ${describe(message.data)}`));
      };
      socket.onclose = () => reject(new Error("the connection closed before publish answered"));
      socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "publish", params: { count } }));
    });
  } finally {
    socket.onclose = null;
    socket.close();
  }
}

/** Opens a connection and resumes the fan-out topic after `lastEventId`. */
async function resume(
  url: string,
  lastEventId: string,
  onEvent: OnTrackedEvent,
  onError: (error: Error) => void,
): Promise<ResumedConnection> {
  const socket = await open(url);
  socket.onmessage = (message: MessageEvent<string>) => {
    const frame = JSON.parse(message.data) as Frame;
    if (frame.method === "rpc.data" && typeof frame.params?.id === "string") {
      onEvent(frame.params.id, frame.params.data as Payload);
    } else if (frame.method !== undefined || frame.error !== undefined) {
      // rpc.gap, rpc.error, rpc.complete, a refused request: not a clean resume.
      onError(new Error(`the server sent ${describe(message.data)}`));
    } // else the subscription's acknowledgement
  };
  socket.onclose = () => onError(new Error("the connection closed"));
  socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "fanout", lastEventId }));
  return {
    close() {
      socket.onclose = null;
      socket.close();
    },
  };
}

/** The resume side of a wsrpc driver whose payloads are plain JSON. */
export const plainResume: ResumeDriver = { prime, resume };
