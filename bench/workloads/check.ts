/** Cheap checks that a system returned what it was asked for. @module */

import type { Payload } from "./system_driver.ts";

/** Throws unless `got` is the echo of the payload numbered `a`. */
export function checkEcho(got: Payload, a: number): void {
  if (got?.a !== a || got.s !== "hello") {
    throw new Error(`echo ${a} came back as ${JSON.stringify(got)}`);
  }
}

/** Throws unless `got` is the event numbered `a`. */
export function checkEvent(got: Payload, a: number): void {
  if (got?.a !== a) {
    throw new Error(`event ${a} came as ${JSON.stringify(got)}`);
  }
}
