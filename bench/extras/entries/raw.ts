/**
 * Browser entry for the bundle-size row: what the raw baseline's client does
 * for one call and one stream, by hand on a WebSocket.
 *
 * @module
 */

import type { Payload } from "../../workloads/system_driver.ts";
import type { RawRequest, RawServerMessage } from "../../systems/raw/wire.ts";

const socket = new WebSocket("ws://localhost:8000/");
const pending = new Map<number, (result: unknown) => void>();
const streams = new Map<number, (event: Payload) => void>();
let nextId = 1;

socket.onmessage = (message: MessageEvent<string>) => {
  const frame = JSON.parse(message.data) as RawServerMessage;
  if ("method" in frame) streams.get(frame.params.sub)?.(frame.params.data);
  else {
    pending.get(frame.id)?.(frame.result);
    pending.delete(frame.id);
  }
};

function call(request: RawRequest): Promise<unknown> {
  return new Promise((resolve) => {
    pending.set(request.id, resolve);
    socket.send(JSON.stringify(request));
  });
}

await new Promise((resolve) => socket.onopen = resolve);
console.log(
  await call({ jsonrpc: "2.0", id: nextId++, method: "echo", params: { a: 1, s: "hello" } }),
);
const id = nextId++;
streams.set(id, (event) => console.log(event));
await call({ jsonrpc: "2.0", id, method: "events", params: { n: 3 } });
socket.close();
